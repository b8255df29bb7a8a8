import { randomUUID } from 'node:crypto';
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { notYet } from '../../../src/activities/common/failures';
import { internalFailureTypes } from '../../../src/workflows/common/failure-types';
import { startStubRig, type StubRig } from '../../support/stub-worker';
import { customerId, patient, purchasing, request } from '../purchase/workflow-stubs';
import { call, operate, read, startApi, submit, tokens, until, type Answer, type RunningApi } from './support';

/**
 * The HTTP API over real HTTP, against the run's Temporal dev server and a worker of the real workflows whose
 * purchase activities are stubs (test/support/stub-worker.ts): every route, each role, the bad-input table,
 * idempotent creation, approve / reject / cancel with a refusal, /openapi.json, readiness, and no token in any
 * log line or answer.
 */

/** Purchases of this customer wait for their order until `releaseOrders()`: a purchase held in awaiting-order. */
const heldCustomer = '0b9e8f7a-6d5c-4b3a-9f8e-7d6c5b4a3f2e';
let ordersReleased = false;
/** The one origin (PCW_WEBHOOK_ALLOWED_ORIGINS) a purchase's callbackUrl may use here. */
const callbackOrigin = 'https://hooks.example.com';

let rig: StubRig;
let api: RunningApi;
let taskQueue: string;
let stopWorker: () => void;
let worker: Promise<void>;

beforeAll(async () => {
  rig = await startStubRig();
  const activities = purchasing(patient);
  let ready!: () => void;
  const started = new Promise<void>((resolve) => (ready = resolve));
  worker = rig.withWorker(
    {
      ...activities,
      awaitOrderCompletion: async (input) => {
        if (input.customerId === heldCustomer && !ordersReleased)
          throw notYet(internalFailureTypes.orderNotYetVisible, 'held by the test');
        return activities.awaitOrderCompletion(input);
      },
    },
    (queue) => {
      taskQueue = queue;
      ready();
      return new Promise<void>((resolve) => (stopWorker = resolve));
    },
  );
  await started;
  api = await startApi(rig.client, taskQueue, { callbackOrigins: [callbackOrigin] });
});

afterAll(async () => {
  await api?.close();
  stopWorker?.();
  await worker;
  await rig?.close();
  // No credential in anything the API logged, whatever the test did.
  for (const { token } of tokens) expect(api.log.join('')).not.toContain(token);
});

const json = (answer: Answer) => answer.body as Record<string, unknown>;

function expectProblem(answer: Answer, status: number, type: string): Record<string, unknown> {
  expect({ status: answer.status, contentType: answer.contentType }).toEqual({
    status,
    contentType: expect.stringContaining('application/problem+json'),
  });
  expect(json(answer)).toMatchObject({ type: `urn:pcw:problem:${type}`, status, detail: expect.any(String) });
  return json(answer);
}

