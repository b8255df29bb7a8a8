import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { purchaseStatusQuery, startPurchase } from '../../../src/client';
import { startSandbox, type Sandbox } from 'partner-center-sandbox';
import { freePort } from '../../../src/dev/temporal-dev-server';
import { pollTaskQueueOf } from '../../../src/worker';
import { dashboardQueries, exportedMetricNames, metricNamesOf } from '../../support/dashboard';
import { builtEntry, runNode } from '../../support/processes';
import { testServerAddress, uniqueTaskQueue } from '../../support/temporal';

const TENANT = '0b6b5a0e-0d0a-4f3e-9a53-2f6c4b1d9e01';
const CLIENT = '6c3f2d1e-5b4a-4c3d-8e2f-1a0b9c8d7e6f';
const NO_CONFIG_FILE = { TEMPORAL_CONFIG_FILE: '/nonexistent/temporal.toml' };

describe('npm run worker (lib/worker.js)', () => {
  it('stops at start with one message that lists every configuration problem, and no secret', async () => {
    const worker = runNode(builtEntry('worker.js'), [], {
      ...NO_CONFIG_FILE,
      TEMPORAL_TASK_QUEUE: '',
      PARTNER_CENTER_BASE_URL: 'ftp://x',
      AZURE_CLIENT_ID: CLIENT,
      PARTNER_CENTER_REFRESH_TOKEN: 'refresh-token-that-must-not-leak',
    });
    const { code } = await worker.exited;
    const output = worker.output();
    expect(code).toBe(2);
    expect(output).toMatch(/Invalid configuration \(4 problems\)/);
    expect(output).toMatch(/TEMPORAL_TASK_QUEUE: must not be empty/);
    expect(output).toMatch(/PARTNER_CENTER_BASE_URL: must be an https URL/);
    expect(output).toMatch(/AZURE_TENANT_ID: required/);
    expect(output).toMatch(/AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH: one app credential is required/);
    expect(output).not.toContain('refresh-token-that-must-not-leak');
  });

  it('lists a malformed TEMPORAL_ADDRESS as a configuration problem, once, before connecting', async () => {
    const worker = runNode(builtEntry('worker.js'), [], {
      ...NO_CONFIG_FILE,
      TEMPORAL_ADDRESS: 'nonsense::::',
      AZURE_TENANT_ID: TENANT,
      AZURE_CLIENT_ID: CLIENT,
      AZURE_CLIENT_SECRET: 'client-secret-that-must-not-leak',
    });
    const { code } = await worker.exited;
    const output = worker.output();
    expect(code).toBe(2);
    expect(output).toMatch(/Invalid configuration \(1 problem\)/);
    expect(output.match(/TEMPORAL_ADDRESS: must be host:port .*\(got "nonsense::::"\)/g)).toHaveLength(1);
    expect(output).not.toMatch(/unreachable/);
  });

  it('exits non-zero with a clear message when Temporal is unreachable', async () => {
    const port = await freePort();
    const worker = runNode(builtEntry('worker.js'), [], {
      ...NO_CONFIG_FILE,
      TEMPORAL_ADDRESS: `127.0.0.1:${port}`,
      AZURE_TENANT_ID: TENANT,
      AZURE_CLIENT_ID: CLIENT,
      AZURE_CLIENT_SECRET: 'client-secret-that-must-not-leak',
    });
    const { code } = await worker.exited;
    expect(code).toBe(1);
    expect(worker.output().match(new RegExp(`Temporal is unreachable at 127\\.0\\.0\\.1:${port}`, 'g'))).toHaveLength(
      1,
    );
    expect(worker.output()).not.toContain('client-secret-that-must-not-leak');
  });
});

