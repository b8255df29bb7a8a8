import { randomInt } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { startSandbox, type Sandbox } from 'partner-center-sandbox';
import { startSubscriptionLifecycle } from '../../../src/client';
import { connectPartnerCenter } from '../../../src/partner-center-connection';
import { lifecycleStateQuery, type LifecycleState } from '../../../src/workflows/subscription/api';
import { builtEntry, runNode, type RunningProcess } from '../../support/processes';
import { testServerAddress, uniqueTaskQueue } from '../../support/temporal';
import { BUSINESS_BASIC, seedRenewingSubscription } from './lifecycle-sandbox-rig';
import { childStarts } from './lifecycle-stubs';

/**
 * Worker processes (`node lib/worker.js`) killed (SIGKILL) in the middle of a renewal review with review 'apply': the
 * first while the review reads the catalog SKU, the second while the plan's scheduled change is on its way to Partner
 * Center. The third finishes: one plan, applied once (one child change, one scheduled next term in the sandbox).
 */

const SKU_READ = 'GET /v1/products/{productId}/skus/{skuId}';
const SUBSCRIPTION_PATCH = 'PATCH /v1/customers/{customerId}/subscriptions/{subscriptionId}';

let sandbox: Sandbox;
let connection: Connection;
let client: Client;

beforeAll(async () => {
  // A seed of its own: seeded subscription ids must not meet lifecycles other files leave on the dev server.
  sandbox = await startSandbox({ seed: randomInt(2, 2 ** 31), orderCompletionDelayMs: 0, orderListDelayMs: 0 });
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
    NODE_EXTRA_CA_CERTS: sandbox.caFile,
    ORDER_POLL_INTERVAL: '250ms',
  });
}

/** Waits until the sandbox has received `count` requests of `route` (held by a latency fault), then kills `worker`. */
async function killWhenReached(worker: RunningProcess, route: string, count: number): Promise<void> {
  for (let i = 0; ((await sandbox.control.counters()).requests[route] ?? 0) < count; i += 1) {
    if (i > 1200) throw new Error(`${route} never reached the sandbox:\n${worker.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  worker.child.kill('SIGKILL');
  await worker.exited;
}

test('workers killed mid-review and mid-scheduling: one plan, applied once', async () => {
  const taskQueue = uniqueTaskQueue('lifecycle-kill');
  const customerId = sandbox.customerIds[0]!;
  const { id, leadTime } = await seedRenewingSubscription(sandbox, customerId, {
    quantity: 10,
    assigned: 4,
    reviewInMs: 2_000,
  });
  // Each held 5 s: the worker is killed while it waits for the answer.
  const sku = `/v1/products/${BUSINESS_BASIC.productId}/skus/${BUSINESS_BASIC.skuId}`;
  await sandbox.control.addFault({ method: 'GET', path: sku, kind: 'latency', latencyMs: 5_000 });
  const subscription = `/v1/customers/${customerId}/subscriptions/${id}`;
  await sandbox.control.addFault({ method: 'PATCH', path: subscription, kind: 'latency', latencyMs: 5_000 });

  const workers = [startWorker(taskQueue)];
  try {
    await workers[0]!.waitFor(/"msg":"Worker started"/);
    const handle = await startSubscriptionLifecycle(
      client,
      { customerId, subscriptionId: id, policy: { review: 'apply', leadTime } },
      { taskQueue },
    );
    await killWhenReached(workers[0]!, SKU_READ, 1);
    // The next worker retries the read once the killed attempt's heartbeat times out, plans, and starts the change.
    workers.push(startWorker(taskQueue));
    await killWhenReached(workers[1]!, SUBSCRIPTION_PATCH, 1);
    workers.push(startWorker(taskQueue));

    let state: LifecycleState;
    for (let i = 0; (state = await handle.query(lifecycleStateQuery)).plan?.status !== 'applied'; i += 1) {
      if (i > 600) throw new Error(`never applied; last: ${JSON.stringify(state)}\n${workers[2]!.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(state.plan).toMatchObject({ quantity: 4, currentQuantity: 10, attempts: 1 });
    expect(state.reviews).toEqual([expect.objectContaining({ outcome: 'plan-applied', plannedQuantity: 4 })]);
    expect(await childStarts(handle)).toHaveLength(1);
    const { client: pc } = connectPartnerCenter(
      {
        baseUrl: sandbox.baseUrl,
        authorityHost: sandbox.authorityHost,
        tenantId: sandbox.tenantId,
        clientId: sandbox.clientId,
        credential: { clientSecret: sandbox.clientSecret },
      },
      { trustedCaPem: sandbox.caPem },
    );
    const inPartnerCenter = await pc.getSubscription(customerId, id);
    expect(inPartnerCenter).toMatchObject({ quantity: 10, scheduledNextTermInstructions: { quantity: 4 } });
    // The killed PATCH and the one that landed; no third.
    expect((await sandbox.control.counters()).requests[SUBSCRIPTION_PATCH]).toBe(2);
    await handle.terminate('test done');
  } finally {
    for (const worker of workers) worker.child.kill('SIGKILL');
    await Promise.all(workers.map((w) => w.exited));
  }
}, 180_000);