async function expectNoRun(requestId: string): Promise<void> {
  for (const workflowId of [`purchase-${requestId}`, `change-${requestId}`])
    await expect(rig.client.workflow.getHandle(workflowId).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
}

describe('HTTP API', () => {
  it('answers /healthz and /readyz without a token', async () => {
    expect(await call(api, 'GET', '/healthz')).toMatchObject({ status: 200, body: { ok: true } });
    expect(await call(api, 'GET', '/readyz')).toMatchObject({ status: 200, body: { ok: true } });
  });

  it('says not ready when Temporal is unreachable', async () => {
    // A lazy connection to a port nothing listens on: the API starts, Temporal never answers.
    const unreachable = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
    const down = await startApi(unreachable, taskQueue);
    try {
      expect(await call(down, 'GET', '/healthz')).toMatchObject({ status: 200 });
      const ready = await call(down, 'GET', '/readyz');
      expect(ready.status).toBe(503);
      expect(ready.body).toMatchObject({ ok: false, temporal: expect.stringMatching(/^unreachable/) });
    } finally {
      await down.close();
      await unreachable.connection.close();
    }
  });

  it('buys once per Idempotency-Key: 202 with the status URL, then 200 with the same purchase, followed to its result', async () => {
    const { requestId, ...body } = request();
    const first = await call(api, 'POST', '/v1/purchases', {
      token: submit,
      body,
      headers: { 'idempotency-key': requestId },
    });
    expect(first.status).toBe(202);
    expect(first.body).toEqual({
      requestId,
      workflowId: `purchase-${requestId}`,
      statusUrl: `/v1/purchases/${requestId}`,
    });
    expect(first.headers.get('location')).toBe(`/v1/purchases/${requestId}`);
    const { runId } = await rig.client.workflow.getHandle(`purchase-${requestId}`).describe();

    // The same key again, now in the body as requestId with the header agreeing: the purchase there, no second one.
    const again = await call(api, 'POST', '/v1/purchases', {
      token: submit,
      body: { requestId, ...body },
      headers: { 'idempotency-key': requestId },
    });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ kind: 'purchase', workflowId: `purchase-${requestId}` });
    expect((await rig.client.workflow.getHandle(`purchase-${requestId}`).describe()).runId).toBe(runId);

    const done = await until(api, `/v1/purchases/${requestId}`, read, (view) => view.execution === 'COMPLETED');
    expect(done).toMatchObject({ step: 'completed', result: { requestId, customerId, status: 'completed' } });
    const afterwards = await call(api, 'POST', '/v1/purchases', { token: submit, body: { requestId, ...body } });
    expect(afterwards).toMatchObject({ status: 200, body: { execution: 'COMPLETED', step: 'completed' } });
  });

  it('approves, rejects and cancels a purchase awaiting approval; refuses with 409 what the workflow refuses', async () => {
    const [approved, rejected, cancelled] = [
      request({ requireApproval: true }),
      request({ requireApproval: true }),
      request({ requireApproval: true }),
    ];
    for (const purchase of [approved, rejected, cancelled])
      expect((await call(api, 'POST', '/v1/purchases', { token: submit, body: purchase })).status).toBe(202);
    for (const { requestId } of [approved, rejected, cancelled])
      await until(api, `/v1/purchases/${requestId}`, read, (view) => view.step === 'awaiting-approval');

    // A submit token may buy but not decide.
    expectProblem(
      await call(api, 'POST', `/v1/purchases/${approved.requestId}/approve`, { token: submit, body: { by: 'ann' } }),
      403,
      'Forbidden',
    );

    const approval = await call(api, 'POST', `/v1/purchases/${approved.requestId}/approve`, {
      token: operate,
      body: { by: 'ann' },
    });
    expect(approval.status).toBe(200);
    expect(approval.body).toMatchObject({ step: expect.any(String) });
    // Approved already: the workflow itself refuses a second decision, with its reason.
    const twice = expectProblem(
      await call(api, 'POST', `/v1/purchases/${approved.requestId}/reject`, {
        token: operate,
        body: { by: 'bob', reason: 'late' },
      }),
      409,
      'UpdateRejected',
    );
    expect(twice.detail).toMatch(/reject refused: Purchase is [a-z-]+, not awaiting approval|already finished/);
    await until(api, `/v1/purchases/${approved.requestId}`, read, (view) => view.execution === 'COMPLETED');

    const rejection = await call(api, 'POST', `/v1/purchases/${rejected.requestId}/reject`, {
      token: operate,
      body: { by: 'bob', reason: 'over budget' },
    });
    expect(rejection.status).toBe(200);
    const failed = await until(api, `/v1/purchases/${rejected.requestId}`, read, (view) => view.execution === 'FAILED');
    expect(failed).toMatchObject({
      step: 'failed',
      failure: { type: 'Rejected', message: expect.stringContaining('over budget') },
    });

    const cancel = await call(api, 'POST', `/v1/purchases/${cancelled.requestId}/cancel`, {
      token: operate,
      body: { reason: 'duplicate order' },
    });
    expect(cancel).toMatchObject({ status: 200, body: { step: 'awaiting-approval', afterCheckout: false } });
    const ended = await until(
      api,
      `/v1/purchases/${cancelled.requestId}`,
      read,
      (view) => view.execution !== 'RUNNING',
    );
    expect(ended).toMatchObject({ result: { status: 'cancelled' } });

    // Finished: nothing to approve or cancel any more.
    const late = expectProblem(
      await call(api, 'POST', `/v1/purchases/${cancelled.requestId}/approve`, { token: operate, body: { by: 'ann' } }),
      409,
      'AlreadyFinished',
    );
    expect(late.detail).toMatch(/already finished \(cancelled\)/);
  });

  it('refuses to approve a purchase that is not awaiting approval (409 with the reason), and cancels it after checkout', async () => {
    const purchase = request({ customerId: heldCustomer });
    expect((await call(api, 'POST', '/v1/purchases', { token: operate, body: purchase })).status).toBe(202);
    await until(api, `/v1/purchases/${purchase.requestId}`, read, (view) => view.step === 'awaiting-order');
    const refused = expectProblem(
      await call(api, 'POST', `/v1/purchases/${purchase.requestId}/approve`, { token: operate, body: { by: 'ann' } }),
      409,
      'UpdateRejected',
    );
    expect(refused.detail).toBe(
      `purchase ${purchase.requestId}: approve refused: Purchase is awaiting-order, not awaiting approval`,
    );
    const cancel = await call(api, 'POST', `/v1/purchases/${purchase.requestId}/cancel`, {
      token: operate,
      body: { reason: 'wrong customer' },
    });
    expect(cancel).toMatchObject({ status: 200, body: { step: 'awaiting-order', afterCheckout: true } });
    ordersReleased = true;
    const ended = await until(api, `/v1/purchases/${purchase.requestId}`, read, (view) => view.execution !== 'RUNNING');
    expect(ended).toMatchObject({ result: { status: 'cancelled', cancellation: { afterCheckout: true } } });
  });

  it('starts a subscription change once per requestId and shows it; starts a reconciliation and shows it', async () => {
    const requestId = `api-change-${randomUUID()}`;
    const change = {
      requestId,
      customerId,
      subscriptionId: randomUUID(),
      change: { action: 'setQuantity', quantity: 5 },
    };
    expectProblem(
      await call(api, 'POST', '/v1/subscription-changes', { token: submit, body: change }),
      403,
      'Forbidden',
    );
    expect(await call(api, 'POST', '/v1/subscription-changes', { token: operate, body: change })).toMatchObject({
      status: 202,
      body: { workflowId: `change-${requestId}`, statusUrl: `/v1/subscription-changes/${requestId}` },
    });
    expect(await call(api, 'POST', '/v1/subscription-changes', { token: operate, body: change })).toMatchObject({
      status: 200,
      body: { kind: 'change', workflowId: `change-${requestId}` },
    });
    expect(await call(api, 'GET', `/v1/subscription-changes/${requestId}`, { token: read })).toMatchObject({
      status: 200,
      body: { kind: 'change', execution: 'RUNNING' },
    });
    // A change is not a purchase: the purchase route does not show it.
    expectProblem(await call(api, 'GET', `/v1/purchases/${requestId}`, { token: read }), 404, 'NotFound');

    const started = await call(api, 'POST', '/v1/reconciliations', {
      token: submit,
      body: { period: 'current', currency: 'usd' },
    });
    expect(started.status).toBe(202);
    const { workflowId, statusUrl } = json(started) as { workflowId: string; statusUrl: string };
    expect(workflowId).toMatch(/^reconcile-USD-current-all-/);
    expect(await call(api, 'GET', statusUrl, { token: read })).toMatchObject({
      status: 200,
      body: { kind: 'reconcile', workflowId },
    });
    // A reconciliation's route shows reconciliations only.
    expectProblem(await call(api, 'GET', `/v1/reconciliations/change-${requestId}`, { token: read }), 404, 'NotFound');

    // Neither has workers for its activities here: end them rather than leave them retrying.
    await Promise.all(
      [`change-${requestId}`, workflowId].map((id) => rig.client.workflow.getHandle(id).terminate('test over')),
    );
  });

  it('takes a callbackUrl whose origin PCW_WEBHOOK_ALLOWED_ORIGINS lists; refuses any other, naming it, with nothing started', async () => {
    const refused = request();
    for (const callbackUrl of ['https://attacker.example.net/hook', 'not a url']) {
      const answer = await call(api, 'POST', '/v1/purchases', { token: submit, body: { ...refused, callbackUrl } });
      const problem = expectProblem(answer, 400, 'InvalidPurchaseRequest');
      expect(problem.errors).toEqual([{ field: 'callbackUrl', problem: expect.any(String) }]);
    }
    const outside = await call(api, 'POST', '/v1/purchases', {
      token: submit,
      body: { ...refused, callbackUrl: 'https://attacker.example.net/hook' },
    });
    expect(json(outside).detail).toContain(
      `origin https://attacker.example.net is not one of PCW_WEBHOOK_ALLOWED_ORIGINS (${callbackOrigin})`,
    );
    await expectNoRun(refused.requestId);

    // An API without allowed origins takes no callbackUrl at all.
    const closed = await startApi(rig.client, taskQueue);
    try {
      const answer = await call(closed, 'POST', '/v1/purchases', {
        token: submit,
        body: { ...refused, callbackUrl: `${callbackOrigin}/pcw` },
      });
      expect(expectProblem(answer, 400, 'InvalidPurchaseRequest').detail).toContain(
        'PCW_WEBHOOK_ALLOWED_ORIGINS lists no origin',
      );
      await expectNoRun(refused.requestId);
    } finally {
      await closed.close();
    }

    const accepted = request({ requireApproval: true });
    const started = await call(api, 'POST', '/v1/purchases', {
      token: submit,
      body: { ...accepted, callbackUrl: `${callbackOrigin}/pcw/events` },
    });
    expect(started.status).toBe(202);
    // The run's webhook deliveries read it from the memo (the request itself is the workflow's, unchanged).
    const handle = rig.client.workflow.getHandle(`purchase-${accepted.requestId}`);
    const description = await handle.describe();
    expect(description.memo).toMatchObject({ callbackUrl: `${callbackOrigin}/pcw/events` });
    await handle.terminate('test over');
  });

  it('needs a bearer token (401) of a role that may (403), and never echoes one', async () => {
    const purchase = request();
    const cases: Array<[string, string, string | undefined, Record<string, string>, number]> = [
      ['GET', `/v1/purchases/${purchase.requestId}`, undefined, {}, 401],
      ['GET', `/v1/purchases/${purchase.requestId}`, undefined, { authorization: `Basic ${read}` }, 401],
      ['GET', `/v1/purchases/${purchase.requestId}`, 'not-a-known-token-at-all', {}, 401],
      ['POST', '/v1/purchases', read, {}, 403],
      ['POST', `/v1/purchases/${purchase.requestId}/cancel`, submit, {}, 403],
      ['POST', '/v1/subscription-changes', read, {}, 403],
      ['POST', '/v1/reconciliations', read, {}, 403],
    ];
    for (const [method, path, token, headers, status] of cases) {
      const answer = await call(api, method, path, { token, headers, body: method === 'POST' ? purchase : undefined });
      expectProblem(answer, status, status === 401 ? 'Unauthorized' : 'Forbidden');
      if (status === 401) expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer/);
      for (const known of tokens) expect(answer.text).not.toContain(known.token);
    }
    await expectNoRun(purchase.requestId);
  });

  it('limits each token to its rate (429 as a problem), whatever the other tokens do', async () => {
    const limited = await startApi(rig.client, taskQueue, { rateLimit: 3, rateWindow: '1 minute' });
    try {
      const statuses = [];
      for (let i = 0; i < 4; i += 1)
        statuses.push((await call(limited, 'GET', '/v1/purchases/none', { token: read })).status);
      expect(statuses).toEqual([404, 404, 404, 429]);
      expectProblem(await call(limited, 'GET', '/v1/purchases/none', { token: read }), 429, 'RateLimited');
      // Another token has its own budget.
      expect((await call(limited, 'GET', '/v1/purchases/none', { token: operate })).status).toBe(404);
    } finally {
      await limited.close();
    }
  });

  it('serves an OpenAPI 3.1 document generated from the workflow schemas', async () => {
    const answer = await call(api, 'GET', '/openapi.json');
    expect(answer.status).toBe(200);
    const doc = json(answer) as {
      openapi: string;
      paths: Record<
        string,
        Record<
          string,
          {
            requestBody?: {
              content: Record<string, { schema: { properties: Record<string, unknown>; required: string[] } }>;
            };
          }
        >
      >;
      components: { securitySchemes: Record<string, unknown> };
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual(
      [
        '/healthz',
        '/readyz',
        '/v1/customers',
        '/v1/customers/{requestId}',
        '/v1/purchases',
        '/v1/purchases/{requestId}',
        '/v1/purchases/{requestId}/approve',
        '/v1/purchases/{requestId}/reject',
        '/v1/purchases/{requestId}/cancel',
        '/v1/quotes',
        '/v1/subscription-changes',
        '/v1/subscription-changes/{requestId}',
        '/v1/subscriptions/{subscriptionId}/lifecycle',
        '/v1/subscriptions/{subscriptionId}/lifecycle/approve-plan',
        '/v1/subscriptions/{subscriptionId}/lifecycle/reject-plan',
        '/v1/subscriptions/{subscriptionId}/lifecycle/policy',
        '/v1/reconciliations',
        '/v1/reconciliations/{id}',
        '/v1/invoices',
        '/v1/invoices/{id}',
        '/v1/invoices/{id}/statement',
        '/v1/partner-center/events',
        '/v1/licence-assignments',
        '/v1/licence-assignments/{requestId}',
      ].sort(),
    );
    // Partner Center's events carry no bearer token: their signature authenticates them.
    expect(doc.paths['/v1/partner-center/events'].post).toMatchObject({ security: [] });
    const purchaseBody = doc.paths['/v1/purchases'].post.requestBody?.content['application/json'].schema;
    // Every field of the purchase request schema, as the workflow defines it, and the API's callbackUrl.
    const { PurchaseRequestSchema } = await import('../../../src/client');
    expect(Object.keys(purchaseBody?.properties ?? {}).sort()).toEqual(
      [...Object.keys(PurchaseRequestSchema.shape), 'callbackUrl'].sort(),
    );
    expect(purchaseBody?.required).toEqual(expect.arrayContaining(['customerId', 'items']));
    expect(doc.components.securitySchemes).toHaveProperty('bearer');
    // The renewal policy is the workflow's own schema, strict: every field of it, and no other.
    const policyBody = doc.paths['/v1/subscriptions/{subscriptionId}/lifecycle/policy'].post.requestBody?.content[
      'application/json'
    ].schema as { properties?: object; additionalProperties?: unknown } | undefined;
    const { RenewalPolicySchema } = await import('../../../src/client');
    expect(Object.keys(policyBody?.properties ?? {}).sort()).toEqual(Object.keys(RenewalPolicySchema.shape).sort());
    expect(policyBody?.additionalProperties).toBe(false);
  });
});

