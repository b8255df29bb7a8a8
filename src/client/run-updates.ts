import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { failureReport, RunFailure } from './failures';
import { viewRun, type Run, type RunView } from './runs';

// Sending an update to a running workflow, written once for every workflow an operator steers (purchases'
// approve/reject/cancel, lifecycles' approvePlan/rejectPlan/setPolicy) and shared by the HTTP API and `pcw`.

/** An update of a run that has ended: there is nothing left to decide. */
export class RunAlreadyFinishedError extends RunFailure {
  /** How the run ended: completed, partial, failed, cancelled… */
  readonly step: string;
  readonly closedAt?: string;

  constructor(
    readonly update: string,
    readonly view: RunView,
  ) {
    super('AlreadyFinished', `${view.label} is already finished (${view.step}); there is nothing to ${update}`, {
      step: view.step,
      closedAt: view.closedAt,
    });
    this.name = 'RunAlreadyFinishedError';
    this.step = view.step;
    this.closedAt = view.closedAt;
  }
}

/**
 * An update the running workflow refused (its validator): `type` is the refusal's failure type (e.g.
 * `NoPlanWaiting`), `UpdateRejected` when the validator threw a plain Error; `details` its details.
 */
export class RunUpdateRejectedError extends RunFailure {
  constructor(
    readonly label: string,
    readonly update: string,
    error: WorkflowUpdateFailedError,
  ) {
    const report = failureReport(error);
    // A validator's plain Error arrives as type "Error": what matters is that the workflow refused the update.
    const type = report.type === 'Error' ? 'UpdateRejected' : report.type;
    super(type, `${label}: ${update} refused: ${report.message}`, report.details, undefined, error);
    this.name = 'RunUpdateRejectedError';
  }
}

/** How a context tells its callers that a run has ended or refused: its own error classes, which say more. */
export interface UpdateRefusals {
  finished: (view: RunView) => Error;
  rejected: (error: WorkflowUpdateFailedError) => Error;
}

/**
 * Sends `update` to `run`. Throws WorkflowNotFoundError when there is no such run, `finished(view)` when it has
 * ended — also when it ended while the update was on its way —, and `rejected(error)` when the workflow refused it.
 */
export async function updateRun<T>(
  client: Client,
  run: Run,
  update: string,
  send: (run: Run) => Promise<T>,
  refusals: UpdateRefusals = {
    finished: (view) => new RunAlreadyFinishedError(update, view),
    rejected: (error) => new RunUpdateRejectedError(run.label, update, error),
  },
): Promise<T> {
  const refuseFinished = async () => {
    const view = await viewRun(client, run);
    if (view.execution !== 'RUNNING') throw refusals.finished(view);
  };
  await refuseFinished();
  try {
    return await send(run);
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError) throw refusals.rejected(error);
    await refuseFinished();
    throw error;
  }
}
