import { createHash } from 'node:crypto';
import { z } from 'zod';
import { billingCyclesFor, type BillingCycle, type TermDuration } from '../catalog';
import { HOUR_MS, isoDate, isoTimestamp } from '../clock';
import { ApiError, badRequest, notFound } from '../errors';
import { collection, header, jsonBody, link, looseEnum, parseWith, queryValue } from '../http';
import { applyUpdate, refundableQuantity } from '../lifecycle';
import { customerOf, type ApiContext, type Route } from '../router';
import type { ScheduledNextTerm, Subscription, SubscriptionUpdate } from '../state';
import {
  eligibilities,
  eligibilityJson,
  startTransition,
  transitionInputSchema,
  transitionJson,
  type EligibilityType,
} from '../transitions';

/** Subscriptions (partner-center-api.md §6): reads, full-body PATCH with the new-commerce rules
 * (suspend/reactivate included), provisioning status, transitions (upgrades and trial conversions). */

export function subscriptionJson(s: Subscription, now: number): Record<string, unknown> {
  const base = `/customers/${s.customerId}/subscriptions/${s.id}`;
  const refundable = s.refundableBatches.filter((b) => b.allowedUntil >= now);
  const next = s.scheduledNextTerm;
  return {
    id: s.id,
    offerId: `${s.productId}:${s.skuId}:${s.availabilityId}`,
    offerName: s.offerName,
    friendlyName: s.friendlyName,
    productType: { id: 'OnlineServicesNCE', displayName: 'OnlineServicesNCE' },
    quantity: s.quantity,
    unitType: 'Licenses',
    creationDate: isoTimestamp(s.createdAt),
    effectiveStartDate: isoDate(s.termStart),
    commitmentEndDate: isoDate(s.commitmentEnd),
    commitmentEndDateTime: `${isoDate(s.commitmentEnd).slice(0, 10)}T23:59:59Z`,
    cancellationAllowedUntilDate: isoTimestamp(s.cancellationAllowedUntil),
    status: s.status,
    autoRenewEnabled: s.autoRenewEnabled,
    isTrial: s.isTrial,
    billingType: 'license',
    billingCycle: s.billingCycle,
    termDuration: s.termDuration,
    renewalTermDuration: s.isTrial || !s.autoRenewEnabled ? '' : s.termDuration,
    hasPurchasableAddons: !s.isTrial,
    isMicrosoftProduct: true,
    publisherName: 'Microsoft Corporation',
    partnerId: '',
    actions: s.status === 'active' ? ['edit', ...(now <= s.cancellationAllowedUntil ? ['cancel'] : [])] : [],
    suspensionReasons: s.status === 'suspended' ? ['PartnerInitiated'] : [],
    contractType: 'subscription',
    refundOptions: s.isTrial
      ? []
      : [
          { type: 'Full', expiresAt: isoTimestamp(s.termStart + 24 * HOUR_MS) },
          { type: 'Partial', expiresAt: isoTimestamp(s.cancellationAllowedUntil) },
        ],
    refundableQuantity: {
      totalQuantity: refundableQuantity(s, now),
      details: refundable.map((b) => ({ quantity: b.quantity, allowedUntilDateTime: isoTimestamp(b.allowedUntil) })),
    },
    ...(next
      ? {
          scheduledNextTermInstructions: {
            product: {
              productId: next.productId,
              skuId: next.skuId,
              availabilityId: next.availabilityId,
              billingCycle: next.billingCycle,
              termDuration: next.termDuration,
              ...(next.promotionId ? { promotionId: next.promotionId } : {}),
            },
            quantity: next.quantity,
            ...(next.customTermEndDate ? { customTermEndDate: next.customTermEndDate } : {}),
          },
        }
      : {}),
    ...(s.promotionId ? { promotionId: s.promotionId } : {}),
    orderId: s.orderId,
    attentionNeeded: false,
    actionTaken: false,
    links: {
      product: link(`/products/${s.productId}`),
      sku: link(`/products/${s.productId}/skus/${s.skuId}`),
      availability: link(`/products/${s.productId}/skus/${s.skuId}/availabilities/${s.availabilityId}`),
      self: link(base),
    },
    attributes: { objectType: 'Subscription', etag: s.etag },
  };
}

