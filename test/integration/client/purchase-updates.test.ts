import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import {
  approvePurchase,
  cancelPurchase,
  getPurchase,
  PurchaseAlreadyFinishedError,
  PurchaseUpdateRejectedError,
  rejectPurchase,
} from '../../../src/client';
import { startStubRig, type StubRig } from '../../support/stub-worker';
import { untilStep } from '../purchase/harness';
import { patient, purchasing, request, startOn } from '../purchase/workflow-stubs';

/**
 * The client's purchase decisions (approvePurchase, rejectPurchase, cancelPurchase) against the real workflow on
 * the dev server, its activities stubbed: the typed errors the HTTP API and `pcw` translate into their own shapes.
 */

let rig: StubRig;
beforeAll(async () => {
  rig = await startStubRig();
});
afterAll(async () => {
  await rig?.close();
});

describe('purchase updates through the client', () => {
  it('approves a waiting purchase; a refused update and an update of a finished purchase throw typed errors', async () => {
    await rig.withWorker(purchasing(patient), async (taskQueue) => {
      const purchase = request({ requireApproval: true });
      const { requestId } = purchase;
      const handle = await startOn(rig, taskQueue, purchase);
      await untilStep(handle, 'awaiting-approval');

      // The workflow's validator refuses a blank reason: a plain Error, reported as UpdateRejected.
      const refused = await rejectPurchase(rig.client, requestId, { by: 'bob', reason: ' ' }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(PurchaseUpdateRejectedError);
      expect(refused).toMatchObject({
        type: 'UpdateRejected',
        requestId,
        update: 'reject',
        message: expect.stringMatching(new RegExp(`^purchase ${requestId}: reject refused: reason must say why`)),
      });
      expect((refused as Error).cause).toBeInstanceOf(WorkflowUpdateFailedError);

      const approved = await approvePurchase(rig.client, requestId, { by: 'ann' });
      expect(approved).toMatchObject({ step: 'awaiting-approval', orderIds: [] });
      const result = await getPurchase(rig.client, requestId).result();
      expect(result.status).toBe('completed');

      const late = await cancelPurchase(rig.client, requestId, { reason: 'too late' }).catch((e: unknown) => e);
      expect(late).toBeInstanceOf(PurchaseAlreadyFinishedError);
      const finished = late as PurchaseAlreadyFinishedError;
      expect(finished).toMatchObject({
        type: 'AlreadyFinished',
        message: `purchase ${requestId} is already finished (completed); there is nothing to cancel`,
        requestId,
        update: 'cancel',
        step: 'completed',
        closedAt: expect.stringMatching(/^20\d\d-/),
        details: { step: 'completed', closedAt: finished.closedAt },
      });
      expect(finished.result?.subscriptions.map((s) => s.id)).toEqual(result.subscriptions.map((s) => s.id));
    });
  });

  it('throws WorkflowNotFoundError for a request id no purchase has', async () => {
    await expect(approvePurchase(rig.client, `never-${randomUUID()}`, { by: 'ann' })).rejects.toBeInstanceOf(
      WorkflowNotFoundError,
    );
  });
});
