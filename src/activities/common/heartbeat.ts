import { Context } from '@temporalio/activity';

/**
 * How often an activity heartbeats while it waits on Partner Center. Well inside the workflows' `heartbeatTimeout`
 * (src/workflows/common/activity-options.ts), so one late beat (a busy event loop) does not fail a live attempt;
 * the SDK throttles what it sends to the server anyway.
 */
export const HEARTBEAT_INTERVAL_MS = 5_000;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- activities take any arguments
type Activity = (...args: any[]) => Promise<unknown>;

/**
 * The same activities, each heartbeating every `intervalMs` while it runs. A worker killed mid-call stops
 * heartbeating, so the server retries the attempt elsewhere after the heartbeat timeout (~20 s) instead of the
 * start-to-close timeout, which must cover a whole call (token, request, refresh, repeat: up to 2 minutes).
 * Heartbeats carry no details: not for activities that checkpoint in them (billing), nor local activities.
 */
export function withHeartbeats<A extends Record<string, Activity>>(
  activities: A,
  intervalMs = HEARTBEAT_INTERVAL_MS,
): A {
  const wrapped: Record<string, Activity> = {};
  for (const [name, activity] of Object.entries(activities)) {
    wrapped[name] = async (...args: unknown[]) => {
      const context = Context.current();
      const timer = setInterval(() => context.heartbeat(), intervalMs);
      try {
        return await activity(...args);
      } finally {
        clearInterval(timer);
      }
    };
  }
  return wrapped as A;
}
