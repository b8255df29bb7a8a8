import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { startSandbox, type Sandbox } from 'partner-center-sandbox';
import { startOnboarding, type OnboardRequest } from '../../../src/client';
import { connectPartnerCenter } from '../../../src/partner-center-connection';
import { builtEntry, runNode, stopProcess, type RunningProcess } from '../../support/processes';
import { testServerAddress, uniqueTaskQueue } from '../../support/temporal';
import { recordHistory } from '../purchase/harness';
import { createRequest } from './harness';

/**
 * A worker killed (SIGKILL) while Partner Center is creating the customer, before the create is committed and after:
 * its answer never arrived either way. The next worker's attempt must look the domain up first: create it once when
 * it is free, adopt the customer the killed attempt created when it is not — never a second one.
 */

let sandbox: Sandbox;
let connection: Connection;
let client: Client;

beforeAll(async () => {
  sandbox = await startSandbox({ qualificationReviewDelayMs: 0 });
  connection = await Connection.connect({ address: testServerAddress() });
  client = new Client({ connection });
});
afterAll(async () => {
  await connection?.close();
  await sandbox?.close();
});
beforeEach(async () => {
  await sandbox.control.reset();
});

function startWorker(taskQueue: string): RunningProcess {
  return runNode(builtEntry('worker.js'), [], {
    TEMPORAL_CONFIG_FILE: '/nonexistent/temporal.toml',
    TEMPORAL_ADDRESS: testServerAddress(),
    TEMPORAL_TASK_QUEUE: taskQueue,
    PARTNER_CENTER_BASE_URL: sandbox.baseUrl,
    MICROSOFT_GRAPH_BASE_URL: sandbox.graphBaseUrl,
    AZURE_AUTHORITY_HOST: sandbox.authorityHost,
    AZURE_TENANT_ID: sandbox.tenantId,
    AZURE_CLIENT_ID: sandbox.clientId,
    AZURE_CLIENT_SECRET: sandbox.clientSecret,
    PARTNER_CENTER_REFRESH_TOKEN: sandbox.refreshToken,
    NODE_EXTRA_CA_CERTS: sandbox.caFile,
    ORDER_POLL_INTERVAL: '250ms',
  });
}

