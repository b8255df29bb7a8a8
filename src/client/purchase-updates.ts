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
import { RunAlreadyFinishedError, RunUpdateRejectedError, updateRun } from './run-updates';
import { runOf, type Run, type RunView } from './runs';

// The decisions an operator takes on a running purchase, written once for the HTTP API and `pcw`.

export type PurchaseUpdateName = 'approve' | 'reject' | 'cancel';

/** An update of a purchase that has ended: there is nothing left to approve, reject or cancel. */
export class PurchaseAlreadyFinishedError extends RunAlreadyFinishedError {
  /** What it bought, when it completed: a caller may point at its subscriptions instead. */
  readonly result?: PurchaseResult;

  constructor(
    readonly requestId: string,
    override readonly update: PurchaseUpdateName,
    view: RunView,
  ) {
    super(update, view);
    this.name = 'PurchaseAlreadyFinishedError';
    this.result = view.result as PurchaseResult | undefined;
  }
}

/** An update the running purchase refused (its validator, e.g. approving a purchase not awaiting approval). */
export class PurchaseUpdateRejectedError extends RunUpdateRejectedError {
  constructor(
    readonly requestId: string,
    override readonly update: PurchaseUpdateName,
    error: WorkflowUpdateFailedError,
  ) {
    super(`purchase ${requestId}`, update, error);
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

/** updateRun with the purchase's own errors, which carry its request id (and, when it ended, what it bought). */
async function updatePurchase<T>(
  client: Client,
  requestId: string,
  update: PurchaseUpdateName,
  send: (run: Run) => Promise<T>,
): Promise<T> {
  return updateRun(client, runOf('purchase', purchaseWorkflowId(requestId), client), update, send, {
    finished: (view) => new PurchaseAlreadyFinishedError(requestId, update, view),
    rejected: (error) => new PurchaseUpdateRejectedError(requestId, update, error),
  });
}
