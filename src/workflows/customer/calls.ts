import { CancellationScope, condition, isCancellation, proxyActivities } from '@temporalio/workflow';
import type { CustomerActivities } from '../../activities';
import { lastAttempt } from '../common/activity-failures';
import { partnerCenterCall, poller } from '../common/activity-options';
import type { WorkerSettings } from '../common/settings';
import { ActivityFailure } from '@temporalio/workflow';

/** The onboarding's Partner Center and Graph calls, one activity each (transient faults retried, business errors not). */
export const calls = proxyActivities<CustomerActivities>(partnerCenterCall);

/** Polls of the onboarding's waits: the retry policy is the poller, up to `deadlineMs`. */
export function pollsUntil(settings: WorkerSettings, deadlineMs: number) {
  return proxyActivities<CustomerActivities>(poller(settings, Math.max(1, deadlineMs)));
}

/**
 * Waits for what `poll` polls (given how long it may still take), up to `timeoutMs`: a nudge (a Partner Center event's
 * signal) cancels the poll's pending retry and polls again at once. Undefined when the wait ran out of time.
 */
export async function waitNudged<T>(
  timeoutMs: number,
  nudges: () => number,
  poll: (remainingMs: number) => Promise<T>,
): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const seen = nudges();
    const scope = new CancellationScope();
    const polled = scope.run(() => poll(deadline - Date.now()));
    const nudged = new CancellationScope();
    void nudged
      .run(() => condition(() => nudges() > seen))
      .then(
        () => scope.cancel(),
        () => undefined,
      );
    try {
      return await polled;
    } catch (err) {
      if (isCancellation(err) && nudges() > seen && Date.now() < deadline) continue;
      if (err instanceof ActivityFailure && lastAttempt(err).timedOut) return undefined;
      throw err;
    } finally {
      nudged.cancel();
    }
  }
}
