import { proxyActivities } from '@temporalio/workflow';
import type { PurchaseActivities } from '../../activities';
import { partnerCenterCall, poller } from '../common/activity-options';
import { taskPriority } from '../common/priority';
import type { WorkerSettings } from '../common/settings';
import { rethrowOrderPolling, rethrowProvisioning } from './step-failures';
import type {
  CheckoutOutcome,
  OrderSummary,
  ProvisionSubscriptionInput,
  ResolvedItem,
  ValidPurchaseRequest,
} from './types';

/**
 * The activities the purchase schedules, each with the summary the Temporal UI shows for it. A poller's running out
 * of time becomes the contract failure here, where the order or subscription it waited for is known.
 */

/** The purchase's Partner Center calls, one activity each. */
export const calls = proxyActivities<PurchaseActivities>(partnerCenterCall);
/** Cart and checkout go first under the budget: what the customer waits on (the fairness key is the run's). */
const buying = proxyActivities<PurchaseActivities>({ ...partnerCenterCall, priority: taskPriority('checkout') });

function pollingActivities(settings: WorkerSettings) {
  return proxyActivities<PurchaseActivities>(poller(settings));
}

export function resolveItems(request: ValidPurchaseRequest, refresh: boolean): Promise<ResolvedItem[]> {
  const { country, segment, currency, items } = request;
  return calls.resolvePurchaseItems.executeWithOptions(
    { summary: `Resolve ${items.length} item(s) in the ${country} ${segment} catalog${refresh ? ' (re-read)' : ''}` },
    [{ country, segment, ...(currency !== undefined ? { currency } : {}), items, refresh }],
  );
}

export function createCart(customerId: string, items: ResolvedItem[]) {
  return buying.createPurchaseCart.executeWithOptions(
    { summary: `Create a cart of ${items.length} line(s) for customer ${customerId}` },
    [{ customerId, items }],
  );
}

/** Checkout of a recorded cart: retried with the same MS-RequestId, so a lost answer never buys twice. */
export function checkoutCart(customerId: string, cartId: string) {
  return buying.checkoutPurchaseCart.executeWithOptions({ summary: `Check out cart ${cartId}` }, [
    { customerId, cartId },
  ]);
}

/** Wait until every order is completed and names its subscriptions. */
export async function awaitOrders(
  customerId: string,
  checkout: CheckoutOutcome,
  settings: WorkerSettings,
): Promise<OrderSummary[]> {
  const poll = pollingActivities(settings);
  return Promise.all(
    checkout.orders.map(async ({ orderId }) => {
      try {
        return await poll.awaitOrderCompletion.executeWithOptions(
          {
            summary: `Wait until order ${orderId} is visible and completed (polled from every ${settings.orderPollIntervalMs} ms, growing to every ${settings.orderPollMaxIntervalMs ?? settings.orderPollIntervalMs} ms)`,
          },
          [{ customerId, orderId }],
        );
      } catch (err) {
        return rethrowOrderPolling(err, orderId, settings);
      }
    }),
  );
}

/** Wait until each subscription of the plan is active, then apply its autoRenew / friendlyName. */
export function provisionSubscriptions(plan: ProvisionSubscriptionInput[], settings: WorkerSettings) {
  const poll = pollingActivities(settings);
  return Promise.all(
    plan.map((p) =>
      poll.provisionSubscription
        .executeWithOptions(
          { summary: `Wait until subscription ${p.subscriptionId} is active, then apply its settings` },
          [p],
        )
        .catch((e: unknown) => rethrowProvisioning(e, p.subscriptionId)),
    ),
  );
}

export function cancelPurchasedSubscriptions(customerId: string, subscriptionIds: readonly string[], reason: string) {
  return Promise.all(
    subscriptionIds.map((subscriptionId) =>
      calls.cancelPurchasedSubscription.executeWithOptions(
        { summary: `Cancel subscription ${subscriptionId} (${reason})` },
        [{ customerId, subscriptionId }],
      ),
    ),
  );
}
