import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import type { PurchaseActivities } from '../../../src/activities';
import { startPurchase, type PurchaseHandle, type PurchaseRequest } from '../../../src/client';
import { internalFailureTypes } from '../../../src/workflows/common/failure-types';
import type { OrderSummary, ResolvedItem } from '../../../src/workflows/purchase/types';
import type { WorkerSettings } from '../../../src/workflows/common/settings';
import type { StubRig } from '../../support/stub-worker';

/** What the purchase tests of this layer share: a request, activities that buy it, short settings. */

export const customerId = '4f1b9c7e-2d3a-4c5b-8e6f-0a1b2c3d4e5f';
export const basic = 'CFQ7TTC0LH18:0001:AAA';
export const basicRefreshed = 'CFQ7TTC0LH18:0001:BBB';
export const e3 = 'CFQ7TTC0LF8R:0001:AAA';

/** Seconds, not the production days: poll every 200 ms, give up on an order after 2 s, on an approval after 1 s. */
export const fast: WorkerSettings = {
  orderPollIntervalMs: 200,
  orderVisibilityDeadlineMs: 2_000,
  approvalTimeoutMs: 1_000,
};
/** For tests that act while the purchase waits: long enough that no deadline ends it first. */
export const patient: WorkerSettings = {
  orderPollIntervalMs: 200,
  orderVisibilityDeadlineMs: 30_000,
  approvalTimeoutMs: 30_000,
};

/** Two lines: 3 Business Basic seats named "Front desk" without auto-renew, 2 Office 365 E3 seats. */
export function request(extra: Partial<PurchaseRequest> = {}): PurchaseRequest {
  return {
    requestId: `stubbed-${randomUUID()}`,
    customerId,
    items: [
      {
        offer: { catalogItemId: basic },
        quantity: 3,
        termDuration: 'P1Y',
        billingCycle: 'monthly',
        autoRenew: false,
        friendlyName: 'Front desk',
      },
      { offer: { catalogItemId: e3 }, quantity: 2, termDuration: 'P1Y', billingCycle: 'monthly' },
    ],
    ...extra,
  };
}

/**
 * Activities that buy everything asked for: each cart becomes one order `order-of-<cart>` whose lines get
 * subscriptions `sub-<cart>-<line>`. A refreshed resolution picks the Business Basic offer's new availability.
 */
export function purchasing(settings: WorkerSettings = fast): PurchaseActivities {
  const carts = new Map<string, ResolvedItem[]>();
  const orderOf = (cartId: string, settled: boolean): OrderSummary => ({
    orderId: `order-of-${cartId}`,
    status: settled ? 'completed' : 'pending',
    lineItems: (carts.get(cartId) ?? []).map((item, line) => ({
      lineItemNumber: line,
      catalogItemId: item.catalogItemId,
      quantity: item.quantity,
      ...(settled ? { subscriptionId: `sub-${cartId}-${line}` } : {}),
    })),
  });
  const itemOf = (subscriptionId: string) => {
    const [, cartId, line] = /^sub-(.+)-(\d+)$/.exec(subscriptionId) ?? [];
    const item = carts.get(cartId ?? '')?.[Number(line)];
    if (item === undefined) throw new Error(`no subscription ${subscriptionId}`);
    return item;
  };
  const summaryOf = (subscriptionId: string, status: string, autoRenewEnabled: boolean) => {
    const item = itemOf(subscriptionId);
    return {
      id: subscriptionId,
      catalogItemId: item.catalogItemId,
      quantity: item.quantity,
      status,
      termDuration: item.termDuration,
      billingCycle: item.billingCycle,
      autoRenewEnabled,
    };
  };
  return {
    getPurchaseSettings: async () => settings,
    checkCustomerAgreement: async () => ({ outcome: 'on-record' }),
    confirmCustomerAgreement: async () => ({ outcome: 'confirmed' }),
    checkAddOnBases: async () => [],
    checkPurchasePromotions: async () => [],
    resolveCustomTermEndDates: async () => [],
    resolvePurchaseItems: async ({ items, refresh }) =>
      items.map((item, index) => {
        const catalogItemId =
          item.offer.catalogItemId === basic && refresh ? basicRefreshed : (item.offer.catalogItemId ?? '');
        const { quantity, termDuration, billingCycle, autoRenew, friendlyName } = item;
        return {
          item: index,
          catalogItemId,
          quantity,
          termDuration,
          billingCycle,
          autoRenew,
          ...(friendlyName !== undefined ? { friendlyName } : {}),
        };
      }),
    createPurchaseCart: async ({ items }) => {
      const cartId = `cart-${carts.size + 1}`;
      carts.set(cartId, items);
      return { cartId, lines: items.map(({ item, catalogItemId }) => ({ item, catalogItemId })), lineErrors: [] };
    },
    checkoutPurchaseCart: async ({ cartId }) => ({ orders: [orderOf(cartId, false)], orderErrors: [] }),
    awaitOrderCompletion: async ({ orderId }) => orderOf(orderId.replace(/^order-of-/, ''), true),
    provisionSubscription: async ({ subscriptionId, autoRenew }) => summaryOf(subscriptionId, 'active', autoRenew),
    cancelPurchasedSubscription: async ({ subscriptionId }) => ({
      cancellation: { subscriptionId, outcome: 'cancelled', detail: 'cancelled within the window' },
      subscription: summaryOf(subscriptionId, 'deleted', false),
    }),
  };
}

/** Partner Center's 400019 as the activities report it: non-retryable, for the workflow to re-resolve once. */
export const staleAvailability = () =>
  ApplicationFailure.create({
    type: internalFailureTypes.staleAvailability,
    message: 'HTTP 400 code 400019: availability not found',
    nonRetryable: true,
  });

/** Starts `purchase` the way upstream callers do, on the test's task queue. */
export function startOn(
  rig: StubRig,
  taskQueue: string,
  purchase: PurchaseRequest = request(),
): Promise<PurchaseHandle> {
  return startPurchase(rig.client, purchase, { taskQueue });
}
