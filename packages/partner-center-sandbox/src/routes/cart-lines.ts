import { z } from 'zod';
import {
  billingCyclesFor,
  catalogItemId as catalogItemIdOf,
  COUNTRIES,
  PARTNER_ON_RECORD_ATTESTATION,
  unitPrice,
  type BillingCycle,
  type CatalogSku,
  type TermDuration,
} from '../catalog';
import { ApiError, badRequest } from '../errors';
import { looseEnum } from '../http';
import { allowedCustomTermEndDates } from '../coterm';
import { eligibilityErrors, findPromotion } from '../promotions';
import type { CartLine, CartLineError, Customer, World } from '../state';

/** The lines of a cart (partner-center-api.md §4): validated against the catalog, each with its
 * first problem as a line `error`, add-ons checked against their base seats, split into order groups. */

const lineInputSchema = z.looseObject({
  id: z.number().int().min(0).optional(),
  catalogItemId: z
    .string()
    .regex(/^[A-Za-z0-9]+:[A-Za-z0-9]+:[A-Za-z0-9]+$/, "must look like 'PRODUCT:SKU:AVAILABILITY'"),
  quantity: z.number().int('must be a whole number').min(1, 'must be at least 1'),
  billingCycle: looseEnum(['monthly', 'annual', 'triennial', 'none', 'one_time']),
  termDuration: looseEnum(['P1M', 'P1Y', 'P3Y']).optional(),
  friendlyName: z.string().max(128, 'must be at most 128 characters').optional(),
  promotionId: z.string().min(1).optional(),
  customTermEndDate: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}(T[\d:.]+Z?)?$/, 'must be an ISO 8601 date such as 2026-12-31')
    .refine((v) => !Number.isNaN(Date.parse(v.slice(0, 10))), 'must be a real calendar date')
    .optional(),
  provisioningContext: z.record(z.string(), z.string()).optional(),
  participants: z
    .array(z.object({ key: z.string(), value: z.string() }))
    .max(6)
    .optional(),
  attestationAccepted: z.boolean().optional(),
});

export const cartInputSchema = z.looseObject({
  lineItems: z
    .array(lineInputSchema)
    .min(1, 'must contain at least one line item')
    .max(50, 'must contain at most 50 line items'),
  partnerOnRecordAttestationAccepted: z.boolean().optional(),
});
type CartInput = z.infer<typeof cartInputSchema>;

type LineInput = CartInput['lineItems'][number];

/** Builds the cart lines: structural problems and quantities outside the SKU's range refuse the
 * whole request (400); catalog problems become per-line `error`s and the cart is still created. */
export function buildLines(world: World, customer: Customer, input: CartInput, now: number): CartLine[] {
  const seenIds = new Set<number>();
  const lines = input.lineItems.map((raw, index) => {
    const id = raw.id ?? index;
    if (seenIds.has(id)) throw badRequest(`lineItems[${index}].id`, `repeats line item id ${id}`);
    seenIds.add(id);
    const line = draftLine(world, customer, raw, id, index);
    return checkedLine(world, customer, line, {
      requestedCycle: raw.billingCycle,
      partnerOnRecordAccepted: input.partnerOnRecordAttestationAccepted === true,
      now,
    });
  });
  checkAddOns(world, customer, lines);
  assignOrderGroups(lines);
  return lines;
}

/** The line as asked for, priced from the catalog (an unknown SKU or a one-time line costs 0). */
function draftLine(world: World, customer: Customer, raw: LineInput, id: number, index: number): CartLine {
  const [productId, skuId, availabilityId] = raw.catalogItemId.split(':');
  const sku = world.catalog.findSku(productId, skuId);
  if (sku && (raw.quantity < sku.minimumQuantity || raw.quantity > sku.maximumQuantity)) {
    throw new ApiError(
      400,
      2002,
      `The request is invalid: 'lineItems[${index}].quantity' ${raw.quantity} is outside the allowed range ${sku.minimumQuantity}..${sku.maximumQuantity} for ${productId}:${skuId}.`,
    );
  }
  const availability = world.catalog.findAvailability(productId, skuId, availabilityId);
  const termDuration: TermDuration = raw.termDuration ?? availability?.termDuration ?? 'P1M';
  const billingCycle = raw.billingCycle as BillingCycle | 'one_time';
  return {
    id,
    catalogItemId: availability ? catalogItemIdOf(availability) : raw.catalogItemId,
    quantity: raw.quantity,
    billingCycle: billingCycle === 'one_time' ? 'none' : billingCycle,
    termDuration,
    friendlyName: raw.friendlyName,
    promotionId: raw.promotionId,
    customTermEndDate: raw.customTermEndDate,
    provisioningContext: raw.provisioningContext ?? {},
    participants: raw.participants,
    attestationAccepted: raw.attestationAccepted,
    orderGroup: '',
    currencyCode: COUNTRIES[customer.country].currency,
    unitPrice: sku && billingCycle !== 'one_time' ? unitPrice(sku, customer.country, termDuration, billingCycle) : 0,
  };
}

