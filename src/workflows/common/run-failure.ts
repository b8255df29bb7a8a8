import { ActivityFailure, ApplicationFailure, TemporalFailure, isCancellation } from '@temporalio/workflow';
import { lastAttempt } from './activity-failures';

/** How a run ended, read once: the last attempt's failure of the activity that ended it, and whether it ran out of time. */
export interface RunEnd {
  last?: ApplicationFailure;
  timedOut: boolean;
}

/** A context's own ruling on how its run ended; what it leaves out follows the common rule. */
export interface EndRuling {
  type?: string;
  message?: string;
  /** The caller may try again (default: no). */
  retryable?: boolean;
}

/** How one context turns the failure that ended its run into the one its caller sees (beside its failure table). */
export interface RunFailurePolicy {
  /** The type of an activity's failure whose own type the caller may not see, or that has none. */
  fallbackType: string;
  /** The activity failure types the caller sees as they are; absent: every type an activity decided. */
  reportedTypes?: ReadonlySet<string>;
  /**
   * The context's ruling, or undefined for the common rule: an activity's last attempt ends the run with its type
   * and message, non-retryable, and a failure no activity decided ends it as it is.
   */
  rule?: (end: RunEnd) => EndRuling | undefined;
}

/**
 * The failure a run ends with, for each workflow's top-level catch to throw: the contract failure type itself (not
 * wrapped in an ActivityFailure), so callers read `failure.cause.type`. A failure the workflow decided and a
 * cancellation end it as they are. Anything not a Temporal failure is a bug: rethrown, it fails the workflow task,
 * which is retried once fixed.
 */
export function runFailure(err: unknown, policy: RunFailurePolicy): TemporalFailure {
  if (!(err instanceof TemporalFailure)) throw err;
  if (err instanceof ApplicationFailure || isCancellation(err)) return err;
  const end: RunEnd = err instanceof ActivityFailure ? lastAttempt(err) : { timedOut: false };
  const ruling = policy.rule?.(end);
  const { last } = end;
  if (ruling === undefined && last === undefined) return err;
  const own = last?.type ?? undefined;
  const reported = own !== undefined && (policy.reportedTypes?.has(own) ?? true);
  return ApplicationFailure.create({
    type: ruling?.type ?? (reported ? own : policy.fallbackType),
    message: ruling?.message ?? last?.message ?? err.message,
    details: last?.details ?? undefined,
    nonRetryable: !(ruling?.retryable ?? false),
    cause: err,
  });
}