function workerEnv(sandbox: Sandbox, taskQueue: string): NodeJS.ProcessEnv {
  return {
    ...NO_CONFIG_FILE,
    TEMPORAL_ADDRESS: testServerAddress(),
    TEMPORAL_TASK_QUEUE: taskQueue,
    PARTNER_CENTER_BASE_URL: sandbox.baseUrl,
    AZURE_AUTHORITY_HOST: sandbox.authorityHost,
    AZURE_TENANT_ID: sandbox.tenantId,
    AZURE_CLIENT_ID: sandbox.clientId,
    AZURE_CLIENT_SECRET: sandbox.clientSecret,
    NODE_EXTRA_CA_CERTS: sandbox.caFile,
    ORDER_POLL_INTERVAL: '250ms',
  };
}

describe('npm run worker against the sandbox, configured only through the environment', () => {
  it.each([
    ['App-only', 'SIGINT', false],
    ['App+User', 'SIGTERM', true],
  ] as const)(
    '%s: completes a purchase, applies the global rate limit, serves metrics, logs JSON without secrets, stops cleanly on %s',
    async (_mode, signal, appPlusUser) => {
      const sandbox = await startSandbox({ orderCompletionDelayMs: 300, orderListDelayMs: 1000 });
      const metricsPort = await freePort();
      const connection = await Connection.connect({ address: testServerAddress() });
      const taskQueue = uniqueTaskQueue('worker-process');
      const worker = runNode(builtEntry('worker.js'), [], {
        ...workerEnv(sandbox, taskQueue),
        ...(appPlusUser ? { PARTNER_CENTER_REFRESH_TOKEN: sandbox.refreshToken } : {}),
        METRICS_PORT: String(metricsPort),
        PARTNER_CENTER_REQUESTS_PER_MINUTE: '120',
        LOG_LEVEL: 'debug',
      });
      try {
        await worker.waitFor(/"msg":"Worker started"/);
        const client = new Client({ connection });
        const handle = await startPurchase(
          client,
          {
            requestId: `worker-process-${randomUUID()}`,
            customerId: sandbox.customerIds[0],
            items: [
              {
                offer: { productId: 'CFQ7TTC0LH18', skuId: '0001' },
                quantity: 2,
                termDuration: 'P1M',
                billingCycle: 'monthly',
              },
            ],
          },
          { taskQueue },
        );
        const result = await handle.result();
        expect(result.status).toBe('completed');
        expect(result.subscriptions).toEqual([expect.objectContaining({ quantity: 2, status: 'active' })]);
        const counters = await sandbox.control.counters();
        expect(counters.tokens[appPlusUser ? 'refreshToken' : 'clientCredentials']).toBeGreaterThan(0);

        // The global Partner Center budget is the task queues' activity rate limits, as the server applies them: the
        // main queue's, shared by priority, and a tenth for the polls of runs that recorded their own poll queue.
        for (const [queue, share] of [
          [taskQueue, 0.9],
          [pollTaskQueueOf(taskQueue), 0.1],
        ] as const) {
          const { effectiveRateLimit } = await connection.workflowService.describeTaskQueue({
            namespace: 'default',
            taskQueue: { name: queue },
            taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
            reportConfig: true,
          });
          expect(effectiveRateLimit?.requestsPerSecond).toBeCloseTo((120 / 60) * share);
          expect(effectiveRateLimit?.rateLimitSource).toBe(
            temporal.api.enums.v1.RateLimitSource.RATE_LIMIT_SOURCE_WORKER,
          );
        }

        // Prometheus: Temporal Core's metrics and ours, by route template (no ids in labels).
        const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
        expect(metrics).toMatch(/^temporal_activity_execution_latency/m);
        expect(metrics).toMatch(
          /partner_center_requests\w*\{[^}]*method="POST"[^}]*route="\/v1\/customers\/\{customerId\}\/carts"[^}]*\} [1-9]/,
        );
        expect(metrics).toMatch(/partner_center_request_latency\w*_bucket\{/);
        expect(metrics).not.toContain(sandbox.customerIds[0]);
        // docs/grafana-dashboard.json reads only what this worker exports.
        const exported = exportedMetricNames(metrics);
        const queries = dashboardQueries();
        expect(queries.length).toBeGreaterThan(10);
        for (const query of queries) {
          const names = metricNamesOf(query);
          expect({ query, names }).toEqual({ query, names: expect.arrayContaining([expect.any(String)]) });
          expect({ query, missing: names.filter((name) => !exported.has(name)) }).toEqual({ query, missing: [] });
        }
      } finally {
        worker.child.kill(signal);
        const { code } = await worker.exited;
        await connection.close();
        await sandbox.close();
        expect(code).toBe(0);
      }
      const logs = worker
        .output()
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { level: string; msg: string; tokenMode?: string; workflowBundle?: string });
      expect(logs.at(-1)).toMatchObject({ level: 'info', msg: 'partner-center-worker stopped' });
      // npm run build made the workflow bundle: no webpack at start, so no module listing in the logs either.
      expect(logs.find((log) => log.msg === 'Worker started')).toMatchObject({
        tokenMode: appPlusUser ? 'app+user' : 'app-only',
        workflowBundle: 'prebuilt',
      });
      expect(logs.filter((log) => /^asset workflow-bundle-/.test(log.msg))).toEqual([]);
      for (const secret of [sandbox.clientSecret, sandbox.refreshToken]) expect(worker.output()).not.toContain(secret);
      expect(worker.output()).not.toMatch(/eyJ[\w-]+\.[\w-]+\./);
    },
  );
});

