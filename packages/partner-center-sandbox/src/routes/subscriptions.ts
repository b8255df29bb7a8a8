import { createHash } from 'node:crypto';
import { HOUR_MS, isoDate, isoTimestamp } from '../clock';
import { ApiError, notFound } from '../errors';
import { collection, header, jsonBody, link, looseEnum, parseWith, queryValue } from '../http';
import { applyUpdate, refundableQuantity } from '../lifecycle';
import { customerOf, type ApiContext, type Route } from '../router';
import type { ScheduledNextTerm, Subscription } from '../state';
import {
  eligibilities,
  eligibilityJson,
  startTransition,
  transitionInputSchema,
  transitionJson,
  type EligibilityType,
} from '../transitions';
import { planUpdate } from './subscription-patch';

/** Subscriptions (partner-center-api.md §6): reads, full-body PATCH with the new-commerce rules
 * (suspend/reactivate included, subscription-patch.ts), provisioning status, transitions (upgrades and trial conversions). */

export function subscriptionJson(s: Subscription, now: number): Record<string, unknown> {
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
    ...refundJson(s, now),
    ...(s.scheduledNextTerm ? { scheduledNextTermInstructions: nextTermJson(s.scheduledNextTerm) } : {}),
    ...(s.promotionId ? { promotionId: s.promotionId } : {}),
    orderId: s.orderId,
    attentionNeeded: false,
    actionTaken: false,
    links: {
      product: link(`/products/${s.productId}`),
      sku: link(`/products/${s.productId}/skus/${s.skuId}`),
      availability: link(`/products/${s.productId}/skus/${s.skuId}/availabilities/${s.availabilityId}`),
      self: link(`/customers/${s.customerId}/subscriptions/${s.id}`),
    },
    attributes: { objectType: 'Subscription', etag: s.etag },
  };
}

/** The refunds a subscription still allows: full within a day of its term start, partial within the
 * cancellation window, and the seats added recently enough to be removed. */
function refundJson(s: Subscription, now: number): Record<string, unknown> {
  const refundable = s.refundableBatches.filter((b) => b.allowedUntil >= now);
  return {
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
  };
}

function nextTermJson(next: ScheduledNextTerm): Record<string, unknown> {
  return {
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
  };
}

function subscriptionOf(ctx: ApiContext): Subscription {
  const customer = customerOf(ctx);
  const s = ctx.runtime.world.subscriptions.get(ctx.params.subscriptionId.toLowerCase());
  if (!s || s.customerId !== customer.id)
    throw notFound(800002, `Subscription ${ctx.params.subscriptionId} was not found.`);
  return s;
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
      const transition = startTransition(world, s, input, ctx.now, delays);
      return { status: 200, body: transitionJson(transition, ctx.runtime.policy.transitionEvents) };
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
        body: collection(
          items.map((t) => transitionJson(t, ctx.runtime.policy.transitionEvents)),
          `/customers/${s.customerId}/subscriptions/${s.id}/transitions`,
        ),
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