/** Polls `done` every 50 ms for up to 10 s; then fails with `why()`. */
async function until(done: () => Promise<boolean>, why: () => string): Promise<void> {
  for (let i = 0; !(await done()); i += 1) {
    if (i > 200) throw new Error(why());
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const domainOf = (request: OnboardRequest) => `${request.customer.create!.domainPrefix}.onmicrosoft.com`;

/** The partner's own Partner Center client, to see what exists. */
function partnerCenter() {
  return connectPartnerCenter(
    {
      baseUrl: sandbox.baseUrl,
      authorityHost: sandbox.authorityHost,
      tenantId: sandbox.tenantId,
      clientId: sandbox.clientId,
      credential: { clientSecret: sandbox.clientSecret },
    },
    { trustedCaPem: sandbox.caPem },
  ).client;
}

test('a worker killed mid-creation: the next attempt looks the domain up before creating; one customer', async () => {
  const taskQueue = uniqueTaskQueue('onboard-kill');
  // The create is held 4 s before Partner Center commits it: the worker is killed while it waits for the answer.
  await sandbox.control.addFault({ method: 'POST', path: '/v1/customers', kind: 'latency', latencyMs: 4000 });
  const first = startWorker(taskQueue);
  let second: RunningProcess | undefined;
  try {
    await first.waitFor(/"msg":"Worker started"/);
    const request = createRequest();
    const handle = await startOnboarding(client, request, { taskQueue });
    await until(
      async () => (await sandbox.control.counters()).requests['POST /v1/customers'] === 1,
      () => `the create never reached the sandbox:\n${first.output()}`,
    );
    first.child.kill('SIGKILL');
    await first.exited;
    second = startWorker(taskQueue);
    const result = await handle.result();
    expect(result).toMatchObject({ created: true, domain: `${request.customer.create!.domainPrefix}.onmicrosoft.com` });
    // The held create was cut off with the worker (before Partner Center committed it, as the sandbox models a
    // request whose client is gone), so the second attempt looked the domain up, found nothing and created it once.
    const domain = result.domain;
    const holders = await partnerCenter().findCustomersByDomain(domain);
    expect(holders.map((c) => c.id)).toEqual([result.customerId]);
    const counters = await sandbox.control.counters();
    expect(counters.requests['GET /v1/customers']).toBeGreaterThanOrEqual(1);
    expect(counters.requests['POST /v1/customers']).toBe(2);
    expect(second.output()).not.toMatch(/password/i);
  } finally {
    await Promise.all([stopProcess(first, 'SIGKILL'), stopProcess(second)]);
  }
}, 120_000);

test('a worker killed after Partner Center committed the create, before its answer: the next attempt adopts that customer', async () => {
  const taskQueue = uniqueTaskQueue('onboard-kill-committed');
  // The customer is created at once; its answer is held 20 s (then dropped): the worker dies while it waits for it.
  await sandbox.control.addFault({
    method: 'POST',
    path: '/v1/customers',
    kind: 'commit-then-drop',
    latencyMs: 20_000,
  });
  const first = startWorker(taskQueue);
  let second: RunningProcess | undefined;
  try {
    await first.waitFor(/"msg":"Worker started"/);
    const request = createRequest();
    const domain = domainOf(request);
    const handle = await startOnboarding(client, request, { taskQueue });
    const committedAt = await untilCommitted(domain, first);
    first.child.kill('SIGKILL');
    await first.exited;
    // Killed while the call was in flight after the commit: the answer was still held, nothing was recorded.
    expect(Date.now() - committedAt).toBeLessThan(20_000);
    expect(await completedActivities(handle)).toEqual(['checkCustomerDomain']);
    second = startWorker(taskQueue);
    const result = await handle.result();
    await recordHistory('onboard-create-committed-worker-killed', handle);
    // The second attempt looked the domain up, found the killed attempt's customer and adopted it: one create only.
    const holders = await partnerCenter().findCustomersByDomain(domain);
    expect(holders).toHaveLength(1);
    expect(result).toMatchObject({ created: true, domain, customerId: holders[0].id, agreement: expect.anything() });
    // Its one-time password went with the killed attempt; the result says how to reset it.
    expect(result.adminUserPrincipalName).toBeUndefined();
    expect(result.adminPasswordNote).toMatch(/first admin/);
    expect((await sandbox.control.counters()).requests['POST /v1/customers']).toBe(1);
    expect(second.output()).toContain('customer creation answer lost; the customer was found by its domain');
    expect(second.output()).not.toMatch(/password/i);
  } finally {
    await Promise.all([stopProcess(first, 'SIGKILL'), stopProcess(second)]);
  }
}, 120_000);

/** The activity types whose completion the run's history records, in order. */
async function completedActivities(handle: WorkflowHandle): Promise<string[]> {
  const events = (await handle.fetchHistory()).events ?? [];
  const scheduled = new Map(events.map((e) => [String(e.eventId), e.activityTaskScheduledEventAttributes]));
  return events.flatMap((e) => {
    const completed = e.activityTaskCompletedEventAttributes;
    return completed ? [scheduled.get(String(completed.scheduledEventId))?.activityType?.name ?? '?'] : [];
  });
}

/** When the create reached Partner Center and its customer exists (the answer still held by the fault). */
async function untilCommitted(domain: string, worker: RunningProcess): Promise<number> {
  await until(
    async () => (await partnerCenter().findCustomersByDomain(domain)).length === 1,
    () => `the create was never committed:\n${worker.output()}`,
  );
  return Date.now();
}
