import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { testEnv, uniqueTaskQueue } from '../../support/temporal';
import { call, read, startApi, submit, type RunningApi } from './support';

/**
 * `POST /v1/reconciliations` with an Idempotency-Key, over real HTTP against the dev server. No worker serves the
 * task queue: a reconciliation is started and left running (its view needs no status query), then terminated.
 */

let env: TestWorkflowEnvironment;
let client: Client;
let api: RunningApi;
const started: string[] = [];

beforeAll(async () => {
  env = await testEnv();
  client = env.client;
  api = await startApi(client, uniqueTaskQueue('api-reconcile'));
});

afterAll(async () => {
  await Promise.all(
    started.map((id) =>
      client.workflow
        .getHandle(id)
        .terminate('test over')
        .catch(() => undefined),
    ),
  );
  await api?.close();
  await env?.teardown();
});

const reconcile = (key: string | undefined, body: unknown = { period: 'current', currency: 'USD' }) =>
  call(api, 'POST', '/v1/reconciliations', {
    token: submit,
    body,
    headers: key === undefined ? {} : { 'idempotency-key': key },
  });

describe('POST /v1/reconciliations with an Idempotency-Key', () => {
  it('starts one run per key: 202 with reconcile-{key}, then 200 with that same run, running or ended', async () => {
    const key = `api-reconcile-${randomUUID()}`;
    const workflowId = `reconcile-${key}`;
    started.push(workflowId);
    const first = await reconcile(key);
    expect(first.status).toBe(202);
    expect(first.body).toEqual({ requestId: key, workflowId, statusUrl: `/v1/reconciliations/${workflowId}` });
    expect(first.headers.get('location')).toBe(`/v1/reconciliations/${workflowId}`);
    const handle = client.workflow.getHandle(workflowId);
    const { runId, type } = await handle.describe();
    expect(type).toBe('reconcileBilling');

    // An upstream retry, even with another body: the run the key started, not a second one.
    const again = await reconcile(key, { period: 'previous', currency: 'EUR' });
    expect(again.status).toBe(200);
    expect(again.headers.get('location')).toBe(`/v1/reconciliations/${workflowId}`);
    expect(again.body).toMatchObject({ kind: 'reconcile', workflowId, execution: 'RUNNING' });
    expect((await handle.describe()).runId).toBe(runId);

    await handle.terminate('test over');
    const ended = await reconcile(key);
    expect(ended).toMatchObject({ status: 200, body: { workflowId, execution: 'TERMINATED' } });
    expect((await handle.describe()).runId).toBe(runId);
    expect(await call(api, 'GET', `/v1/reconciliations/${workflowId}`, { token: read })).toMatchObject({
      status: 200,
      body: { kind: 'reconcile', workflowId, execution: 'TERMINATED' },
    });
  });

  it.each([
    ['a space', 'bad key'],
    ['129 characters', 'x'.repeat(129)],
  ])('refuses a key with %s: 400 naming the header, nothing started', async (_name, key) => {
    const answer = await reconcile(key);
    expect(answer.status).toBe(400);
    expect(answer.contentType).toContain('application/problem+json');
    expect(answer.body).toMatchObject({
      type: 'urn:pcw:problem:InvalidRequest',
      errors: [{ field: 'headers idempotency-key', problem: expect.stringContaining('1..128 characters') }],
      detail: expect.stringContaining('headers idempotency-key'),
    });
    await expect(client.workflow.getHandle(`reconcile-${key}`).describe()).rejects.toBeInstanceOf(
      WorkflowNotFoundError,
    );
  });
});
