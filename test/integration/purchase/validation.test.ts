import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { randomUUID } from 'node:crypto';
import { purchaseStatusQuery } from '../../../src/client';
import { invalidPurchaseRequests } from '../../../tools/chaos/invalid-purchase-requests';
import { recordHistory, startRig, type PurchaseRig } from './harness';

let rig: PurchaseRig;
beforeAll(async () => {
  rig = await startRig();
});
afterAll(async () => {
  await rig?.close();
});

describe('purchaseSubscription refuses invalid requests', () => {
  it(`fails each of ${invalidPurchaseRequests.length} invalid requests with InvalidPurchaseRequest naming the field, before any activity`, async () => {
    expect(invalidPurchaseRequests.length).toBeGreaterThanOrEqual(20);
    await rig.withWorker(async ({ taskQueue }) => {
      const outcomes = await Promise.all(
        invalidPurchaseRequests.map(async ([name, input, field]) => {
          // Started directly: several of these requests have no usable requestId to derive the id from.
          const handle = await rig.client.workflow.start('purchaseSubscription', {
            taskQueue,
            workflowId: `invalid-${randomUUID()}`,
            args: [input],
          });
          const error = await handle.result().then(
            () => undefined,
            (e: unknown) => e,
          );
          const history = await handle.fetchHistory();
          const status = await handle.query(purchaseStatusQuery);
          if (name === 'misspelt item field') await recordHistory('purchase-invalid-request', handle);
          return { name, field, error, history, status };
        }),
      );
      for (const { name, field, error, history, status } of outcomes) {
        expect({ name, failed: error instanceof WorkflowFailedError }).toEqual({ name, failed: true });
        const cause = (error as WorkflowFailedError).cause;
        expect(cause).toBeInstanceOf(ApplicationFailure);
        expect({
          name,
          type: (cause as ApplicationFailure).type,
          nonRetryable: (cause as ApplicationFailure).nonRetryable,
        }).toEqual({
          name,
          type: 'InvalidPurchaseRequest',
          nonRetryable: true,
        });
        expect((cause as ApplicationFailure).message).toContain(field);
        // No activity ran, and the only markers are the recorded validation (its patch and its one local activity):
        // the settings local activity never ran and no Partner Center call was possible.
        const events = history.events ?? [];
        expect(events.some((e) => e.activityTaskScheduledEventAttributes)).toBe(false);
        const markers = events
          .filter((e) => e.markerRecordedEventAttributes)
          .map((e) => e.markerRecordedEventAttributes?.markerName);
        expect(markers).toEqual(['core_patch', 'core_local_activity']);
        // One workflow task, no failed task: validation never fails a task (which would retry forever).
        expect(events.some((e) => e.workflowTaskFailedEventAttributes)).toBe(false);
        expect(status.step).toBe('failed');
        expect(status.lastError).toContain(field);
      }
    });
  });
});
