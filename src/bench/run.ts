import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import type { Logger } from '@temporalio/common';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { startPurchase, type PurchaseRequest } from '../client';
import { createCatalogResolver, createPartnerCenterClient, createTokenProvider } from '../partner-center';
import { startSandbox, type Sandbox } from 'partner-center-sandbox';
import { sandboxPartnerCenterSettings, sandboxTokenOptions } from '../sandbox-settings';
import { startDevServer } from '../temporal/dev-server';
import { runAsMain } from '../command-line';
import { createActivityDeps, workerOptions } from '../worker';

/**
 * `npm run bench`: what the product costs, measured on the real parts (Temporal dev server, sandbox over loopback
 * HTTP, msal-node, the worker in this process). Prints a table; `--json FILE` writes the figures.
 */

interface Figure {
  name: string;
  value: number;
  unit: string;
  note?: string;
}

const quiet: Logger = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };
const BUSINESS_BASIC = { productId: 'CFQ7TTC0LH18', skuId: '0001' };

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function round(value: number, digits = 1): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const value = await fn();
  return [value, performance.now() - started];
}

const benchStarted = performance.now();
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/**
 * Runs one scenario, saying on stderr when it starts and when it ends, with its duration and the time since the
 * bench started: the runs take minutes, and the table (stdout) comes only at the end.
 */
async function scenario<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const log = (line: string) =>
    process.stderr.write(`[${seconds(performance.now() - benchStarted).padStart(7)}] ${line}\n`);
  log(`start  ${name}`);
  const started = performance.now();
  try {
    const value = await fn();
    log(`done   ${name} (${seconds(performance.now() - started)})`);
    return value;
  } catch (error) {
    log(`FAILED ${name} (${seconds(performance.now() - started)})`);
    throw error;
  }
}

/** Client and auth: one token for many concurrent callers, request latency and throughput, catalog cache. */
async function benchClient(sandbox: Sandbox, figures: Figure[], requests: number): Promise<void> {
  const tokens = createTokenProvider(sandboxTokenOptions(sandbox));
  const before = await sandbox.control.counters();
  const [, tokenMs] = await timed(() => Promise.all(Array.from({ length: 100 }, () => tokens.getAccessToken())));
  const after = await sandbox.control.counters();
  figures.push({ name: 'token: 100 concurrent getAccessToken', value: round(tokenMs), unit: 'ms' });
  figures.push({
    name: 'token: requests to the authority for them',
    value: after.tokens.clientCredentials - before.tokens.clientCredentials,
    unit: 'requests',
  });

  const client = createPartnerCenterClient({ baseUrl: sandbox.baseUrl, tokens });
  const catalog = createCatalogResolver(client, {});
  const query = {
    ...BUSINESS_BASIC,
    termDuration: 'P1Y',
    billingCycle: 'monthly',
    country: 'US',
    segment: 'commercial',
  } as const;
  const [, coldMs] = await timed(() => catalog.resolve(query));
  const [, warmMs] = await timed(() => catalog.resolve(query));
  figures.push({ name: 'catalog resolve, cold (product → SKU → availabilities)', value: round(coldMs), unit: 'ms' });
  figures.push({ name: 'catalog resolve, cached', value: round(warmMs, 3), unit: 'ms' });

  // Lift the sandbox's realistic 500/min throttle: this measures the client, not Partner Center's limits.
  await sandbox.control.setThrottling({ partnerPerMinute: 1_000_000, customerPerMinute: 1_000_000 });
  const latencies: number[] = [];
  const concurrency = 16;
  let next = 0;
  const [, totalMs] = await timed(() =>
    Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < requests) {
          next += 1;
          const [, ms] = await timed(() => client.listProducts({ country: 'US', targetView: 'OnlineServices' }));
          latencies.push(ms);
        }
      }),
    ),
  );
  latencies.sort((a, b) => a - b);
  figures.push({
    name: `client: GET /products x${requests}, ${concurrency} in flight`,
    value: round((requests / totalMs) * 1000),
    unit: 'req/s',
  });
  figures.push({ name: 'client: request latency p50', value: round(percentile(latencies, 50), 2), unit: 'ms' });
  figures.push({ name: 'client: request latency p95', value: round(percentile(latencies, 95), 2), unit: 'ms' });
}

interface PurchaseRun {
  latencies: number[];
  totalMs: number;
  historyEvents: number[];
  requests: number;
  maxOrdersPerCart: number;
}

