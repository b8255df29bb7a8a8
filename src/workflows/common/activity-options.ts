import { ActivityCancellationType, proxyLocalActivities, type ActivityOptions } from '@temporalio/workflow';
import type { PurchaseActivities } from '../../activities';
import type { PurchaseSettings } from '../purchase/types';

/**
 * The worker's poll interval and deadlines (ORDER_POLL_INTERVAL, ORDER_VISIBILITY_DEADLINE, APPROVAL_TIMEOUT), read
 * through a local activity at the start of a run so they are recorded in history and replay the same.
 */
export const { getPurchaseSettings } = proxyLocalActivities<PurchaseActivities>({ startToCloseTimeout: '10s' });

/** One Partner Center call: transient errors retried with backoff; business errors arrive non-retryable. */
export const partnerCenterCall: ActivityOptions = {
  startToCloseTimeout: '2m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
  cancellationType: ActivityCancellationType.TRY_CANCEL,
};

/** A call retried only until the worker's deadline (ORDER_VISIBILITY_DEADLINE), e.g. while a subscription is busy. */
export function partnerCenterCallUntilDeadline(settings: PurchaseSettings): ActivityOptions {
  return { ...partnerCenterCall, scheduleToCloseTimeout: settings.orderVisibilityDeadlineMs };
}

/**
 * The retry policy is the poller: one attempt per ORDER_POLL_INTERVAL, no history growth however long it waits,
 * bounded by the deadline. The activity answers "not yet" with a BENIGN retryable failure.
 */
export function poller(settings: PurchaseSettings): ActivityOptions {
  return {
    startToCloseTimeout: '1m',
    scheduleToCloseTimeout: settings.orderVisibilityDeadlineMs,
    retry: { initialInterval: settings.orderPollIntervalMs, backoffCoefficient: 1, maximumInterval: settings.orderPollIntervalMs },
    cancellationType: ActivityCancellationType.TRY_CANCEL,
  };
}
