import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import {
  approvePurchaseUpdate,
  cancelPurchaseUpdate,
  purchaseWorkflowId,
  rejectPurchaseUpdate,
  type ApproveArgs,
  type CancelAcknowledgement,
  type CancelArgs,
  type PurchaseResult,
  type PurchaseStatus,
  type RejectArgs,
} from '../workflows/purchase/api';
import { failureReport, RunFailure } from './failures';
import { runOf, viewRun, type Run, type RunView } from './runs';

// The decisions an operator takes on a running purchase, written once for the HTTP API and `pcw`.

export type PurchaseUpdateName = 'approve' | 'reject' | 'cancel';

/** An update of a purchase that has ended: there is nothing left to approve, reject or cancel. */
export class PurchaseAlreadyFinishedError extends RunFailure {
  /** How the purchase ended: completed, partial, failed, cancelled… */
  readonly step: string;
  readonly closedAt?: string;
  /** What it bought, when it completed: a caller may point at its subscriptions instead. */
  readonly result?: PurchaseResult;

  constructor(
    readonly requestId: string,
    readonly update: PurchaseUpdateName,
    view: RunView,
  ) {
    super(
      'AlreadyFinished',
      `purchase ${requestId} is already finished (${view.step}); there is nothing to ${update}`,
      { step: view.step, closedAt: view.closedAt },
    );
    this.name = 'PurchaseAlreadyFinishedError';
    this.step = view.step;
    this.closedAt = view.closedAt;
    this.result = view.result as PurchaseResult | undefined;
  }
}

/**
 * An update the running purchase refused (its validator, e.g. approving a purchase not awaiting approval): `type`
 * is the refusal's failure type, `UpdateRejected` when the validator threw a plain Error; `details` its details.
 */
export class PurchaseUpdateRejectedError extends RunFailure {
  constructor(
    readonly requestId: string,
    readonly update: PurchaseUpdateName,
    error: WorkflowUpdateFailedError,
  ) {
    const report = failureReport(error);
    // A validator's plain Error arrives as type "Error": what matters is that the workflow refused the update.
    const type = report.type === 'Error' ? 'UpdateRejected' : report.type;
    super(type, `purchase ${requestId}: ${update} refused: ${report.message}`, report.details, undefined, error);
    this.name = 'PurchaseUpdateRejectedError';
  }
}

/** Approves the purchase of `requestId` waiting in step awaiting-approval; answers its status. */
export function approvePurchase(client: Client, requestId: string, args: ApproveArgs): Promise<PurchaseStatus> {
  return updatePurchase(client, requestId, 'approve', (run) =>
    run.handle.executeUpdate(approvePurchaseUpdate, { args: [args] }),
  );
}

/** Rejects the purchase of `requestId` waiting in step awaiting-approval: it fails Rejected, nothing is bought. */
export function rejectPurchase(client: Client, requestId: string, args: RejectArgs): Promise<PurchaseStatus> {
  return updatePurchase(client, requestId, 'reject', (run) =>
    run.handle.executeUpdate(rejectPurchaseUpdate, { args: [args] }),
  );
}

/** Cancels the purchase of `requestId`: before checkout nothing is bought, after it what it bought is cancelled. */
export function cancelPurchase(client: Client, requestId: string, args: CancelArgs): Promise<CancelAcknowledgement> {
  return updatePurchase(client, requestId, 'cancel', (run) =>
    run.handle.executeUpdate(cancelPurchaseUpdate, { args: [args] }),
  );
}

/**
 * Sends an update to the running purchase of `requestId`. Throws WorkflowNotFoundError when there is none,
 * PurchaseAlreadyFinishedError when it has ended (also when it ended while the update was on its way), and
 * PurchaseUpdateRejectedError when the workflow refused the update.
 */
async function updatePurchase<T>(
  client: Client,
  requestId: string,
  update: PurchaseUpdateName,
  send: (run: Run) => Promise<T>,
): Promise<T> {
  const run = runOf('purchase', purchaseWorkflowId(requestId), client);
  await refuseFinished(client, run, requestId, update);
  try {
    return await send(run);
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError) throw new PurchaseUpdateRejectedError(requestId, update, error);
    await refuseFinished(client, run, requestId, update);
    throw error;
  }
}

async function refuseFinished(client: Client, run: Run, requestId: string, update: PurchaseUpdateName): Promise<void> {
  const view = await viewRun(client, run);
  if (view.execution !== 'RUNNING') throw new PurchaseAlreadyFinishedError(requestId, update, view);
}
