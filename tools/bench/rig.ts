import { randomUUID } from 'node:crypto';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { bundleWorkflowCode, NativeConnection } from '@temporalio/worker';
import type { Sandbox } from 'partner-center-sandbox';
import { startPurchase, type PurchaseRequest } from '../../src/client';
import { startDevServer, type DevServer } from '../../src/dev/temporal-dev-server';
import { quiet, round, scenario, timed, type Figure } from './report';

/** The seeded catalog's Microsoft 365 Business Basic; the seeded US customer is `sandbox.customerIds[0]`. */
export const BUSINESS_BASIC = { productId: 'CFQ7TTC0LH18', skuId: '0001' };

/** The run's Temporal dev server, its connections and the workflow bundle, shared by the scenarios that need them. */
export interface TemporalRig {
  server: DevServer;
  client: Client;
  nativeConnection: NativeConnection;
  bundle: Awaited<ReturnType<typeof bundleWorkflowCode>>;
}

export async function withTemporal(figures: Figure[], body: (rig: TemporalRig) => Promise<void>): Promise<void> {
  const server = await scenario('Temporal dev server start', () =>
    startDevServer({ progress: (line) => process.stderr.write(`${line}\n`) }),
  );
  const nativeConnection = await NativeConnection.connect({ address: server.address });
  const connection = await Connection.connect({ address: server.address });
  try {
    const [bundle, bundleMs] = await scenario('workflow bundle build', () =>
      timed(() => bundleWorkflowCode({ workflowsPath: require.resolve('../../src/workflows'), logger: quiet })),
    );
    figures.push({ name: 'workflow bundle build', value: round(bundleMs), unit: 'ms' });
    await body({ server, client: new Client({ connection }), nativeConnection, bundle });
  } finally {
    await connection.close();
    await nativeConnection.close();
    await server.stop();
  }
}

/**
 * A purchase of the seeded US customer. Distinct seats per purchase of a run (`i`): after a lost checkout answer
 * refused as already submitted, a cart's orders are told apart from other purchases' by their lines.
 */
export function benchPurchase(sandbox: Sandbox, i: number, prefix = 'bench'): PurchaseRequest {
  return {
    requestId: `${prefix}-${randomUUID()}`,
    customerId: sandbox.customerIds[0],
    items: [{ offer: BUSINESS_BASIC, quantity: 1 + (i % 300), termDuration: 'P1Y', billingCycle: 'monthly' }],
  };
}

/** Runs `count` jobs, at most `concurrency` at a time; resolves with each job's duration in ms, sorted. */
export async function runConcurrently(
  count: number,
  concurrency: number,
  job: (i: number) => Promise<void>,
): Promise<{ latencies: number[]; totalMs: number }> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        const i = next++;
        const t0 = performance.now();
        await job(i);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  return { latencies: latencies.sort((a, b) => a - b), totalMs: performance.now() - started };
}

/** Sums the sandbox's request counters whose `METHOD /template` key passes `filter`. */
export async function requestCount(sandbox: Sandbox, filter: (key: string) => boolean = () => true): Promise<number> {
  const { requests } = await sandbox.control.counters();
  return Object.entries(requests).reduce((sum, [key, n]) => sum + (filter(key) ? n : 0), 0);
}

export const isCheckout = (key: string) => key.startsWith('POST ') && key.endsWith('/checkout');

export interface PurchaseRun {
  latencies: number[];
  totalMs: number;
  historyEvents: number[];
  requests: number;
  maxOrdersPerCart: number;
  checkouts: number;
}

/** `count` purchases, `concurrency` at a time (all at once by default); every one must complete. */
export async function runPurchases(
  client: Client,
  taskQueue: string,
  sandbox: Sandbox,
  count: number,
  concurrency = count,
): Promise<PurchaseRun> {
  const before = await sandbox.control.counters();
  const requests = Array.from({ length: count }, (_, i) => benchPurchase(sandbox, i));
  const { latencies, totalMs } = await runConcurrently(count, concurrency, async (i) => {
    const request = requests[i];
    const handle = await startPurchase(client, request, { taskQueue });
    const result = await handle.result().catch((error: Error & { cause?: Error }) => {
      throw new Error(`bench purchase ${request.requestId} failed: ${error.cause?.message ?? error.message}`);
    });
    if (result.status !== 'completed') throw new Error(`bench purchase ended ${result.status}`);
  });
  const historyEvents = await Promise.all(
    requests.map(async (request) => {
      const history = await client.workflow.getHandle(`purchase-${request.requestId}`).fetchHistory();
      return history.events?.length ?? 0;
    }),
  );
  const after = await sandbox.control.counters();
  const sum = (counters: Record<string, number>, filter: (key: string) => boolean = () => true) =>
    Object.entries(counters).reduce((total, [key, n]) => total + (filter(key) ? n : 0), 0);
  return {
    latencies,
    totalMs,
    historyEvents,
    requests: sum(after.requests) - sum(before.requests),
    maxOrdersPerCart: Math.max(...Object.values(after.ordersPerCart)),
    checkouts: sum(after.requests, isCheckout) - sum(before.requests, isCheckout),
  };
}

/**
 * Seconds from a purchase's start to the completion of its checkout, both as the server recorded them, read from
 * its history once it has checked out (polled every 250 ms, up to `timeoutMs`).
 */
export async function timeToCheckout(handle: WorkflowHandle, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const events = (await handle.fetchHistory()).events ?? [];
    const scheduled = events.find(
      (event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'checkoutPurchaseCart',
    );
    const completed =
      scheduled &&
      events.find(
        (event) =>
          event.activityTaskCompletedEventAttributes?.scheduledEventId?.toString() === scheduled.eventId?.toString(),
      );
    if (completed) {
      const ms = (event: (typeof events)[number]) =>
        Number(event.eventTime?.seconds ?? 0) * 1000 + Math.floor((event.eventTime?.nanos ?? 0) / 1e6);
      return (ms(completed) - ms(events[0])) / 1000;
    }
    if (Date.now() > deadline) throw new Error(`purchase ${handle.workflowId} did not check out in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