async function runPurchases(client: Client, taskQueue: string, sandbox: Sandbox, count: number): Promise<PurchaseRun> {
  const before = await sandbox.control.counters();
  const requests: PurchaseRequest[] = Array.from({ length: count }, (_, i) => ({
    requestId: `bench-${randomUUID()}`,
    customerId: sandbox.customerIds[0], // the seeded US customer (the others are in GB and DE)
    // Distinct seats per purchase of a run: after a lost checkout answer refused as already submitted, a cart's
    // orders are told apart from other purchases' by their lines (activities/checkout-recovery.ts).
    items: [{ offer: BUSINESS_BASIC, quantity: 1 + (i % 300), termDuration: 'P1Y', billingCycle: 'monthly' }],
  }));
  const started = performance.now();
  const latencies = await Promise.all(
    requests.map(async (request) => {
      const t0 = performance.now();
      const handle = await startPurchase(client, request, { taskQueue });
      const result = await handle.result().catch((error: Error & { cause?: Error }) => {
        throw new Error(`bench purchase ${request.requestId} failed: ${error.cause?.message ?? error.message}`);
      });
      if (result.status !== 'completed') throw new Error(`bench purchase ended ${result.status}`);
      return performance.now() - t0;
    }),
  );
  const totalMs = performance.now() - started;
  const historyEvents = await Promise.all(
    requests.map(async (request) => {
      const history = await client.workflow.getHandle(`purchase-${request.requestId}`).fetchHistory();
      return history.events?.length ?? 0;
    }),
  );
  const after = await sandbox.control.counters();
  const sum = (counters: Record<string, number>) => Object.values(counters).reduce((a, b) => a + b, 0);
  return {
    latencies: latencies.sort((a, b) => a - b),
    totalMs,
    historyEvents,
    requests: sum(after.requests) - sum(before.requests),
    maxOrdersPerCart: Math.max(...Object.values(after.ordersPerCart)),
  };
}

/** The run's Temporal dev server, its connections and the workflow bundle, shared by the scenarios that need them. */
interface TemporalRig {
  client: Client;
  nativeConnection: NativeConnection;
  bundle: Awaited<ReturnType<typeof bundleWorkflowCode>>;
}

async function withTemporal(figures: Figure[], body: (rig: TemporalRig) => Promise<void>): Promise<void> {
  const server = await scenario('Temporal dev server start', () =>
    startDevServer({ progress: (line) => process.stderr.write(`${line}\n`) }),
  );
  const nativeConnection = await NativeConnection.connect({ address: server.address });
  const connection = await Connection.connect({ address: server.address });
  try {
    const [bundle, bundleMs] = await scenario('workflow bundle build', () =>
      timed(() => bundleWorkflowCode({ workflowsPath: require.resolve('../workflows'), logger: quiet })),
    );
    figures.push({ name: 'workflow bundle build', value: round(bundleMs), unit: 'ms' });
    await body({ client: new Client({ connection }), nativeConnection, bundle });
  } finally {
    await connection.close();
    await nativeConnection.close();
    await server.stop();
  }
}

