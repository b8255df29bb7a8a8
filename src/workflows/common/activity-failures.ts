import { ActivityFailure, ApplicationFailure, RetryState, TimeoutFailure } from '@temporalio/common';

/**
 * What an activity's final failure says: whether it ran out of time, and its last attempt's ApplicationFailure.
 * The server reports a deadline either as a TimeoutFailure wrapping the last attempt's failure or — when it stops
 * retrying because the next attempt would pass the deadline — as that failure itself with retry state TIMEOUT.
 */
export function lastAttempt(err: ActivityFailure): { timedOut: boolean; last?: ApplicationFailure } {
  const timeout = err.cause instanceof TimeoutFailure;
  const failure = timeout ? err.cause.cause : err.cause;
  return {
    timedOut: timeout || err.retryState === RetryState.TIMEOUT,
    ...(failure instanceof ApplicationFailure ? { last: failure } : {}),
  };
}
