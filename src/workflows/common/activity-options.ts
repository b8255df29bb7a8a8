import { ActivityCancellationType, patched, proxyLocalActivities, type ActivityOptions } from '@temporalio/workflow';
import type { PurchaseActivities, ValidationActivities } from '../../activities';
import { taskPriority } from './priority';
import type { WorkerSettings } from './settings';

/**
 * The worker's settings, read through a local activity at the start of a run so they are recorded in history and
 * replay the same. Registered as `getPurchaseSettings`: that name is in every recorded history, so it stays.
 */
export const { getPurchaseSettings: getWorkerSettings } = proxyLocalActivities<PurchaseActivities>({
  startToCloseTimeout: '10s',
});

/** Input validation as local activities, so the normalised request a run works on is recorded in its history. */
export const recordedValidation = proxyLocalActivities<ValidationActivities>({ startToCloseTimeout: '10s' });

/**
 * Whether this run records its validation (every run started since it does). Runs recorded before validated in
 * workflow code, and keep doing so on replay.
 */
export function validationIsRecorded(): boolean {
  return patched('validation-recorded');
}

/**
 * How long the server waits for a heartbeat before it gives an attempt up and retries it on another worker. The
 * Partner Center activities heartbeat every 5 s while they wait on HTTP (src/activities/common/heartbeat.ts), so a
 * killed worker's call is retried ~20 s after its last beat, while start-to-close stays sized for a slow call.
 */
const HEARTBEAT_TIMEOUT = '20s';

/**
 * One Partner Center call: transient errors retried with backoff; business errors arrive non-retryable.
 * Start-to-close covers the client's worst case (src/partner-center/client.ts, auth.ts, 30 s each): a token from the
 * authority, the request, and after a 401 a forced refresh and one repeat, 4 × 30 s = 2 minutes.
 * Backoff stops growing at 20 s: a call whose worker died waits the heartbeat timeout plus that interval before it
 * runs again (≤ 45 s at any attempt; with 1 m, chaos saw 79.5 s). A 429 waits its Retry-After instead, and the
 * server-side rate budget bounds what faster retries can cost Partner Center.
 */
export const partnerCenterCall: ActivityOptions = {
  startToCloseTimeout: '2m',
  heartbeatTimeout: HEARTBEAT_TIMEOUT,
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '20s' },
  cancellationType: ActivityCancellationType.TRY_CANCEL,
};

/** A call retried only until `deadlineMs`, e.g. while a subscription is busy. */
export function partnerCenterCallUntilDeadline(deadlineMs: number): ActivityOptions {
  return { ...partnerCenterCall, scheduleToCloseTimeout: deadlineMs };
}

/**
 * How much the wait between two polls grows after each "not yet", from ORDER_POLL_INTERVAL up to
 * ORDER_POLL_MAX_INTERVAL. With the defaults (15 s → 210 s) the waits are 15 s, 60 s, 210 s, then 210 s, so polls
 * come at 0, 15, 75, 285, 495, 705, 915 s, … and then every 3.5 minutes:
 * - the lag (an order that shows just after a poll is seen at the next one): at most 15 s in the first 15 s, 60 s
 *   until 75 s, and 210 s after that — never more than 3.5 minutes (with the former 5-minute ceiling: 5);
 * - a 15-minute wait: 7 polls (0 … 915 s); with a purchase's five other requests (agreement, cart, checkout, two
 *   subscription reads, as the sandbox counts them) 12, the target;
 * - a 2-hour wait: 37 polls (42 requests; the 5-minute ceiling made 27). A lag bound of L costs a long wait about
 *   one poll per L, so a 2-hour wait in 27 polls needs the 5-minute ceiling.
 * 210 s is the lowest ceiling that keeps the 15-minute wait at 7 polls (with any coefficient from 3 to 6; ×2 ramps
 * too slowly and needs 8): test/unit/common/polling.test.ts.
 */
const POLL_BACKOFF_COEFFICIENT = 4;

/**
 * The retry policy is the poller: no history growth however long it waits (retries add no events), bounded by the
 * deadline (ORDER_VISIBILITY_DEADLINE unless given). The activity answers "not yet" with a BENIGN retryable failure.
 * Settings recorded before ORDER_POLL_MAX_INTERVAL existed keep the constant ORDER_POLL_INTERVAL they ran with.
 *
 * Polls go behind buying under the one budget (task priority), so a thousand waiting purchases never delay the calls
 * of one being bought (src/worker.ts). Runs that recorded a poll queue (`settings.pollTaskQueue`, `<queue>-polls`)
 * keep polling there; the queue is a recorded setting, so no patch is needed either way.
 */
export function poller(settings: WorkerSettings, deadlineMs = settings.orderVisibilityDeadlineMs): ActivityOptions {
  const { orderPollIntervalMs, pollTaskQueue } = settings;
  return {
    ...(pollTaskQueue !== undefined ? { taskQueue: pollTaskQueue } : {}),
    priority: taskPriority('background'),
    startToCloseTimeout: '1m',
    heartbeatTimeout: HEARTBEAT_TIMEOUT,
    scheduleToCloseTimeout: deadlineMs,
    retry: {
      initialInterval: orderPollIntervalMs,
      backoffCoefficient: POLL_BACKOFF_COEFFICIENT,
      maximumInterval: settings.orderPollMaxIntervalMs ?? orderPollIntervalMs,
    },
    cancellationType: ActivityCancellationType.TRY_CANCEL,
  };
}
