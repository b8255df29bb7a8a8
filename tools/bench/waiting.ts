import { randomUUID } from 'node:crypto';
import type { Sandbox } from 'partner-center-sandbox';
import { startPurchase } from '../../src/client';
import { sandboxWorkerEnv, startWorkerProcess, type WorkerProcess } from './processes';
import { mib, progress, round, scenario, seconds, sleep, type Figure } from './report';
import { benchPurchase, isCheckout, requestCount, runPurchases, type TemporalRig } from './rig';

/** The production poll settings (ORDER_POLL_INTERVAL, ORDER_POLL_MAX_INTERVAL), a deadline past any bench run. */
export const PRODUCTION_POLLING = {
  ORDER_POLL_INTERVAL: '15s',
  ORDER_POLL_MAX_INTERVAL: '210s',
  ORDER_VISIBILITY_DEADLINE: '6h',
};

/** Samples a worker process's RSS every second until stopped; `peak()` is the largest sample. */
export function rssSampler(worker: WorkerProcess): { peak(): number; stop(): void } {
  let peak = worker.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, worker.rss());
  }, 1000);
  return { peak: () => peak, stop: () => clearInterval(timer) };
}

/** Starts `count` purchases 50 at a time (a burst of starts measures the dev server's frontend, not the worker). */
export async function startInBatches(rig: TemporalRig, sandbox: Sandbox, taskQueue: string, count: number) {
  for (let i = 0; i < count; i += 50) {
    const batch = Array.from({ length: Math.min(50, count - i) }, (_, j) => benchPurchase(sandbox, i + j, 'waiting'));
    await Promise.all(batch.map((request) => startPurchase(rig.client, request, { taskQueue })));
  }
}

/** Resolves once the sandbox has seen `count` more checkouts than `before`, saying how far it got every 10 s. */
export async function untilCheckedOut(sandbox: Sandbox, before: number, count: number): Promise<void> {
  let lastSaid = performance.now();
  for (;;) {
    const done = (await requestCount(sandbox, isCheckout)) - before;
    if (done >= count) return;
    if (performance.now() - lastSaid > 10_000) {
      progress(`       ${done}/${count} checked out`);
      lastSaid = performance.now();
    }
    await sleep(1000);
  }
}

/**
 * Purchases that sit in `awaiting-order` (the sandbox completes no order within the run), held by a worker process
 * as production runs it (`node lib/worker.js`, with `workerNodeFlags`): its RSS and CPU while they wait, and what
 * their polls cost Partner Center, with the production poll settings. Then the worker is restarted and holds them
 * again without the burst of their starts.
 */
export async function benchWaiting(
  rig: TemporalRig,
  sandbox: Sandbox,
  figures: Figure[],
  { count, windowMs, workerNodeFlags }: { count: number; windowMs: number; workerNodeFlags: string[] },
): Promise<void> {
  const taskQueue = `bench-waiting-${randomUUID()}`;
  const env = sandboxWorkerEnv(
    sandbox,
    { address: rig.server.address, taskQueue },
    { ...PRODUCTION_POLLING, PARTNER_CENTER_REQUESTS_PER_MINUTE: '100000' },
  );
  const flags = workerNodeFlags.length ? workerNodeFlags.join(' ') : 'no node flags';
  const where = `worker process alone (${flags})`;
  await sandbox.control.setThrottling({ partnerPerMinute: 1_000_000, customerPerMinute: 1_000_000 });
  await sandbox.control.setDelays({ orderCompletionMs: 0, orderListMs: 0 });
  let worker = startWorkerProcess(env, workerNodeFlags);
  try {
    await worker.started();
    await scenario('warm-up: 2 purchases', () => runPurchases(rig.client, taskQueue, sandbox, 2));
    figures.push({ name: 'waiting: worker idle, RSS', value: mib(worker.rss()), unit: 'MiB', note: where });

    await sandbox.control.setDelays({ orderCompletionMs: 24 * 3_600_000 });
    const sampler = rssSampler(worker);
    const checkoutsBefore = await requestCount(sandbox, isCheckout);
    await scenario(`start ${count} purchases whose orders stay pending`, async () => {
      await startInBatches(rig, sandbox, taskQueue, count);
      await untilCheckedOut(sandbox, checkoutsBefore, count);
    });
    const windowStarted = performance.now();
    const requestsBefore = await requestCount(sandbox);
    const cpuBefore = worker.cpuMs();
    await scenario(`${count} purchases waiting in awaiting-order for ${seconds(windowMs)}`, () => sleep(windowMs));
    sampler.stop();
    const elapsedMs = performance.now() - windowStarted;
    const cpuMs = worker.cpuMs() - cpuBefore;
    const requests = (await requestCount(sandbox)) - requestsBefore;
    figures.push({
      name: `waiting: ${count} purchases in awaiting-order, RSS`,
      value: mib(worker.rss()),
      unit: 'MiB',
      note: `${where}, at the end of the wait; target ≤ 300 MiB`,
    });
    figures.push({
      name: `waiting: peak RSS while the ${count} purchases started`,
      value: mib(sampler.peak()),
      unit: 'MiB',
      note: 'sampled every second from the first start to the end of the wait',
    });
    figures.push({
      name: 'waiting: worker CPU while they wait',
      value: round((cpuMs / elapsedMs) * 100),
      unit: '% of a core',
    });
    figures.push({
      name: 'waiting: Partner Center requests per waiting purchase per minute',
      value: round(requests / count / (elapsedMs / 60_000), 2),
      unit: 'requests',
      note: `${seconds(elapsedMs)} right after the last checkout; polls at 0, 15 s, 75 s, 285 s, then every 210 s`,
    });

    await scenario('worker restarted (SIGTERM, new process) while they wait', async () => {
      await worker.stop('SIGTERM');
      worker = startWorkerProcess(env, workerNodeFlags);
      await worker.started();
      await sleep(30_000);
    });
    figures.push({
      name: `waiting: restarted worker holding ${count} waiting, RSS after 30 s`,
      value: mib(worker.rss()),
      unit: 'MiB',
      note: `${where}; none of them cached: nothing to do until a poll answers`,
    });
  } finally {
    await worker.stop('SIGTERM');
    await sandbox.control.setDelays({ orderCompletionMs: 300 });
    await sandbox.control.setThrottling({});
  }
}
