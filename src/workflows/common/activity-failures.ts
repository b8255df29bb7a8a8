import {
  ActivityFailure,
  ApplicationFailure,
  DefaultFailureConverter,
  defaultPayloadConverter,
  RetryState,
  TimeoutFailure,
} from '@temporalio/common';

const failureConverter = new DefaultFailureConverter();

/** What `err` says happened: the failure an activity failure wraps (its last attempt's), else `err` itself. */
export function failureCause(err: Error): Error {
  return err instanceof ActivityFailure && err.cause !== undefined ? err.cause : err;
}

/**
 * The ApplicationFailure that decided `err` — `err` itself, or the one its activity's last attempt threw — where the
 * fact was known. Undefined for anything else: a timeout, a cancellation, a bug.
 */
export function applicationCause(err: unknown): ApplicationFailure | undefined {
  const cause = err instanceof Error ? failureCause(err) : undefined;
  return cause instanceof ApplicationFailure ? cause : undefined;
}

/**
 * What an activity's final failure says: whether it ran out of time, and its last attempt's ApplicationFailure.
 * The server reports a deadline either as a TimeoutFailure wrapping the last attempt's failure or — when it stops
 * retrying because the next attempt would pass the deadline — as that failure itself with retry state TIMEOUT.
 */
export function lastAttempt(err: ActivityFailure): { timedOut: boolean; last?: ApplicationFailure } {
  const timeout = err.cause instanceof TimeoutFailure;
  const failure = err.cause instanceof TimeoutFailure ? causeOfTimeout(err.cause) : err.cause;
  return {
    timedOut: timeout || err.retryState === RetryState.TIMEOUT,
    ...(failure instanceof ApplicationFailure ? { last: failure } : {}),
  };
}

/**
 * The SDK (1.24) rebuilds a TimeoutFailure without its cause, though the server sent the last attempt's failure
 * with it: read it from the raw failure the error keeps.
 */
function causeOfTimeout(timeout: TimeoutFailure): Error | undefined {
  if (timeout.cause !== undefined) return timeout.cause;
  const raw = timeout.failure?.cause;
  return raw ? failureConverter.failureToError(raw, defaultPayloadConverter) : undefined;
}
