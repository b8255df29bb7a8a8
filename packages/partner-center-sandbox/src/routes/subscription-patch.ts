import { z } from 'zod';
import { billingCyclesFor, type BillingCycle, type TermDuration } from '../catalog';
import { isoTimestamp } from '../clock';
import { ApiError, badRequest, notFound } from '../errors';
import { jsonBody, looseEnum, parseWith } from '../http';
import { refundableQuantity } from '../lifecycle';
import type { ApiContext } from '../router';
import type { ScheduledNextTerm, Subscription, SubscriptionUpdate, World } from '../state';

/** A subscription PATCH (partner-center-api.md §6) checked against the new-commerce rules: status
 * changes, the cancellation window, seat changes and the scheduled next term. */

const productTermSchema = z.looseObject({
  productId: z.string().min(1),
  skuId: z.string().min(1),
  availabilityId: z.string().min(1),
  billingCycle: looseEnum(['monthly', 'annual', 'triennial']),
  termDuration: looseEnum(['P1M', 'P1Y', 'P3Y']),
  promotionId: z.string().optional(),
});

/** The PATCH body is a whole Subscription; only the writable fields matter and unknown ones are ignored. */
const patchSchema = z.looseObject({
  quantity: z.number().int('must be a whole number').min(0, 'must not be negative'),
  status: looseEnum(['none', 'active', 'suspended', 'deleted', 'expired', 'pending', 'disabled']).optional(),
  autoRenewEnabled: z.boolean().nullish(),
  friendlyName: z.string().max(128, 'must be at most 128 characters').nullish(),
  scheduledNextTermInstructions: z
    .looseObject({
      product: productTermSchema,
      quantity: z.number().int().min(1, 'must be at least 1'),
      customTermEndDate: z.string().optional(),
    })
    .nullish(),
});

type NextTermInstructions = NonNullable<z.infer<typeof patchSchema>['scheduledNextTermInstructions']>;

/** Checks a PATCH against the new-commerce rules and returns the state it leads to. */
export function planUpdate(ctx: ApiContext, s: Subscription): SubscriptionUpdate {
  if (s.status === 'deleted' || s.status === 'expired' || s.status === 'disabled') {
    throw new ApiError(400, 900279, `Updates are no longer allowed for subscription ${s.id} in status ${s.status}.`);
  }
  const body = parseWith(patchSchema, jsonBody(ctx.rawBody));
  const status = body.status ?? s.status;
  if (status !== s.status && status !== 'active' && status !== 'suspended' && status !== 'deleted') {
    throw badRequest('status', 'can only be changed to active, suspended or deleted');
  }
  if (status === 'deleted') {
    if (ctx.now > s.cancellationAllowedUntil) {
      throw new ApiError(
        400,
        900213,
        `You have passed your 168-hour cancellation window for subscription ${s.id} (allowed until ${isoTimestamp(s.cancellationAllowedUntil)}).`,
      );
    }
    return { quantity: s.quantity, autoRenewEnabled: false, status, friendlyName: s.friendlyName };
  }
  checkQuantityChange(ctx, s, body.quantity);
  // Full-body semantics: an omitted autoRenewEnabled means false and omitted instructions are dropped.
  const autoRenewEnabled = body.autoRenewEnabled ?? false;
  // Any immediate (mid-term) change — seats, suspension, reactivation — deletes every scheduled change, whatever the
  // body carries (partner-center-lifecycle.md, Renewals): a client sending the resource back as read loses them.
  const immediateChange = body.quantity !== s.quantity || status !== s.status;
  const scheduledNextTerm =
    body.scheduledNextTermInstructions && !immediateChange
      ? planNextTerm(ctx.runtime.world, body.scheduledNextTermInstructions, autoRenewEnabled)
      : undefined;
  return {
    quantity: body.quantity,
    autoRenewEnabled,
    status,
    friendlyName: body.friendlyName ?? s.friendlyName,
    scheduledNextTerm,
  };
}

/** Seats stay within the SKU's range, do not change on a suspended subscription or a trial, and
 * drop only by what was added within the last 168 hours. */
function checkQuantityChange(ctx: ApiContext, s: Subscription, quantity: number): void {
  const sku = ctx.runtime.world.catalog.findSku(s.productId, s.skuId);
  if (sku && quantity !== s.quantity && (quantity < sku.minimumQuantity || quantity > sku.maximumQuantity)) {
    throw new ApiError(
      400,
      2002,
      `The request is invalid: 'quantity' ${quantity} is outside the allowed range ${sku.minimumQuantity}..${sku.maximumQuantity}.`,
    );
  }
  if (quantity !== s.quantity && s.status === 'suspended')
    throw new ApiError(400, 2001, 'The quantity of a suspended subscription cannot be changed.');
  if (s.isTrial && quantity !== s.quantity)
    throw new ApiError(400, 2002, "The request is invalid: 'quantity' of a trial subscription is fixed.");
  if (quantity < s.quantity) {
    const removable = refundableQuantity(s, ctx.now);
    if (removable === 0)
      throw new ApiError(
        400,
        900214,
        `You have passed your 168-hour window for reducing seats of subscription ${s.id}.`,
      );
    if (s.quantity - quantity > removable)
      throw new ApiError(
        400,
        800090,
        `Subscription quantity cannot be decreased by more than the ${removable} seats added in the last 168 hours.`,
      );
  }
}

/** The next term the instructions ask for, checked against the catalog: its availability, term, billing cycle and seats. */
function planNextTerm(world: World, instructions: NextTermInstructions, autoRenewEnabled: boolean): ScheduledNextTerm {
  if (!autoRenewEnabled) throw badRequest('scheduledNextTermInstructions', 'require autoRenewEnabled to be true');
  const { product, quantity, customTermEndDate } = instructions;
  const availability = world.catalog.findAvailability(product.productId, product.skuId, product.availabilityId);
  if (!availability)
    throw notFound(
      400019,
      `Availability ${product.productId}:${product.skuId}:${product.availabilityId} of scheduledNextTermInstructions.product was not found.`,
    );
  const termDuration = product.termDuration as TermDuration;
  const billingCycle = product.billingCycle as BillingCycle;
  if (availability.termDuration !== termDuration)
    throw badRequest(
      'scheduledNextTermInstructions.product.termDuration',
      `must be ${availability.termDuration} for availability ${availability.id}`,
    );
  if (!billingCyclesFor(availability.sku, termDuration).includes(billingCycle))
    throw new ApiError(400, 900270, `The billing cycle ${billingCycle} is not valid for the term ${termDuration}.`);
  if (quantity < availability.sku.minimumQuantity || quantity > availability.sku.maximumQuantity) {
    throw new ApiError(
      400,
      2002,
      `The request is invalid: 'scheduledNextTermInstructions.quantity' ${quantity} is outside the allowed range ${availability.sku.minimumQuantity}..${availability.sku.maximumQuantity}.`,
    );
  }
  return {
    productId: availability.product.id,
    skuId: availability.sku.id,
    availabilityId: availability.id,
    termDuration,
    billingCycle,
    quantity,
    promotionId: product.promotionId,
    customTermEndDate,
  };
}
