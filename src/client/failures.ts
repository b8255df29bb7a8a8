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

/**
 * A request about a run that could not be carried out for a reason the caller knows (not found, already
 * finished, no worker answering), with what to do next. `pcw` exits 1 with it; the HTTP API answers with its type.
 */
export class RunFailure extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly details?: unknown,
    /** The one line a command line prints, when it says more than the message (e.g. the failure type). */
    readonly line: string = message,
    /** The error behind it, whose stack `pcw --verbose` prints. */
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'RunFailure';
  }
}

/** How a run or a request about it failed: `pcw --json` and the HTTP API carry it as `{ type, message, details }`. */
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
  if (error instanceof RunFailure)
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
