import { z } from 'zod';
import {
  billingCyclesFor,
  catalogItemId as catalogItemIdOf,
  COUNTRIES,
  PARTNER_ON_RECORD_ATTESTATION,
  unitPrice,
  type BillingCycle,
  type TermDuration,
} from '../catalog';
import { DAY_MS, isoTimestamp, sleep } from '../clock';
import { ApiError, badRequest, notFound } from '../errors';
import { jsonBody, link, looseEnum, parseWith } from '../http';
import { hasAgreement, MCA_NOT_CONFIRMED } from '../agreements';
import { allowedCustomTermEndDates } from '../coterm';
import { eligibilityErrors, findPromotion } from '../promotions';
import { customerOf, type ApiContext, type Route } from '../router';
import type { Cart, CartLine, CartLineError, Customer, Order, World } from '../state';
import { orderJson } from './orders';

/** Carts and checkout (partner-center-api.md §4): lines validated against the catalog, split into
 * order groups, checkout idempotent per cart and exclusive while it runs. */

const CART_LIFETIME_MS = 7 * DAY_MS;

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

const cartInputSchema = z.looseObject({
  lineItems: z
    .array(lineInputSchema)
    .min(1, 'must contain at least one line item')
    .max(50, 'must contain at most 50 line items'),
  partnerOnRecordAttestationAccepted: z.boolean().optional(),
});
type CartInput = z.infer<typeof cartInputSchema>;

export function cartJson(cart: Cart): Record<string, unknown> {
  return {
    id: cart.id,
    creationTimestamp: isoTimestamp(cart.createdAt),
    lastModifiedTimestamp: isoTimestamp(cart.modifiedAt),
    expirationTimestamp: isoTimestamp(cart.expiresAt),
    lastModifiedUser: cart.lastModifiedUser,
    status: cart.status,
    lineItems: cart.lines.map((line) => ({
      id: line.id,
      catalogItemId: line.catalogItemId,
      ...(line.friendlyName !== undefined ? { friendlyName: line.friendlyName } : {}),
      quantity: line.quantity,
      currencyCode: line.currencyCode,
      billingCycle: line.billingCycle,
      termDuration: line.termDuration,
      ...(line.promotionId ? { promotionId: line.promotionId } : {}),
      ...(line.customTermEndDate ? { customTermEndDate: line.customTermEndDate } : {}),
      ...(line.participants ? { participants: line.participants } : {}),
      provisioningContext: line.provisioningContext,
      orderGroup: line.orderGroup,
      pricing: {
        listPrice: line.unitPrice,
        discountedPrice: line.unitPrice,
        proratedPrice: line.unitPrice,
        price: line.unitPrice,
        extendedPrice: Math.round(line.unitPrice * line.quantity * 100) / 100,
      },
      ...(line.error ? { error: line.error } : {}),
    })),
    ...(cart.partnerOnRecordAttestationAccepted !== undefined
      ? { partnerOnRecordAttestationAccepted: cart.partnerOnRecordAttestationAccepted }
      : {}),
    links: { self: link(`/customers/${cart.customerId}/carts/${cart.id}`) },
    attributes: { objectType: 'Cart' },
  };
}

/** Builds the cart lines: structural problems and quantities outside the SKU's range refuse the
 * whole request (400); catalog problems become per-line `error`s and the cart is still created. */
