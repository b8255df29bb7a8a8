import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import type { Sandbox } from 'partner-center-sandbox';
import { sandboxPartnerCenterSettings } from '../../src/sandbox-settings';
import { createActivityDeps, workerOptions } from '../../src/worker';
import { REPOSITORY_ROOT } from '../repository-root';
import { mib, percentile, quiet, round, scenario, timed, type Figure } from './report';
import { runPurchases, type TemporalRig } from './rig';

/** The whole purchase on the real dev server: latency, throughput, history size, API calls, memory. */
export async function benchPurchases(
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

/** Replaying committed histories: what a worker restart costs per cached workflow. */
async function benchReplay(figures: Figure[], bundle: TemporalRig['bundle']): Promise<void> {
  const dir = join(REPOSITORY_ROOT, 'test', 'fixtures', 'histories');
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