/** The line with its first problem as `error`, or, without one, with its promotion's discount applied. */
function checkedLine(
  world: World,
  customer: Customer,
  line: CartLine,
  request: { requestedCycle: string; partnerOnRecordAccepted: boolean; now: number },
): CartLine {
  const error =
    lineError(world, customer, line, request.requestedCycle) ??
    attestationError(world, line, request.partnerOnRecordAccepted) ??
    trialError(world, customer, line) ??
    promotionError(world, customer, line) ??
    customTermEndDateError(world, customer, line, request.now);
  if (!error && line.promotionId) {
    const discount = findPromotion(line.promotionId)?.percentDiscount ?? 0;
    line.unitPrice = Math.round(line.unitPrice * (100 - discount)) / 100;
  }
  return error ? { ...line, error } : line;
}

// Add-ons need a base licence the customer owns or buys in the same cart (new-commerce-add-ons.md), no fewer
// seats than the add-on's minimum (10019 MinimumAddOnSeatsNotMet) and at least as many base seats as add-on
// seats (10018 BaseOfferSeatQuantityNotMet).
function checkAddOns(world: World, customer: Customer, lines: CartLine[]): void {
  const baseSeats = seatsByProductSku(world, customer, lines);
  for (const line of lines) {
    if (line.error) continue;
    const [productId, skuId] = line.catalogItemId.split(':');
    const sku = world.catalog.findSku(productId, skuId);
    if (!sku?.isAddon) continue;
    const seats = sku.prerequisiteSkus.reduce((sum, p) => sum + (baseSeats.get(p.toUpperCase()) ?? 0), 0);
    const error = addOnError(sku, line, seats);
    if (error) line.error = error;
  }
}

/** Seats per `PRODUCT:SKU` (upper case): the customer's active subscriptions plus the cart's valid lines. */
function seatsByProductSku(world: World, customer: Customer, lines: CartLine[]): Map<string, number> {
  const seats = new Map<string, number>();
  const addSeats = (productSku: string, count: number) =>
    seats.set(productSku.toUpperCase(), (seats.get(productSku.toUpperCase()) ?? 0) + count);
  for (const s of world.subscriptions.values())
    if (s.customerId === customer.id && s.status === 'active') addSeats(`${s.productId}:${s.skuId}`, s.quantity);
  for (const line of lines)
    if (!line.error) addSeats(line.catalogItemId.split(':').slice(0, 2).join(':'), line.quantity);
  return seats;
}

function addOnError(sku: CatalogSku, line: CartLine, seats: number): CartLineError | undefined {
  const [productId, skuId] = line.catalogItemId.split(':');
  if (seats === 0) {
    return {
      errorCode: 400041,
      errorDescription: `The addon is not purchasable without a compatible base product: buy it with or onto one of ${sku.prerequisiteSkus.join(', ')}.`,
    };
  }
  if (sku.minimumAddOnSeats !== undefined && line.quantity < sku.minimumAddOnSeats) {
    return {
      errorCode: 10019,
      errorDescription: `The add-on ${productId}:${skuId} is sold in at least ${sku.minimumAddOnSeats} seats; ${line.quantity} were asked for: buy ${sku.minimumAddOnSeats - line.quantity} more.`,
    };
  }
  if (line.quantity > seats) {
    return {
      errorCode: 10018,
      errorDescription: `The add-on's ${line.quantity} seats exceed the ${seats} seats of its base products (${sku.prerequisiteSkus.join(', ')}): reduce it to ${seats} or buy ${line.quantity - seats} more base seats.`,
    };
  }
  return undefined;
}

function lineError(
  world: World,
  customer: Customer,
  line: CartLine,
  requestedCycle: string,
): CartLineError | undefined {
  const [productId, skuId, availabilityId] = line.catalogItemId.split(':');
  const sku = world.catalog.findSku(productId, skuId);
  if (!sku) return { errorCode: 10001, errorDescription: `The catalog item ID ${line.catalogItemId} is not valid.` };
  const availability = world.catalog.findAvailability(productId, skuId, availabilityId);
  // A rotated (stale) availability looks fine here; checkout then fails with 400019, as in production.
  if (!availability) {
    return world.catalog.retiredAvailabilityIds.has(availabilityId.toUpperCase())
      ? undefined
      : { errorCode: 10001, errorDescription: `The catalog item ID ${line.catalogItemId} is not valid.` };
  }
  if (availability.country !== customer.country) {
    return {
      errorCode: 10001,
      errorDescription: `The catalog item ${line.catalogItemId} is not available in the customer's country ${customer.country}.`,
    };
  }
  if (availability.segment !== 'commercial') {
    return {
      errorCode: 10001,
      errorDescription: `The customer is not eligible for the ${availability.segment} segment of ${line.catalogItemId}.`,
    };
  }
  if (line.termDuration !== availability.termDuration) {
    return {
      errorCode: 10010,
      errorDescription: `termDuration ${line.termDuration} is not offered by availability ${availability.id} (${availability.termDuration}).`,
    };
  }
  if (!(billingCyclesFor(sku, line.termDuration) as string[]).includes(requestedCycle)) {
    return {
      errorCode: 10013,
      errorDescription: `billingCycle ${requestedCycle} is not supported for ${line.termDuration} on ${line.catalogItemId}.`,
    };
  }
  return undefined;
}

