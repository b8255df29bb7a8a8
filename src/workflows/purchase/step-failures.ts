import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
import { applicationCause, lastAttempt } from '../common/activity-failures';
import { internalFailureTypes } from '../common/failure-types';
import type { WorkerSettings } from '../common/settings';
import { purchaseFailureTypes } from './failures';
import type { CartOutcome, CheckoutOutcome } from './types';

/**
 * The contract failures the purchase's steps end with, built from what the activities reported: each names the
 * fact the step knew when it gave up (no order, no approval, a poller out of time, an offer that keeps changing).
 */

/** Stale again after the one re-read: the offer keeps changing under us, so it cannot be bought now. */
export function offerKeepsChanging(err: unknown): never {
  const stale = err instanceof ActivityFailure ? applicationCause(err) : undefined;
  if (stale?.type !== internalFailureTypes.staleAvailability) throw err;
  throw ApplicationFailure.create({
    type: purchaseFailureTypes.offerNotPurchasable,
    message: stale.message,
    details: stale.details ?? undefined,
    nonRetryable: true,
    cause: err as ActivityFailure,
  });
}

export function checkoutProducedNoOrder(cart: CartOutcome, checkout: CheckoutOutcome): ApplicationFailure {
  return ApplicationFailure.create({
    type: purchaseFailureTypes.checkoutRejected,
    message: `Checkout of cart ${cart.cartId} produced no order: ${checkout.orderErrors.map((e) => `${e.code} ${e.description}`).join('; ')}`,
    details: [{ cartId: cart.cartId, orderErrors: checkout.orderErrors }],
    nonRetryable: true,
  });
}

export function noApprovalInTime(settings: WorkerSettings): ApplicationFailure {
  return ApplicationFailure.create({
    type: purchaseFailureTypes.rejected,
    message: `No approval within ${Math.round(settings.approvalTimeoutMs / 1000)}s`,
    details: [{ timedOut: true }],
    nonRetryable: true,
  });
}

export function rejectedBy(by: string, reason: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: purchaseFailureTypes.rejected,
    message: `Rejected by ${by}: ${reason}`,
    details: [{ by, reason }],
    nonRetryable: true,
  });
}

/** An order poller that ran out of time: the order never showed up, or never completed. */
export function rethrowOrderPolling(err: unknown, orderId: string, settings: WorkerSettings): never {
  const timedOut = pollerTimedOut(err);
  if (timedOut === undefined) throw err;
  const { last } = timedOut;
  throw ApplicationFailure.create({
    type: purchaseFailureTypes.orderNotVisible,
    message: `Order ${orderId} not ${last?.type === internalFailureTypes.orderPending ? 'completed' : 'visible'} within ${Math.round(settings.orderVisibilityDeadlineMs / 1000)}s${last !== undefined ? ` (last: ${last.message})` : ''}`,
    details: [{ orderId }],
    nonRetryable: true,
    cause: err as ActivityFailure,
  });
}

export function rethrowProvisioning(err: unknown, subscriptionId: string): never {
  const timedOut = pollerTimedOut(err);
  if (timedOut === undefined) throw err;
  throw ApplicationFailure.create({
    type: purchaseFailureTypes.provisioningFailed,
    message: `Subscription ${subscriptionId} did not become active in time${timedOut.last !== undefined ? ` (last: ${timedOut.last.message})` : ''}`,
    details: [{ subscriptionId }],
    nonRetryable: true,
    cause: err as ActivityFailure,
  });
}

/** A poller that ran out of time, with its last "not yet" answer. */
function pollerTimedOut(err: unknown): { last?: ApplicationFailure } | undefined {
  if (!(err instanceof ActivityFailure)) return undefined;
  const { timedOut, last } = lastAttempt(err);
  return timedOut ? { last } : undefined;
}