test('SIGTERM during a checkout lets the call finish (grace period); a new worker completes the purchase with one order', async () => {
  const sandbox = await startSandbox({ orderCompletionDelayMs: 300, orderListDelayMs: 500 });
  const connection = await Connection.connect({ address: testServerAddress() });
  const taskQueue = uniqueTaskQueue('worker-grace');
  await sandbox.control.addFault({
    method: 'POST',
    path: '/v1/customers/*/carts/*/checkout',
    kind: 'latency',
    latencyMs: 3000,
  });
  const first = runNode(builtEntry('worker.js'), [], workerEnv(sandbox, taskQueue));
  let second: ReturnType<typeof runNode> | undefined;
  try {
    await first.waitFor(/"msg":"Worker started"/);
    const client = new Client({ connection });
    const handle = await startPurchase(
      client,
      {
        requestId: `worker-grace-${randomUUID()}`,
        customerId: sandbox.customerIds[0],
        items: [
          {
            offer: { productId: 'CFQ7TTC0LH18', skuId: '0001' },
            quantity: 3,
            termDuration: 'P1M',
            billingCycle: 'monthly',
          },
        ],
      },
      { taskQueue },
    );
    // SIGTERM only once the checkout call has reached Partner Center: the workflow's step says
    // 'checking-out' before the worker has even picked the activity task up.
    const checkoutRoute = 'POST /v1/customers/{customerId}/carts/{cartId}/checkout';
    for (let i = 0; i < 400 && !(await sandbox.control.counters()).requests[checkoutRoute]; i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect((await handle.query(purchaseStatusQuery)).step).toBe('checking-out');
    first.child.kill('SIGTERM');
    expect((await first.exited).code).toBe(0);

    const history = await handle.fetchHistory();
    const checkoutScheduled = history.events?.find(
      (event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'checkoutPurchaseCart',
    );
    expect(checkoutScheduled).toBeDefined();
    const checkoutCompleted = history.events?.find(
      (event) =>
        event.activityTaskCompletedEventAttributes?.scheduledEventId?.toString() ===
        checkoutScheduled?.eventId?.toString(),
    );
    expect(checkoutCompleted).toBeDefined(); // finished inside the grace period, not abandoned

    second = runNode(builtEntry('worker.js'), [], workerEnv(sandbox, taskQueue));
    const result = await handle.result();
    expect(result.status).toBe('completed');
    expect((await sandbox.control.counters()).ordersPerCart[result.cartId]).toBe(1);
  } finally {
    for (const worker of [first, second]) {
      if (worker && worker.child.exitCode === null) {
        worker.child.kill('SIGTERM');
        await worker.exited;
      }
    }
    await connection.close();
    await sandbox.close();
  }
});
