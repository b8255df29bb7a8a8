import { randomInt, randomUUID } from 'node:crypto';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { Client } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { startSandbox, type Sandbox } from 'partner-center-sandbox';
import { connectClient } from '../../../src/client';
import { loadConfig, type PartnerCenterSettings, type WorkerConfig } from '../../../src/config';
import { activeTracing, startTracing, stopTracing } from '../../../src/tracing';
import { installRuntime, runWorker } from '../../../src/worker';
import { runNode } from '../../support/processes';
import { call, startApi, submit, read, tokens, until, type RunningApi } from '../api/support';
import { testServerAddress, uniqueTaskQueue } from '../../support/temporal';
import { silentLogger } from '../../support/activities';

/**
 * Traces end to end, with an in-memory exporter in place of OTEL_TRACES_EXPORTER's: the HTTP API, its Temporal client,
 * the production worker (runWorker: the traced bundle, the activity interceptors, the workflow spans' sink) and the
 * Partner Center sandbox over HTTP. One purchase through the API is one trace, from the request down to each
 * Partner Center call, and no span carries a secret or a customer's id.
 */

const spans = new InMemorySpanExporter();
let sandbox: Sandbox;
let config: WorkerConfig;
let connection: NativeConnection;
let client: Client;
let api: RunningApi;
const stop = new AbortController();
let worker: Promise<void>;

beforeAll(async () => {
  process.env.OTEL_SERVICE_NAME = 'pcw-traces-test';
  await startTracing('partner-center-worker', process.env, { spanProcessors: [new SimpleSpanProcessor(spans)] });
  // A seed of its own: the ids of what it buys follow the seed, and the lifecycle (subscription-{id}) an earlier
  // test file started for the same id stays on the shared dev server, on that file's task queue.
  sandbox = await startSandbox({ orderCompletionDelayMs: 300, orderListDelayMs: 1000, seed: randomInt(2, 2 ** 31) });
  config = loadConfig(
    {
      TEMPORAL_CONFIG_FILE: '/nonexistent/temporal.toml',
      TEMPORAL_ADDRESS: testServerAddress(),
      TEMPORAL_TASK_QUEUE: uniqueTaskQueue('traces'),
      PARTNER_CENTER_BASE_URL: sandbox.baseUrl,
      AZURE_AUTHORITY_HOST: sandbox.authorityHost,
      AZURE_TENANT_ID: sandbox.tenantId,
      AZURE_CLIENT_ID: sandbox.clientId,
      AZURE_CLIENT_SECRET: sandbox.clientSecret,
      ORDER_POLL_INTERVAL: '250ms',
    },
    { requirePartnerCenter: true },
  );
  installRuntime({ ...config, logLevel: 'error' }, silentLogger, []);
  connection = await NativeConnection.connect(config.temporal.connectionOptions);
  worker = runWorker(config, config.partnerCenter as PartnerCenterSettings, silentLogger, {
    trustedCaPem: sandbox.caPem,
    connection,
    stop: stop.signal,
  });
  client = await connectClient(config);
  api = await startApi(client, config.taskQueue);
}, 180_000);

afterAll(async () => {
  await api?.close();
  stop.abort();
  await worker;
  await client?.connection.close();
  await connection?.close();
  await sandbox?.close();
  await stopTracing();
  delete process.env.OTEL_SERVICE_NAME;
});

const attributesOf = (span: ReadableSpan) => span.attributes;
const parentOf = (span: ReadableSpan, all: ReadableSpan[]) =>
  all.find((s) => s.spanContext().spanId === span.parentSpanId);

/** The chain of span names from `span` up to its trace's root. */
function ancestry(span: ReadableSpan, all: ReadableSpan[]): string[] {
  const names: string[] = [];
  for (let at: ReadableSpan | undefined = span; at !== undefined; at = parentOf(at, all)) names.push(at.name);
  return names;
}

