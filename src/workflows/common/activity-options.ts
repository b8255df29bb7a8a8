import { ActivityCancellationType, proxyLocalActivities, type ActivityOptions } from '@temporalio/workflow';
import type { PurchaseActivities } from '../../activities';
import type { WorkerSettings } from './settings';

/**
 * The worker's settings, read through a local activity at the start of a run so they are recorded in history and
 * replay the same. Registered as `getPurchaseSettings`: that name is in every recorded history, so it stays.
 */
export const { getPurchaseSettings: getWorkerSettings } = proxyLocalActivities<PurchaseActivities>({ startToCloseTimeout: '10s' });

/** One Partner Center call: transient errors retried with backoff; business errors arrive non-retryable. */
export const partnerCenterCall: ActivityOptions = {
  startToCloseTimeout: '2m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
  cancellationType: ActivityCancellationType.TRY_CANCEL,
};

/** A call retried only until `deadlineMs`, e.g. while a subscription is busy. */
export function partnerCenterCallUntilDeadline(deadlineMs: number): ActivityOptions {
  return { ...partnerCenterCall, scheduleToCloseTimeout: deadlineMs };
}

/**
 * The retry policy is the poller: one attempt per ORDER_POLL_INTERVAL, no history growth however long it waits,
 * bounded by the deadline (ORDER_VISIBILITY_DEADLINE unless given). The activity answers "not yet" with a BENIGN retryable failure.
 */
export function poller(settings: WorkerSettings, deadlineMs = settings.orderVisibilityDeadlineMs): ActivityOptions {
  return {
    startToCloseTimeout: '1m',
    scheduleToCloseTimeout: deadlineMs,
    retry: { initialInterval: settings.orderPollIntervalMs, backoffCoefficient: 1, maximumInterval: settings.orderPollIntervalMs },
    cancellationType: ActivityCancellationType.TRY_CANCEL,
  };
}