/** The whole purchase on the real dev server: latency, throughput, history size, API calls, memory. */
async function benchPurchases(
  { client, nativeConnection, bundle }: TemporalRig,
  sandbox: Sandbox,
  figures: Figure[],
  count: number,
): Promise<void> {
  const pollIntervalMs = 250;
  const deps = createActivityDeps(
    sandboxPartnerCenterSettings(sandbox),
    { orderPollIntervalMs: pollIntervalMs, orderVisibilityDeadlineMs: 60_000 },
    quiet,
    sandbox.caPem,
  );
  const taskQueue = `bench-${randomUUID()}`;
  const worker = await Worker.create({
    connection: nativeConnection,
    workflowBundle: bundle,
    ...workerOptions(deps, { taskQueue, requestsPerMinute: 1_000_000 }),
    shutdownGraceTime: '1s',
  });
  const rssBeforeRuns = process.memoryUsage().rss;
  await worker.runUntil(async () => {
    await sandbox.control.setDelays({ orderCompletionMs: 300, orderListMs: 0 });
    // Warm-up: first bundle load, token, catalog cache.
    await scenario('warm-up: 2 purchases', () => runPurchases(client, taskQueue, sandbox, 2));
    const run = await scenario(`${count} concurrent purchases`, () => runPurchases(client, taskQueue, sandbox, count));
    figures.push({
      name: `purchase: ${count} concurrent, end to end p50`,
      value: round(percentile(run.latencies, 50)),
      unit: 'ms',
      note: `order completes after 300 ms, polled every ${pollIntervalMs} ms`,
    });
    figures.push({ name: 'purchase: end to end p95', value: round(percentile(run.latencies, 95)), unit: 'ms' });
    figures.push({ name: 'purchase: throughput', value: round((count / run.totalMs) * 60_000), unit: 'purchases/min' });
    figures.push({
      name: 'purchase: Partner Center requests per purchase',
      value: round(run.requests / count, 2),
      unit: 'requests',
    });
    figures.push({
      name: 'purchase: orders per cart (max; 1 = never bought twice)',
      value: run.maxOrdersPerCart,
      unit: 'orders',
    });
    const meanEvents = run.historyEvents.reduce((a, b) => a + b, 0) / count;
    figures.push({ name: 'purchase: history events per purchase', value: round(meanEvents), unit: 'events' });

    // The order takes 10 s instead of 0.3 s: ~40 polls. The retry policy is the poller, so history stays flat.
    await sandbox.control.setDelays({ orderCompletionMs: 10_000 });
    const slow = await scenario('1 purchase whose order takes 10 s', () => runPurchases(client, taskQueue, sandbox, 1));
    figures.push({
      name: 'purchase: history events with a 10 s order (~40 polls)',
      value: slow.historyEvents[0],
      unit: 'events',
    });
    await sandbox.control.setDelays({ orderCompletionMs: 300 });

    // The same load while Partner Center misbehaves: every purchase must still complete, none may buy twice.
    const faultCount = Math.ceil(count / 3);
    await sandbox.control.addFault({
      method: 'POST',
      path: '/v1/customers/*/carts',
      kind: 'status',
      status: 503,
      count: faultCount,
    });
    await sandbox.control.addFault({
      method: 'POST',
      path: '/v1/customers/*/carts',
      kind: 'throttle',
      retryAfterSeconds: 1,
      count: faultCount,
    });
    await sandbox.control.addFault({
      method: 'POST',
      path: '/v1/customers/*/carts/*/checkout',
      kind: 'commit-then-drop',
      count: faultCount,
    });
    const faulty = await scenario(`${count} concurrent purchases under cart 503s, 429s and dropped checkouts`, () =>
      runPurchases(client, taskQueue, sandbox, count),
    );
    await sandbox.control.clearFaults();
    const faults = `${faultCount} cart 503s, ${faultCount} cart 429s (Retry-After 1 s), ${faultCount} checkouts committed then dropped`;
    figures.push({
      name: `purchase under faults: ${count} concurrent, all completed, p50`,
      value: round(percentile(faulty.latencies, 50)),
      unit: 'ms',
      note: faults,
    });
    figures.push({ name: 'purchase under faults: p95', value: round(percentile(faulty.latencies, 95)), unit: 'ms' });
    figures.push({
      name: 'purchase under faults: requests per purchase',
      value: round(faulty.requests / count, 2),
      unit: 'requests',
    });
    figures.push({
      name: 'purchase under faults: orders per cart (max)',
      value: faulty.maxOrdersPerCart,
      unit: 'orders',
    });

    // Partner Center's other listed answer to a repeated checkout (400/800065), and no MS-RequestId replay: every
    // purchase loses its checkout answer and finds its order in the customer's order list, which lags 2 s.
    await sandbox.control.setApiPolicy({ repeatedCheckout: 'already-submitted', requestIdReplay: false });
    await sandbox.control.setDelays({ orderListMs: 2000 });
    await sandbox.control.addFault({
      method: 'POST',
      path: '/v1/customers/*/carts/*/checkout',
      kind: 'commit-then-drop',
      count,
    });
    const refused = await scenario(
      `${count} concurrent purchases, checkout answers lost and repeats refused (800065)`,
      () => runPurchases(client, taskQueue, sandbox, count),
    );
    await sandbox.control.clearFaults();
    await sandbox.control.setApiPolicy({ repeatedCheckout: 'replay', requestIdReplay: true });
    const lost = `every checkout answer lost, its repeat refused with 800065; order list lagging 2 s`;
    figures.push({
      name: `purchase, checkout answer lost + 800065: ${count} concurrent, p50`,
      value: round(percentile(refused.latencies, 50)),
      unit: 'ms',
      note: lost,
    });
    figures.push({
      name: 'purchase, checkout answer lost + 800065: p95',
      value: round(percentile(refused.latencies, 95)),
      unit: 'ms',
    });
    figures.push({
      name: 'purchase, checkout answer lost + 800065: requests per purchase',
      value: round(refused.requests / count, 2),
      unit: 'requests',
    });
    figures.push({
      name: 'purchase, checkout answer lost + 800065: orders per cart (max)',
      value: refused.maxOrdersPerCart,
      unit: 'orders',
    });
  });
  // One process holds the worker, the sandbox and the clients: these are its figures, not the worker's alone.
  const memory = process.memoryUsage();
  const mib = (bytes: number) => round(bytes / 2 ** 20);
  figures.push({
    name: 'bench process memory after the purchase runs: RSS',
    value: mib(memory.rss),
    unit: 'MiB',
    note: `RSS before the runs: ${mib(rssBeforeRuns)} MiB; worker, sandbox and clients in one process`,
  });
  figures.push({
    name: 'bench process memory after the purchase runs: heap used',
    value: mib(memory.heapUsed),
    unit: 'MiB',
  });
  await scenario('replay of committed histories', () => benchReplay(figures, bundle));
}

