import {
  ServiceError,
  WorkflowFailedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import {
  ActivityFailure,
  ApplicationFailure,
  ChildWorkflowFailure,
  TemporalFailure,
  TimeoutFailure,
} from '@temporalio/common';

/** A command line the CLI cannot act on (exit 2): every problem, each naming its flag and the rule. */
export class UsageError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
    this.name = 'UsageError';
  }
}

/** A request the CLI could not carry out for a reason it knows (exit 1), with what to do next. */
export class CliFailure extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly details?: unknown,
    /** The line `pcw` prints, when it says more than the message (e.g. the failure type). */
    readonly line: string = message,
    /** The error behind it, whose stack --verbose prints. */
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'CliFailure';
  }
}

/** What `pcw` prints for a failure: `--json` carries it as `{ error: { type, message, details } }`. */
export interface FailureReport {
  type: string;
  message: string;
  details?: unknown;
}

/**
 * The failure that explains `error`: a workflow's or update's own ApplicationFailure (the cause chain, not the
 * client's "Workflow execution failed" wrapper), an activity's cause, or a timeout / cancellation / termination.
 */
export function failureReport(error: unknown): FailureReport {
  if (error instanceof UsageError) return { type: 'UsageError', message: error.message, details: error.problems };
  if (error instanceof CliFailure)
    return {
      type: error.type,
      message: error.message,
      ...(error.details !== undefined ? { details: error.details } : {}),
    };
  if (error instanceof WorkflowFailedError || error instanceof WorkflowUpdateFailedError) {
    if (error.cause !== undefined) return temporalFailure(error.cause);
    return { type: error.name, message: error.message };
  }
  if (error instanceof TemporalFailure) return temporalFailure(error);
  if (error instanceof WorkflowNotFoundError)
    return { type: 'NotFound', message: `no workflow with id ${error.workflowId}` };
  if (error instanceof ServiceError) return { type: 'TemporalError', message: error.cause?.message ?? error.message };
  return { type: (error as Error).name ?? 'Error', message: (error as Error).message ?? String(error) };
}

function temporalFailure(failure: Error): FailureReport {
  // Wrappers carry no reason of their own: the activity's or child's cause does.
  if ((failure instanceof ActivityFailure || failure instanceof ChildWorkflowFailure) && failure.cause !== undefined)
    return temporalFailure(failure.cause);
  if (failure instanceof ApplicationFailure) {
    const details = failure.details?.length === 1 ? failure.details[0] : failure.details;
    return {
      type: failure.type ?? 'ApplicationFailure',
      message: failure.message,
      ...(details !== undefined && (!Array.isArray(details) || details.length > 0) ? { details } : {}),
    };
  }
  if (failure instanceof TimeoutFailure) return { type: 'Timeout', message: failure.message };
  return { type: failure.name, message: failure.message };
}

/** Exit status of an error: 2 for a usage error (nothing was attempted), 1 for every other failure. */
export function exitCodeOf(error: unknown): number {
  return error instanceof UsageError || String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS') ? 2 : 1;
}
