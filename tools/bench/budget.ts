import { randomUUID } from 'node:crypto';
import type { Sandbox } from 'partner-center-sandbox';
import { startPurchase } from '../../src/client';
import { freePort } from '../../src/dev/temporal-dev-server';
import { sandboxWorkerEnv, startWorkerProcess } from './processes';
import { progress, round, scenario, type Figure } from './report';
import { benchPurchase, isCheckout, requestCount, timeToCheckout, type TemporalRig } from './rig';
import { PRODUCTION_POLLING, untilCheckedOut } from './waiting';

const BUDGET_PER_MINUTE = 400;
/** Orders complete a minute after checkout: each purchase polls "not yet" at 0, 15 and 75 s before it sees one. */
const ORDER_COMPLETION_MS = 60_000;

/** `partner_center_requests` of the worker's /metrics (src/metrics.ts), summed by outcome. */
export async function requestsByOutcome(metricsPort: number): Promise<Record<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  const byOutcome: Record<string, number> = {};
  for (const line of text.split('\n')) {
    // Core's exporter may prefix (temporal_) and suffix (_total) the name; route labels hold braces ({customerId}).
    const match = /^\w*partner_center_requests\w*\{(.*)\} (\S+)$/.exec(line);
    const outcome = match && /outcome="([^"]*)"/.exec(match[1])?.[1];
    if (outcome) byOutcome[outcome] = (byOutcome[outcome] ?? 0) + Number(match[2]);
  }
  return byOutcome;
}

/**
 * `count` purchases at once under the sandbox's realistic 500 requests/minute with PARTNER_CENTER_REQUESTS_PER_MINUTE
 * = 400 on a worker process: every one must complete, 429s stay rare, and a purchase started once all of them have
 * checked out (their polls now queued, behind it by priority) still reaches checkout within 30 s.
 */
export async function benchBudget(
  rig: TemporalRig,
  sandbox: Sandbox,
  figures: Figure[],
  { count, workerNodeFlags }: { count: number; workerNodeFlags: string[] },
): Promise<void> {
  const taskQueue = `bench-budget-${randomUUID()}`;
  const metricsPort = await freePort();
  const worker = startWorkerProcess(
    sandboxWorkerEnv(
      sandbox,
      { address: rig.server.address, taskQueue },
      {
        ...PRODUCTION_POLLING,
        PARTNER_CENTER_REQUESTS_PER_MINUTE: String(BUDGET_PER_MINUTE),
        METRICS_PORT: String(metricsPort),
      },
    ),
    workerNodeFlags,
  );
  await sandbox.control.setThrottling({}); // the sandbox's default: 500/min per partner and per customer
  await sandbox.control.setDelays({ orderCompletionMs: ORDER_COMPLETION_MS, orderListMs: 0 });
  try {
    await worker.started();
    const requestsBefore = await requestCount(sandbox);
    const checkoutsBefore = await requestCount(sandbox, isCheckout);
    const started = performance.now();
    const requests = Array.from({ length: count }, (_, i) => benchPurchase(sandbox, i, 'budget'));
    const handles = await scenario(`start ${count} purchases, budget ${BUDGET_PER_MINUTE}/min`, async () => {
      const all = [];
      for (let i = 0; i < count; i += 50)
        all.push(
          ...(await Promise.all(
            requests.slice(i, i + 50).map((request) => startPurchase(rig.client, request, { taskQueue })),
          )),
        );
      await untilCheckedOut(sandbox, checkoutsBefore, count);
      return all;
    });
    const lateSeconds = await scenario(`a late purchase while ${count} wait, their polls queued`, async () => {
      const late = await startPurchase(rig.client, benchPurchase(sandbox, count, 'budget-late'), { taskQueue });
      handles.push(late);
      return timeToCheckout(late, 10 * 60_000);
    });
    progress(`       late purchase checked out ${lateSeconds.toFixed(1)} s after its start`);
    const outcomes = await scenario(`${count + 1} purchases complete`, () =>
      Promise.allSettled(handles.map((handle) => handle.result())),
    );
    const totalMs = performance.now() - started;
    const failed = outcomes.filter((outcome) => outcome.status === 'rejected' || outcome.value.status !== 'completed');
    const byOutcome = await requestsByOutcome(metricsPort);
    const sent = Object.values(byOutcome).reduce((a, b) => a + b, 0);
    if (sent === 0) throw new Error(`no partner_center_requests in the worker's metrics on port ${metricsPort}`);
    const counters = await sandbox.control.counters();
    const where = `${count} purchases at once, PARTNER_CENTER_REQUESTS_PER_MINUTE=${BUDGET_PER_MINUTE}, sandbox limit 500/min, orders complete after ${ORDER_COMPLETION_MS / 1000} s`;
    figures.push({ name: 'budget: purchases failed', value: failed.length, unit: 'purchases', note: where });
    figures.push({
      name: 'budget: 429 answers',
      value: round(((byOutcome['429'] ?? 0) / Math.max(1, sent)) * 100, 2),
      unit: '% of requests',
      note: `${byOutcome['429'] ?? 0} of ${sent} (worker's partner_center_requests metric); target ≤ 1%`,
    });
    figures.push({
      name: 'budget: time to checkout of a late purchase',
      value: round(lateSeconds),
      unit: 's',
      note: `started once all ${count} had checked out and were polling; target ≤ 30 s`,
    });
    figures.push({
      name: 'budget: Partner Center requests per purchase',
      value: round(((await requestCount(sandbox)) - requestsBefore) / (count + 1), 2),
      unit: 'requests',
    });
    figures.push({ name: 'budget: throughput', value: round(((count + 1) / totalMs) * 60_000), unit: 'purchases/min' });
    figures.push({
      name: 'budget: orders per cart (max; 1 = never bought twice)',
      value: Math.max(...Object.values(counters.ordersPerCart)),
      unit: 'orders',
    });
  } finally {
    await worker.stop('SIGTERM');
    await sandbox.control.setDelays({ orderCompletionMs: 300 });
  }
}