/** Sums the sandbox's request counters whose `METHOD /template` key passes `filter`. */
async function requestCount(sandbox: Sandbox, filter: (key: string) => boolean = () => true): Promise<number> {
  const { requests } = await sandbox.control.counters();
  return Object.entries(requests).reduce((sum, [key, n]) => sum + (filter(key) ? n : 0), 0);
}

const mib = (bytes: number) => round(bytes / 2 ** 20);

/**
 * Purchases that sit in `awaiting-order` (the sandbox completes no order within the run): what holding them costs
 * the worker in memory and CPU, and what their polls cost Partner Center, with the production poll settings.
 */
async function benchWaiting(
  { client, nativeConnection, bundle }: TemporalRig,
  sandbox: Sandbox,
  figures: Figure[],
  count: number,
  windowMs: number,
): Promise<void> {
  const deps = createActivityDeps(
    sandboxPartnerCenterSettings(sandbox),
    { orderPollIntervalMs: 15_000, orderPollMaxIntervalMs: 5 * 60_000, orderVisibilityDeadlineMs: 6 * 3_600_000 },
    quiet,
    sandbox.caPem,
  );
  const taskQueue = `bench-waiting-${randomUUID()}`;
  const worker = await Worker.create({
    connection: nativeConnection,
    workflowBundle: bundle,
    ...workerOptions(deps, { taskQueue, requestsPerMinute: 1_000_000 }),
    shutdownGraceTime: '1s',
  });
  // The worker, the sandbox and the clients share this process: its figures bound the worker's from above.
  const where = 'worker in this process, with the sandbox and the clients';
  await sandbox.control.setThrottling({ partnerPerMinute: 1_000_000, customerPerMinute: 1_000_000 });
  await worker.runUntil(async () => {
    await sandbox.control.setDelays({ orderCompletionMs: 0, orderListMs: 0 });
    await scenario('warm-up: 2 purchases', () => runPurchases(client, taskQueue, sandbox, 2));
    const idle = process.memoryUsage();
    figures.push({ name: 'waiting: worker idle, RSS', value: mib(idle.rss), unit: 'MiB', note: where });
    figures.push({ name: 'waiting: worker idle, heap used', value: mib(idle.heapUsed), unit: 'MiB' });

    await sandbox.control.setDelays({ orderCompletionMs: 24 * 3_600_000 });
    // RSS sampled every second from the first start to the end of the wait: its peak is the burst of starts.
    let peakRss = 0;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, 1000);
    const checkouts = () => requestCount(sandbox, (key) => key.startsWith('POST ') && key.endsWith('/checkout'));
    const checkoutsBefore = await checkouts();
    const windowStarted = await scenario(`start ${count} purchases whose orders stay pending`, async () => {
      // Started 50 at a time: the dev server's frontend, not the worker, is what a burst of starts would measure.
      for (let i = 0; i < count; i += 50) {
        const batch: PurchaseRequest[] = Array.from({ length: Math.min(50, count - i) }, (_, j) => ({
          requestId: `bench-waiting-${randomUUID()}`,
          customerId: sandbox.customerIds[0],
          items: [
            { offer: BUSINESS_BASIC, quantity: 1 + ((i + j) % 300), termDuration: 'P1Y', billingCycle: 'monthly' },
          ],
        }));
        await Promise.all(batch.map((request) => startPurchase(client, request, { taskQueue })));
      }
      while ((await checkouts()) - checkoutsBefore < count) await new Promise((resolve) => setTimeout(resolve, 1000));
      return performance.now();
    });
    const requestsBefore = await requestCount(sandbox);
    const cpuBefore = process.cpuUsage();
    await scenario(
      `${count} purchases waiting in awaiting-order for ${seconds(windowMs)}`,
      () => new Promise((resolve) => setTimeout(resolve, windowMs)),
    );
    clearInterval(sampler);
    const waiting = process.memoryUsage();
    const elapsedMs = performance.now() - windowStarted;
    const cpu = process.cpuUsage(cpuBefore);
    const requests = (await requestCount(sandbox)) - requestsBefore;
    figures.push({
      name: `waiting: ${count} purchases in awaiting-order, RSS`,
      value: mib(waiting.rss),
      unit: 'MiB',
      note: `${where}, at the end of the wait; target ≤ 300 MiB`,
    });
    figures.push({
      name: `waiting: ${count} purchases in awaiting-order, heap used`,
      value: mib(waiting.heapUsed),
      unit: 'MiB',
      note: 'main thread; the workflows run in a worker thread, counted in RSS only',
    });
    figures.push({
      name: `waiting: peak RSS while the ${count} purchases started`,
      value: mib(peakRss),
      unit: 'MiB',
      note: 'workflow tasks of runs evicted from the cache replay, and their garbage is collected later',
    });
    figures.push({
      name: 'waiting: CPU of this process while they wait',
      value: round(((cpu.user + cpu.system) / 1000 / elapsedMs) * 100),
      unit: '% of a core',
    });
    figures.push({
      name: 'waiting: Partner Center requests per waiting purchase per minute',
      value: round(requests / count / (elapsedMs / 60_000), 2),
      unit: 'requests',
      note: `${seconds(elapsedMs)} window right after the last checkout; polls at 0, 15 s, 75 s, 315 s, then every 5 min; a constant 15 s made 4`,
    });
  });
}