function buildLines(world: World, customer: Customer, input: CartInput, now: number): CartLine[] {
  const seenIds = new Set<number>();
  const currency = COUNTRIES[customer.country].currency;
  const draft = input.lineItems.map((raw, index) => {
    const id = raw.id ?? index;
    if (seenIds.has(id)) throw badRequest(`lineItems[${index}].id`, `repeats line item id ${id}`);
    seenIds.add(id);
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
    const line: CartLine = {
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
      currencyCode: currency,
      unitPrice: sku && billingCycle !== 'one_time' ? unitPrice(sku, customer.country, termDuration, billingCycle) : 0,
    };
    const error =
      lineError(world, customer, line, billingCycle) ??
      attestationError(world, line, input.partnerOnRecordAttestationAccepted === true) ??
      trialError(world, customer, line) ??
      promotionError(world, customer, line) ??
      customTermEndDateError(world, customer, line, now);
    if (!error && line.promotionId) {
      const discount = findPromotion(line.promotionId)?.percentDiscount ?? 0;
      line.unitPrice = Math.round(line.unitPrice * (100 - discount)) / 100;
    }
    return error ? { ...line, error } : line;
  });
  // Add-ons need a base licence the customer owns or buys in the same cart (new-commerce-add-ons.md), no fewer
  // seats than the add-on's minimum (10019 MinimumAddOnSeatsNotMet) and at least as many base seats as add-on
  // seats (10018 BaseOfferSeatQuantityNotMet).
  const baseSeats = new Map<string, number>();
  const addSeats = (productSku: string, seats: number) =>
    baseSeats.set(productSku.toUpperCase(), (baseSeats.get(productSku.toUpperCase()) ?? 0) + seats);
  for (const s of world.subscriptions.values())
    if (s.customerId === customer.id && s.status === 'active') addSeats(`${s.productId}:${s.skuId}`, s.quantity);
  for (const line of draft)
    if (!line.error) addSeats(line.catalogItemId.split(':').slice(0, 2).join(':'), line.quantity);
  for (const line of draft) {
    if (line.error) continue;
    const [productId, skuId] = line.catalogItemId.split(':');
    const sku = world.catalog.findSku(productId, skuId);
    if (!sku?.isAddon) continue;
    const seats = sku.prerequisiteSkus.reduce((sum, p) => sum + (baseSeats.get(p.toUpperCase()) ?? 0), 0);
    if (seats === 0) {
      line.error = {
        errorCode: 400041,
        errorDescription: `The addon is not purchasable without a compatible base product: buy it with or onto one of ${sku.prerequisiteSkus.join(', ')}.`,
      };
    } else if (sku.minimumAddOnSeats !== undefined && line.quantity < sku.minimumAddOnSeats) {
      line.error = {
        errorCode: 10019,
        errorDescription: `The add-on ${productId}:${skuId} is sold in at least ${sku.minimumAddOnSeats} seats; ${line.quantity} were asked for: buy ${sku.minimumAddOnSeats - line.quantity} more.`,
      };
    } else if (line.quantity > seats) {
      line.error = {
        errorCode: 10018,
        errorDescription: `The add-on's ${line.quantity} seats exceed the ${seats} seats of its base products (${sku.prerequisiteSkus.join(', ')}): reduce it to ${seats} or buy ${line.quantity - seats} more base seats.`,
      };
    }
  }
  assignOrderGroups(draft);
  return draft;
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

function cartOf(ctx: ApiContext, customer: Customer): Cart {
  const cart = ctx.runtime.world.carts.get(ctx.params.cartId.toLowerCase());
  if (!cart || cart.customerId !== customer.id)
    throw notFound(800008, `Unable to retrieve cart ID ${ctx.params.cartId}.`);
  return cart;
}

function requireOpen(cart: Cart, now: number): void {
  if (cart.status === 'Ordered')
    throw new ApiError(400, 800065, `You can't check out or change an already submitted cart ${cart.id}.`);
  if (cart.expiresAt <= now)
    throw notFound(
      800008,
      `Unable to retrieve cart ID ${cart.id}: the cart expired at ${isoTimestamp(cart.expiresAt)}.`,
    );
}

type CheckoutError = { orderGroupId: string; code: number; description: string };

async function checkout(
  ctx: ApiContext,
  customer: Customer,
  cart: Cart,
): Promise<{ orders: Order[]; orderErrors: CheckoutError[] }> {
  const { world, delays } = ctx.runtime;
  const replay = () => ({
    orders: cart.checkoutResult!.orderIds.map((id) => world.orders.get(id)!),
    orderErrors: cart.checkoutResult!.orderErrors,
  });
  if (cart.checkoutResult) {
    if (ctx.runtime.policy.repeatedCheckout === 'already-submitted') requireOpen(cart, ctx.now); // an ordered cart: 400/800065
    return replay();
  }
  if (cart.checkoutInFlight) throw new ApiError(409, 800064, `Cart ${cart.id} is being processed by another request.`);
  requireOpen(cart, ctx.now);
  cart.checkoutInFlight = true;
  try {
    await sleep(delays.checkoutMs);
    const now = ctx.runtime.clock.now();
    const valid = cart.lines.filter((l) => !l.error);
    const orderErrors: CheckoutError[] = cart.lines
      .filter((l) => l.error)
      .map((l) => ({ orderGroupId: l.orderGroup, code: l.error!.errorCode, description: l.error!.errorDescription }));
    for (const line of valid) {
      const [productId, skuId, availabilityId] = line.catalogItemId.split(':');
      if (!world.catalog.findAvailability(productId, skuId, availabilityId)) {
        throw notFound(
          400019,
          `Availability ${availabilityId} of ${productId}:${skuId} was not found; read the availabilities again and update the cart.`,
        );
      }
    }
    if (valid.length === 0)
      throw new ApiError(400, 800009, 'Error in Cart item(s): no line item can be ordered.', {}, orderErrors);
    const orders: Order[] = [];
    for (const group of [...new Set(valid.map((l) => l.orderGroup))]) {
      const lines = valid.filter((l) => l.orderGroup === group);
      const shortage = reserveInventory(world, lines);
      if (shortage) {
        orderErrors.push({ orderGroupId: group, code: 800010, description: shortage });
        continue;
      }
      const order: Order = {
        id: world.random.hex(12),
        customerId: customer.id,
        cartId: cart.id,
        createdAt: now,
        completesAt: now + delays.orderCompletionMs,
        listVisibleAt: now + delays.orderListMs,
        status: 'pending',
        billingCycle: lines[0].billingCycle,
        currencyCode: lines[0].currencyCode,
        lines: lines.map((l, index) => ({
          lineItemNumber: index,
          offerId: l.catalogItemId,
          quantity: l.quantity,
          termDuration: l.termDuration,
          billingCycle: l.billingCycle,
          friendlyName:
            l.friendlyName ??
            world.catalog.findSku(l.catalogItemId.split(':')[0], l.catalogItemId.split(':')[1])?.title ??
            l.catalogItemId,
          unitPrice: l.unitPrice,
          promotionId: l.promotionId,
          customTermEndDate: l.customTermEndDate,
          provisioningContext: l.provisioningContext,
        })),
      };
      world.orders.set(order.id, order);
      world.counters.ordersPerCart[cart.id] = (world.counters.ordersPerCart[cart.id] ?? 0) + 1;
      orders.push(order);
    }
    if (orders.length === 0)
      throw new ApiError(400, 800009, 'Error in Cart item(s): no order group could be ordered.', {}, orderErrors);
    cart.status = 'Ordered';
    cart.modifiedAt = now;
    cart.checkoutResult = { orderIds: orders.map((o) => o.id), orderErrors };
    return replay();
  } finally {
    cart.checkoutInFlight = false;
  }
}

/** Takes the group's seats of stock-checked SKUs; answers why not when there are not enough left. */
function reserveInventory(world: World, lines: CartLine[]): string | undefined {
  for (const line of lines) {
    const [productId, skuId] = line.catalogItemId.split(':');
    const sku = world.catalog.findSku(productId, skuId);
    if (sku?.inventory === undefined) continue;
    const key = `${productId}:${skuId}`;
    const sold = world.inventorySold.get(key) ?? 0;
    if (sold + line.quantity > sku.inventory)
      return `Inventory is not available: ${sku.inventory - sold} of ${key} left, ${line.quantity} requested.`;
  }
  for (const line of lines) {
    const key = line.catalogItemId.split(':').slice(0, 2).join(':');
    if (world.catalog.findSku(key.split(':')[0], key.split(':')[1])?.inventory !== undefined)
      world.inventorySold.set(key, (world.inventorySold.get(key) ?? 0) + line.quantity);
  }
  return undefined;
}

export const cartRoutes: Route[] = [
  {
    method: 'POST',
    template: '/v1/customers/{customerId}/carts',
    throttled: true,
    handle: (ctx) => {
      const customer = customerOf(ctx);
      const input = parseWith(cartInputSchema, jsonBody(ctx.rawBody));
      const { world } = ctx.runtime;
      if (!hasAgreement(world, customer.id))
        throw new ApiError(
          403,
          MCA_NOT_CONFIRMED,
          `The customer ${customer.id} has not accepted the Microsoft Customer Agreement; confirm its acceptance first.`,
        );
      const cart: Cart = {
        id: world.random.guid(),
        customerId: customer.id,
        createdAt: ctx.now,
        modifiedAt: ctx.now,
        expiresAt: ctx.now + CART_LIFETIME_MS,
        lastModifiedUser: ctx.token.oid,
        status: 'Active',
        lines: buildLines(world, customer, input, ctx.now),
        partnerOnRecordAttestationAccepted: input.partnerOnRecordAttestationAccepted,
        checkoutInFlight: false,
      };
      world.carts.set(cart.id, cart);
      return { status: 201, body: cartJson(cart) };
    },
  },
  {
    method: 'GET',
    template: '/v1/customers/{customerId}/carts/{cartId}',
    throttled: true,
    handle: (ctx) => ({ status: 200, body: cartJson(cartOf(ctx, customerOf(ctx))) }),
  },
  {
    method: 'PUT',
    template: '/v1/customers/{customerId}/carts/{cartId}',
    throttled: true,
    handle: (ctx) => {
      const customer = customerOf(ctx);
      const cart = cartOf(ctx, customer);
      const input = parseWith(cartInputSchema, jsonBody(ctx.rawBody));
      if (cart.checkoutInFlight)
        throw new ApiError(409, 800064, `Cart ${cart.id} is being processed by another request.`);
      requireOpen(cart, ctx.now);
      cart.partnerOnRecordAttestationAccepted =
        input.partnerOnRecordAttestationAccepted ?? cart.partnerOnRecordAttestationAccepted;
      cart.lines = buildLines(
        ctx.runtime.world,
        customer,
        { ...input, partnerOnRecordAttestationAccepted: cart.partnerOnRecordAttestationAccepted },
        ctx.now,
      );
      cart.modifiedAt = ctx.now;
      cart.lastModifiedUser = ctx.token.oid;
      // The documentation's example answers a cart update with 201 Created.
      return { status: 201, body: cartJson(cart) };
    },
  },
  {
    method: 'POST',
    template: '/v1/customers/{customerId}/carts/{cartId}/checkout',
    throttled: true,
    handle: async (ctx) => {
      const customer = customerOf(ctx);
      const result = await checkout(ctx, customer, cartOf(ctx, customer));
      return {
        status: 201,
        body: {
          orders: result.orders.map((o) => orderJson(o)),
          orderErrors: result.orderErrors,
          attributes: { objectType: 'CartCheckoutResult' },
        },
      };
    },
  },
];
