import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  InvalidReconcileRequestError,
  billingReconciliationWorkflowId,
  startBillingReconciliation,
} from '../../../src/client';
import { testEnv, uniqueTaskQueue } from '../../support/temporal';

/** startBillingReconciliation's idempotency key against the dev server; no worker runs the reconciliations, they are terminated. */

let env: TestWorkflowEnvironment;
const taskQueue = uniqueTaskQueue('client-reconcile');
const request = { period: 'current', currency: 'USD' } as const;

beforeAll(async () => {
  env = await testEnv();
});
afterAll(async () => {
  await env?.teardown();
});

describe('startBillingReconciliation with a requestId', () => {
  it('starts reconcile-{requestId} once: the second start attaches to the first run', async () => {
    const requestId = `client-reconcile-${randomUUID()}`;
    const first = await startBillingReconciliation(env.client, request, { taskQueue, requestId });
    try {
      const second = await startBillingReconciliation(
        env.client,
        { ...request, period: 'previous' },
        { taskQueue, requestId },
      );
      expect([first.newlyStarted, second.newlyStarted]).toEqual([true, false]);
      expect(first.workflowId).toBe(billingReconciliationWorkflowId(requestId));
      expect(second.workflowId).toBe(first.workflowId);
      const [a, b] = await Promise.all([first.describe(), second.describe()]);
      expect(b.runId).toBe(a.runId);
    } finally {
      await first.terminate('test over');
    }
  });

  it('refuses a key that breaks the requestId rule before starting anything, naming requestId', async () => {
    const requestId = 'not a key';
    const refused = await startBillingReconciliation(env.client, request, { taskQueue, requestId }).catch(
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(InvalidReconcileRequestError);
    expect((refused as InvalidReconcileRequestError).problems).toEqual([
      { field: 'requestId', problem: 'must be 1..128 characters of [A-Za-z0-9._:-] (got "not a key")' },
    ]);
    expect((refused as Error).message).toMatch(/^Invalid reconcile request: requestId must be 1\.\.128 characters/);
    await expect(
      env.client.workflow.getHandle(billingReconciliationWorkflowId(requestId)).describe(),
    ).rejects.toBeInstanceOf(WorkflowNotFoundError);
  });
});