/** Replaying committed histories: what a worker restart costs per cached workflow. */
async function benchReplay(figures: Figure[], bundle: Awaited<ReturnType<typeof bundleWorkflowCode>>): Promise<void> {
  const dir = join(__dirname, '..', '..', 'test', 'fixtures', 'histories');
  let files: string[];
  try {
    files = readdirSync(dir).filter((file) => file.endsWith('.json'));
  } catch {
    return;
  }
  if (files.length === 0) return;
  const histories = files.map((file) => JSON.parse(readFileSync(join(dir, file), 'utf8')));
  const [, ms] = await timed(async () => {
    for (const history of histories) await Worker.runReplayHistory({ workflowBundle: bundle }, history);
  });
  figures.push({
    name: `replay: ${histories.length} committed histories`,
    value: round(ms / histories.length),
    unit: 'ms/history',
  });
}

function printTable(figures: Figure[]): void {
  const width = Math.max(...figures.map((f) => f.name.length));
  process.stdout.write(`\n${'benchmark'.padEnd(width)}  ${'value'.padStart(10)}  unit\n`);
  process.stdout.write(`${'-'.repeat(width)}  ${'-'.repeat(10)}  ----\n`);
  for (const f of figures) {
    process.stdout.write(
      `${f.name.padEnd(width)}  ${String(f.value).padStart(10)}  ${f.unit}${f.note ? `  (${f.note})` : ''}\n`,
    );
  }
}

const USAGE = `Usage: npm run bench -- [--only client|purchases|waiting] [--purchases N] [--requests N] [--waiting N] [--wait-window SECONDS] [--json FILE]`;

export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      json: { type: 'string' },
      only: { type: 'string' },
      purchases: { type: 'string' },
      requests: { type: 'string' },
      waiting: { type: 'string' },
      'wait-window': { type: 'string' },
    },
  });
  const only = values.only;
  if (only !== undefined && !['client', 'purchases', 'waiting'].includes(only))
    throw new Error(`--only must be client, purchases or waiting (got "${only}")\n${USAGE}`);
  const runs = (name: string) => only === undefined || only === name;
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const figures: Figure[] = [];
  const sandbox = await startSandbox({ orderCompletionDelayMs: 300, orderListDelayMs: 0 });
  try {
    const requests = Number(values.requests ?? '2000');
    if (runs('client')) {
      await scenario(
        `Partner Center client: 100 concurrent tokens, catalog resolution, GET /products x${requests}`,
        () => benchClient(sandbox, figures, requests),
      );
    }
    if (runs('purchases') || runs('waiting')) {
      await withTemporal(figures, async (rig) => {
        if (runs('purchases')) await benchPurchases(rig, sandbox, figures, Number(values.purchases ?? '30'));
        if (runs('waiting'))
          await benchWaiting(
            rig,
            sandbox,
            figures,
            Number(values.waiting ?? '1000'),
            Number(values['wait-window'] ?? '180') * 1000,
          );
      });
    }
  } finally {
    await sandbox.close();
  }
  printTable(figures);
  const report = { date: new Date().toISOString(), node: process.version, cpus: cpus().length, figures };
  if (values.json) writeFileSync(values.json, `${JSON.stringify(report, null, 2)}\n`);
}

if (require.main === module) runAsMain(() => main(process.argv.slice(2)).then(() => 0));