describe('HTTP API bad input', () => {
  const good = () => {
    const { requestId: _requestId, ...body } = request();
    return body;
  };
  const item = (extra: Record<string, unknown>) => ({ ...good().items[0], ...extra });
  type Case = {
    name: string;
    method?: string;
    path?: string;
    token?: string;
    body?: unknown;
    rawBody?: string;
    headers?: Record<string, string>;
    status: number;
    /** The field the problem names, when it names one. */
    field?: string;
  };
  const purchases = (name: string, body: unknown, field?: string, status = 400): Case => ({
    name,
    body,
    field,
    status,
  });
  const cases: Case[] = [
    purchases('no body at all', undefined, 'request'),
    purchases('a JSON array', [], 'request'),
    purchases('JSON null', null, 'request'),
    purchases('an empty object', {}, 'customerId'),
    purchases('no customerId', { ...good(), customerId: undefined }, 'customerId'),
    purchases('a customerId that is not a GUID', { ...good(), customerId: 'contoso' }, 'customerId'),
    purchases('no items', { ...good(), items: [] }, 'items'),
    purchases('51 items', { ...good(), items: Array.from({ length: 51 }, () => item({})) }, 'items'),
    purchases('items not a list', { ...good(), items: { 0: item({}) } }, 'items'),
    purchases('quantity 0', { ...good(), items: [item({ quantity: 0 })] }, 'items[0].quantity'),
    purchases('a fractional quantity', { ...good(), items: [item({ quantity: 1.5 })] }, 'items[0].quantity'),
    purchases('a quantity as text', { ...good(), items: [item({ quantity: '3' })] }, 'items[0].quantity'),
    purchases('a term of two years', { ...good(), items: [item({ termDuration: 'P2Y' })] }, 'items[0].termDuration'),
    purchases(
      'a weekly billing cycle',
      { ...good(), items: [item({ billingCycle: 'weekly' })] },
      'items[0].billingCycle',
    ),
    purchases('an empty offer', { ...good(), items: [item({ offer: {} })] }, 'items[0].offer.skuId'),
    purchases('autoRenew as text', { ...good(), items: [item({ autoRenew: 'yes' })] }, 'items[0].autoRenew'),
    purchases('an unknown field', { ...good(), discount: 50 }, 'discount'),
    purchases('an unknown item field', { ...good(), items: [item({ price: 1 })] }, 'items[0].price'),
    purchases('a three-letter country', { ...good(), country: 'USA' }, 'country'),
    purchases('an unknown segment', { ...good(), segment: 'retail' }, 'segment'),
    purchases('requireApproval as text', { ...good(), requireApproval: 'yes' }, 'requireApproval'),
    purchases('a two-letter currency', { ...good(), currency: 'US' }, 'currency'),
    purchases(
      'an agreement without email',
      { ...good(), agreement: { firstName: 'A', lastName: 'B' } },
      'agreement.email',
    ),
    purchases('a requestId with a space', { ...good(), requestId: 'bad id' }, 'requestId'),
    purchases('a requestId of 129 characters', { ...good(), requestId: 'x'.repeat(129) }, 'requestId'),
    {
      name: 'an Idempotency-Key with a space',
      body: good(),
      headers: { 'idempotency-key': 'bad key' },
      status: 400,
      field: 'headers idempotency-key',
    },
    {
      name: 'an Idempotency-Key that disagrees with requestId',
      body: { ...good(), requestId: `other-${randomUUID()}` },
      status: 400,
      field: 'requestId',
    },
    { name: 'text/plain', rawBody: 'buy things', headers: { 'content-type': 'text/plain' }, status: 415 },
    { name: 'broken JSON', rawBody: '{"customerId": ', headers: { 'content-type': 'application/json' }, status: 400 },
    { name: 'a body over 1 MiB', body: { ...good(), padding: 'x'.repeat(1_100_000) }, status: 413 },
    {
      name: 'a path requestId with a space',
      method: 'GET',
      path: '/v1/purchases/bad%20id',
      status: 400,
      field: 'path requestId',
    },
    { name: 'an unknown purchase', method: 'GET', path: `/v1/purchases/never-${randomUUID()}`, status: 404 },
    {
      name: 'approve an unknown purchase',
      path: `/v1/purchases/never-${randomUUID()}/approve`,
      token: operate,
      body: { by: 'ann' },
      status: 404,
    },
    {
      name: 'approve without by',
      path: `/v1/purchases/never-${randomUUID()}/approve`,
      token: operate,
      body: {},
      status: 400,
      field: 'by',
    },
    {
      name: 'reject without a reason',
      path: `/v1/purchases/never-${randomUUID()}/reject`,
      token: operate,
      body: { by: 'ann' },
      status: 400,
      field: 'reason',
    },
    {
      name: 'cancel with an empty reason',
      path: `/v1/purchases/never-${randomUUID()}/cancel`,
      token: operate,
      body: { reason: ' ' },
      status: 400,
      field: 'reason',
    },
    {
      name: 'an unknown purchase action',
      path: `/v1/purchases/never-${randomUUID()}/explode`,
      token: operate,
      body: {},
      status: 404,
    },
    { name: 'DELETE a purchase', method: 'DELETE', path: `/v1/purchases/never-${randomUUID()}`, status: 404 },
    {
      name: 'a change to -1 seats',
      path: '/v1/subscription-changes',
      token: operate,
      body: { customerId, subscriptionId: randomUUID(), change: { action: 'setQuantity', quantity: -1 } },
      status: 400,
      field: 'change.quantity',
    },
    {
      name: 'an unknown change action',
      path: '/v1/subscription-changes',
      token: operate,
      body: { customerId, subscriptionId: randomUUID(), change: { action: 'teleport' } },
      status: 400,
      field: 'change.action',
    },
    {
      name: 'a reconciliation of some day',
      path: '/v1/reconciliations',
      body: { period: 'someday', currency: 'USD' },
      status: 400,
      field: 'period',
    },
    {
      name: 'an unknown reconciliation',
      method: 'GET',
      path: `/v1/reconciliations/reconcile-${randomUUID()}`,
      status: 404,
    },
    { name: 'an unknown route', method: 'GET', path: '/v2/purchases', status: 404 },
  ];

  it(`answers each of ${cases.length} malformed requests 4xx in under a second, naming the field, with nothing started`, async () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
    const keys: string[] = [];
    for (const c of cases) {
      // Every create gets a fresh key (unless the case is about the key): afterwards no run may exist for it.
      const key = `bad-input-${randomUUID()}`;
      keys.push(key);
      const method = c.method ?? 'POST';
      const path = c.path ?? '/v1/purchases';
      const headers =
        path === '/v1/purchases' || path === '/v1/subscription-changes'
          ? { 'idempotency-key': key, ...c.headers }
          : { ...c.headers };
      const began = Date.now();
      const answer = await call(api, method, path, {
        token: c.token ?? operate,
        body: c.body,
        rawBody: c.rawBody,
        headers,
      });
      const tookMs = Date.now() - began;
      expect({ case: c.name, status: answer.status, fast: tookMs < 1000 }).toEqual({
        case: c.name,
        status: c.status,
        fast: true,
      });
      expect(answer.contentType).toContain('application/problem+json');
      const problem = json(answer);
      expect(problem).toMatchObject({ status: c.status, instance: expect.any(String), detail: expect.any(String) });
      if (c.field !== undefined) {
        const fields =
          (problem.errors as Array<{ field: string; problem: string }> | undefined)?.map((e) => e.field) ?? [];
        expect({ case: c.name, fields }).toEqual({ case: c.name, fields: expect.arrayContaining([c.field]) });
        expect(problem.detail).toContain(c.field);
      }
    }
    for (const key of keys) await expectNoRun(key);
  });

  it('words a bad field as the workflow does (the same validation the CLI reports)', async () => {
    const answer = await call(api, 'POST', '/v1/purchases', {
      token: submit,
      body: { ...good(), requestId: `bad-${randomUUID()}`, items: [item({ quantity: 0 })], customerId: 'nope' },
    });
    const problem = expectProblem(answer, 400, 'InvalidPurchaseRequest');
    const { validatePurchaseRequest } = await import('../../../src/client');
    const validation = validatePurchaseRequest(
      JSON.parse(JSON.stringify({ ...good(), items: [item({ quantity: 0 })], customerId: 'nope', requestId: 'x' })),
    );
    expect(validation.ok).toBe(false);
    expect(problem.errors).toEqual(validation.ok ? [] : validation.problems);
    expect(problem.detail).toMatch(/^Invalid purchase request: customerId must be a GUID/);
  });
});