function subscriptionOf(ctx: ApiContext): Subscription {
  const customer = customerOf(ctx);
  const s = ctx.runtime.world.subscriptions.get(ctx.params.subscriptionId.toLowerCase());
  if (!s || s.customerId !== customer.id)
    throw notFound(800002, `Subscription ${ctx.params.subscriptionId} was not found.`);
  return s;
}

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

/** Checks a PATCH against the new-commerce rules and returns the state it leads to. */
function planUpdate(ctx: ApiContext, s: Subscription): SubscriptionUpdate {
  if (s.status === 'deleted' || s.status === 'expired' || s.status === 'disabled') {
    throw new ApiError(400, 900279, `Updates are no longer allowed for subscription ${s.id} in status ${s.status}.`);
  }
  const body = parseWith(patchSchema, jsonBody(ctx.rawBody));
  const { world } = ctx.runtime;
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
  const sku = world.catalog.findSku(s.productId, s.skuId);
  if (
    sku &&
    body.quantity !== s.quantity &&
    (body.quantity < sku.minimumQuantity || body.quantity > sku.maximumQuantity)
  ) {
    throw new ApiError(
      400,
      2002,
      `The request is invalid: 'quantity' ${body.quantity} is outside the allowed range ${sku.minimumQuantity}..${sku.maximumQuantity}.`,
    );
  }
  if (body.quantity !== s.quantity && s.status === 'suspended')
    throw new ApiError(400, 2001, 'The quantity of a suspended subscription cannot be changed.');
  if (s.isTrial && body.quantity !== s.quantity)
    throw new ApiError(400, 2002, "The request is invalid: 'quantity' of a trial subscription is fixed.");
  if (body.quantity < s.quantity) {
    const removable = refundableQuantity(s, ctx.now);
    if (removable === 0)
      throw new ApiError(
        400,
        900214,
        `You have passed your 168-hour window for reducing seats of subscription ${s.id}.`,
      );
    if (s.quantity - body.quantity > removable)
      throw new ApiError(
        400,
        800090,
        `Subscription quantity cannot be decreased by more than the ${removable} seats added in the last 168 hours.`,
      );
  }
  // Full-body semantics: an omitted autoRenewEnabled means false and omitted instructions are dropped.
  const autoRenewEnabled = body.autoRenewEnabled ?? false;
  let scheduledNextTerm: ScheduledNextTerm | undefined;
  // Suspension removes scheduled changes (subscription-lifecycle.md), whatever the body carries.
  if (body.scheduledNextTermInstructions && status !== 'suspended') {
    if (!autoRenewEnabled) throw badRequest('scheduledNextTermInstructions', 'require autoRenewEnabled to be true');
    const { product, quantity, customTermEndDate } = body.scheduledNextTermInstructions;
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
    scheduledNextTerm = {
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
  return {
    quantity: body.quantity,
    autoRenewEnabled,
    status,
    friendlyName: body.friendlyName ?? s.friendlyName,
    scheduledNextTerm,
  };
}

/** A stable GUID per SKU, like the provisioning status `skuId` (an Entra licence SKU id). */
function licenceSkuId(s: Subscription): string {
  const h = createHash('sha256').update(`${s.productId}:${s.skuId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

export const subscriptionRoutes: Route[] = [
  {
    method: 'GET',
    template: '/v1/customers/{customerId}/subscriptions',
    throttled: true,
    handle: (ctx) => {
      const customer = customerOf(ctx);
      const orderId = queryValue(ctx.url, 'order_id');
      const items = [...ctx.runtime.world.subscriptions.values()].filter(
        (s) => s.customerId === customer.id && (!orderId || s.orderId === orderId.toLowerCase()),
      );
      const self = `/customers/${customer.id}/subscriptions${orderId ? `?order_id=${orderId}` : ''}`;
      return {
        status: 200,
        body: collection(
          items.map((s) => subscriptionJson(s, ctx.now)),
          self,
        ),
      };
    },
  },
  {
    method: 'GET',
    template: '/v1/customers/{customerId}/subscriptions/{subscriptionId}',
    throttled: true,
    handle: (ctx) => ({ status: 200, body: subscriptionJson(subscriptionOf(ctx), ctx.now) }),
  },
  {
    method: 'PATCH',
    template: '/v1/customers/{customerId}/subscriptions/{subscriptionId}',
    throttled: true,
    handle: (ctx) => {
      const s = subscriptionOf(ctx);
      if (s.pendingUpdate)
        throw new ApiError(409, 800082, 'Subscription is not ready to be updated. Try again after sometime.');
      const ifMatch = header(ctx.headers, 'if-match');
      if (ifMatch !== undefined && ifMatch !== '*' && ifMatch.replace(/^W\//, '').replace(/"/g, '') !== s.etag) {
        throw new ApiError(412, 2055, 'Etag is no longer valid. Read the subscription again and retry.');
      }
      const update = planUpdate(ctx, s);
      const { world, delays } = ctx.runtime;
      if (delays.patchAcceptedMs > 0) {
        s.pendingUpdate = { until: ctx.now + delays.patchAcceptedMs, update };
        return { status: 202, headers: { Location: `/customers/${s.customerId}/subscriptions/${s.id}` } };
      }
      applyUpdate(world, s, update, ctx.now);
      return { status: 200, body: subscriptionJson(s, ctx.now) };
    },
  },
  {
    method: 'GET',
    template: '/v1/customers/{customerId}/subscriptions/{subscriptionId}/transitionEligibilities',
    throttled: true,
    handle: (ctx) => {
      const s = subscriptionOf(ctx);
      const type = parseWith(
        looseEnum(['immediate', 'scheduled']).default('immediate'),
        queryValue(ctx.url, 'eligibilityType'),
        'eligibilityType',
      ) as EligibilityType;
      const items = eligibilities(ctx.runtime.world, s, type, ctx.now).map((t) => eligibilityJson(s, t));
      return {
        status: 200,
        body: collection(items, `/customers/${s.customerId}/subscriptions/${s.id}/transitionEligibilities`),
      };
    },
  },
  {
    method: 'POST',
    template: '/v1/customers/{customerId}/subscriptions/{subscriptionId}/transitions',
    throttled: true,
    handle: (ctx) => {
      const s = subscriptionOf(ctx);
      const input = parseWith(transitionInputSchema, jsonBody(ctx.rawBody));
      const { world, delays } = ctx.runtime;
      return { status: 200, body: transitionJson(startTransition(world, s, input, ctx.now, delays)) };
    },
  },
  {
    method: 'GET',
    template: '/v1/customers/{customerId}/subscriptions/{subscriptionId}/transitions',
    throttled: true,
    handle: (ctx) => {
      const s = subscriptionOf(ctx);
      const operationId = queryValue(ctx.url, 'operation-id')?.toLowerCase();
      const items = [...ctx.runtime.world.transitions.values()].filter(
        (t) => t.fromSubscriptionId === s.id && (operationId === undefined || t.id === operationId),
      );
      return {
        status: 200,
        body: collection(items.map(transitionJson), `/customers/${s.customerId}/subscriptions/${s.id}/transitions`),
      };
    },
  },
  {
    method: 'GET',
    template: '/v1/customers/{customerId}/subscriptions/{subscriptionId}/provisioningstatus',
    throttled: true,
    appUserOnly: true,
    handle: (ctx) => {
      const s = subscriptionOf(ctx);
      const status =
        s.provisioning.forced ?? (s.pendingUpdate || ctx.now < s.provisioning.readyAt ? 'pending' : 'success');
      return {
        status: 200,
        body: {
          skuId: licenceSkuId(s),
          status,
          quantity: s.quantity,
          endDate: isoDate(s.commitmentEnd),
          attributes: { objectType: 'SubscriptionProvisioningStatus' },
        },
      };
    },
  },
];
