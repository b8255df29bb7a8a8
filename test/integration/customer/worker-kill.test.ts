import { Client, Connection } from '@temporalio/client';
import { startSandbox, type Sandbox } from 'partner-center-sandbox';
import { startOnboarding } from '../../../src/client';
import { connectPartnerCenter } from '../../../src/partner-center-connection';
import { builtEntry, runNode, type RunningProcess } from '../../support/processes';
import { testServerAddress, uniqueTaskQueue } from '../../support/temporal';
import { createRequest } from './harness';

/**
 * A worker killed (SIGKILL) while Partner Center is creating the customer: the create went through, its answer
 * never arrived. The next worker's attempt must find the customer by its domain, never create a second one.
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
    for (let i = 0; (await sandbox.control.counters()).requests['POST /v1/customers'] !== 1; i += 1) {
      if (i > 200) throw new Error(`the create never reached the sandbox:\n${first.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
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
    first.child.kill('SIGKILL');
    second?.child.kill('SIGTERM');
    await second?.exited;
  }
}, 120_000);