it('one purchase through the HTTP API is one trace: API → StartWorkflow → RunWorkflow → activities → HTTP calls', async () => {
  expect(activeTracing()).toBeDefined();
  const requestId = `traces-${randomUUID()}`;
  const customerId = sandbox.customerIds[0];
  const posted = await call(api, 'POST', '/v1/purchases', {
    token: submit,
    headers: { 'idempotency-key': requestId },
    body: {
      requestId,
      customerId,
      items: [
        {
          offer: { productId: 'CFQ7TTC0LH18', skuId: '0001' },
          quantity: 2,
          termDuration: 'P1M',
          billingCycle: 'monthly',
        },
      ],
    },
  });
  expect(posted.status).toBe(202);
  await until(api, `/v1/purchases/${requestId}`, read, (view) => view.execution === 'COMPLETED', 60_000);
  // The workflow's spans reach the exporter through the sink when its last task completes.
  const deadline = Date.now() + 10_000;
  const root = () =>
    spans
      .getFinishedSpans()
      .find((s) => s.name === 'POST /v1/purchases' && s.attributes['http.response.status_code'] === 202);
  const workflowRun = () =>
    spans
      .getFinishedSpans()
      .find(
        (s) =>
          s.name === 'RunWorkflow:purchaseSubscription' && s.spanContext().traceId === root()?.spanContext().traceId,
      );
  // The lifecycle child's first Partner Center read ends on its own time, after the purchase may have completed.
  const lifecycleCall = () =>
    spans
      .getFinishedSpans()
      .find(
        (s) =>
          s.attributes['url.template'] !== undefined &&
          s.spanContext().traceId === root()?.spanContext().traceId &&
          !ancestry(s, spans.getFinishedSpans()).includes('RunWorkflow:purchaseSubscription'),
      );
  while (
    (root() === undefined || workflowRun() === undefined || lifecycleCall() === undefined) &&
    Date.now() < deadline
  )
    await new Promise((resolve) => setTimeout(resolve, 100));

  const all = spans.getFinishedSpans();
  const traceId = root()!.spanContext().traceId;
  const trace = all.filter((s) => s.spanContext().traceId === traceId);
  const names = trace.map((s) => s.name);
  expect(names).toEqual(
    expect.arrayContaining([
      'POST /v1/purchases',
      'StartWorkflow:purchaseSubscription',
      'RunWorkflow:purchaseSubscription',
      'POST /v1/customers/{customerId}/carts',
      'POST /v1/customers/{customerId}/carts/{cartId}/checkout',
      'StartChildWorkflow:subscriptionLifecycle',
    ]),
  );
  expect(root()!.attributes).toMatchObject({ 'http.request.method': 'POST', 'http.route': '/v1/purchases' });

  // Every Partner Center call of the purchase is under its activity, the run, the start and the API request; the
  // subscription's lifecycle (a child run that stays open, so its own run span is not finished yet) joins the trace.
  const calls = trace.filter((s) => attributesOf(s)['url.template'] !== undefined);
  const purchaseCalls = calls.filter((s) => ancestry(s, trace).includes('RunWorkflow:purchaseSubscription'));
  expect(purchaseCalls.length).toBeGreaterThanOrEqual(6);
  expect(calls.length).toBeGreaterThan(purchaseCalls.length);
  for (const span of purchaseCalls) {
    const chain = ancestry(span, trace);
    expect(chain[1]).toMatch(/^RunActivity:/);
    expect(chain[2]).toMatch(/^StartActivity:/);
    expect(chain.slice(3)).toEqual([
      'RunWorkflow:purchaseSubscription',
      'StartWorkflow:purchaseSubscription',
      'POST /v1/purchases',
    ]);
    expect(span.attributes).toMatchObject({
      'http.request.method': expect.stringMatching(/^(GET|POST|PATCH|PUT|DELETE)$/),
      'url.template': expect.stringMatching(/^\/v1(\/([A-Za-z$]+|\{[a-zA-Z]+\}))+$/),
      'http.response.status_code': expect.any(Number),
      'http.response.header.ms-requestid': [expect.stringMatching(/^[0-9a-f-]{36}$/)],
    });
  }
  // A workflow span names its run and no more (the sink would add the search attributes: a customer's id).
  expect(Object.keys(workflowRun()!.attributes).sort()).toEqual([
    'attempt',
    'namespace',
    'runId',
    'taskQueue',
    'workflowId',
    'workflowType',
  ]);
  const checkout = calls.find((s) => s.name.endsWith('/checkout'))!;
  expect(checkout.attributes['http.response.status_code']).toBe(201);

  // No secret, no token, no customer's id in any attribute of any span (any trace: status reads included).
  const everything = JSON.stringify(all.map((s) => ({ name: s.name, attributes: s.attributes, events: s.events })));
  for (const secret of [
    sandbox.clientSecret,
    sandbox.refreshToken,
    customerId,
    sandbox.tenantId,
    ...tokens.map((t) => t.token),
  ])
    expect(everything).not.toContain(secret);
  expect(everything).not.toMatch(/eyJ[\w-]+\.[\w-]+/); // a JWT (an access token)
  expect(everything).not.toMatch(/bearer/i);
}, 120_000);

it('a pcw command is the root of the trace of the purchase it starts (pcw exports to the console here)', async () => {
  const requestId = `traces-pcw-${randomUUID()}`;
  const offer = [
    '--product',
    'CFQ7TTC0LH18',
    '--sku',
    '0001',
    '--quantity',
    '1',
    '--term',
    'P1M',
    '--billing',
    'monthly',
  ];
  const pcw = runNode(
    'bin/pcw.js',
    ['purchase', '--customer', sandbox.customerIds[0], '--request-id', requestId, ...offer],
    {
      TEMPORAL_CONFIG_FILE: '/nonexistent/temporal.toml',
      TEMPORAL_ADDRESS: testServerAddress(),
      TEMPORAL_TASK_QUEUE: config.taskQueue,
      OTEL_SERVICE_NAME: 'pcw',
      OTEL_TRACES_EXPORTER: 'console',
    },
  );
  expect((await pcw.exited).code).toBe(0);
  await client.workflow.getHandle(`purchase-${requestId}`).result();
  // The console exporter prints each span as an object: its traceId, parentId, name and id.
  const printed = [
    ...pcw
      .output()
      .matchAll(/traceId: '(\w+)',\s+parentId: (?:'(\w+)'|undefined),[\s\S]*?name: '([^']+)',\s+id: '(\w+)'/g),
  ];
  const command = printed.find((match) => match[3] === 'pcw purchase');
  const start = printed.find((match) => match[3] === 'StartWorkflow:purchaseSubscription');
  expect(command?.[2]).toBeUndefined();
  expect(start?.[2]).toBe(command?.[4]);
  const deadline = Date.now() + 10_000;
  const run = () =>
    spans
      .getFinishedSpans()
      .find(
        (s) => s.name === 'RunWorkflow:purchaseSubscription' && s.attributes.workflowId === `purchase-${requestId}`,
      );
  while (run() === undefined && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  expect(run()?.spanContext().traceId).toBe(command?.[1]);
  expect(run()?.parentSpanId).toBe(start?.[4]);
}, 120_000);