/** A custom term end date must be one the customTermEndDates call allows (align-subscription-end-dates.md); trials take none. */
function customTermEndDateError(
  world: World,
  customer: Customer,
  line: CartLine,
  now: number,
): CartLineError | undefined {
  if (!line.customTermEndDate) return undefined;
  const [productId, skuId] = line.catalogItemId.split(':');
  if (world.catalog.findSku(productId, skuId)?.isTrial) {
    return {
      errorCode: 10016,
      errorDescription: `${line.catalogItemId} is a trial: it cannot take a custom term end date.`,
    };
  }
  const end = Date.parse(line.customTermEndDate.slice(0, 10));
  if (allowedCustomTermEndDates(world, customer.id, line.termDuration, now).some((d) => d.at === end)) return undefined;
  return {
    errorCode: 10017,
    errorDescription: `customTermEndDate ${line.customTermEndDate} is neither a month end nor an active subscription's end date within the first ${line.termDuration} term.`,
  };
}

/** One trial per customer per offer, and none of an offer the customer already owns (trials documentation). */
function trialError(world: World, customer: Customer, line: CartLine): CartLineError | undefined {
  const [productId, skuId] = line.catalogItemId.split(':');
  if (!world.catalog.findSku(productId, skuId)?.isTrial) return undefined;
  const before = [...world.subscriptions.values()].find(
    (s) => s.customerId === customer.id && s.productId.toUpperCase() === productId.toUpperCase(),
  );
  if (before === undefined) return undefined;
  return {
    errorCode: 10010,
    errorDescription: `The customer already ${before.isTrial ? 'had a trial of' : 'owns'} ${productId} (subscription ${before.id}): one trial per customer per offer, none of an offer it owns.`,
  };
}

/**
 * An offer that enforces attestation needs `attestationAccepted: true` on its line (reference §4.3); the
 * partner-of-record attestation is accepted on the cart (`partnerOnRecordAttestationAccepted`, cart-resources.md).
 */
function attestationError(world: World, line: CartLine, partnerOnRecordAccepted: boolean): CartLineError | undefined {
  const [productId, skuId] = line.catalogItemId.split(':');
  const attestation = world.catalog.findSku(productId, skuId)?.attestation;
  if (attestation === undefined) return undefined;
  if (attestation.type === PARTNER_ON_RECORD_ATTESTATION) {
    if (partnerOnRecordAccepted) return undefined;
    return {
      errorCode: 10012,
      errorDescription: `The partner-of-record attestation for ${line.catalogItemId} was not accepted (partnerOnRecordAttestationAccepted): ${attestation.text}`,
    };
  }
  if (line.attestationAccepted === true) return undefined;
  return {
    errorCode: 10012,
    errorDescription: `The attestation for ${line.catalogItemId} was not accepted: ${attestation.text}`,
  };
}

/** A promotion the customer is not eligible for: 10014 InvalidPromotionId, with the eligibility check's reasons. */
function promotionError(world: World, customer: Customer, line: CartLine): CartLineError | undefined {
  if (!line.promotionId) return undefined;
  const errors = eligibilityErrors(world, customer.id, { ...line, promotionId: line.promotionId });
  if (errors.length === 0) return undefined;
  return {
    errorCode: 10014,
    errorDescription: `Promotion ${line.promotionId} is not valid for this line: ${errors.map((e) => `${e.type}: ${e.description}`).join(' ')}`,
  };
}

/** Lines bought together share a group: same term, billing cycle and trial-ness; an invalid line is alone. */
function assignOrderGroups(lines: CartLine[]): void {
  const groups = new Map<string, string>();
  let next = 0;
  for (const line of lines) {
    if (line.error) continue;
    const key = `${line.termDuration}|${line.billingCycle}`;
    if (!groups.has(key)) groups.set(key, String(next++));
    line.orderGroup = groups.get(key)!;
  }
  for (const line of lines) if (line.error) line.orderGroup = String(next++);
}
