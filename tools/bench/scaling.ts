import { randomUUID } from 'node:crypto';
import type { Sandbox } from 'partner-center-sandbox';
import { sandboxWorkerEnv, startWorkerProcess, type WorkerProcess } from './processes';
import { round, scenario, type Figure } from './report';
import { runPurchases, type PurchaseRun, type TemporalRig } from './rig';

/**
 * Throughput of one worker process against two on one task queue, Partner Center out of the way (the sandbox answers
 * at once, no throttle, no budget): how far adding a process scales, and that no purchase is processed twice.
 */
export async function benchScaling(
  rig: TemporalRig,
  sandbox: Sandbox,
  figures: Figure[],
  { count, concurrency, workerNodeFlags }: { count: number; concurrency: number; workerNodeFlags: string[] },
): Promise<void> {
  await sandbox.control.setThrottling({ partnerPerMinute: 1_000_000, customerPerMinute: 1_000_000 });
  await sandbox.control.setDelays({ orderCompletionMs: 0, orderListMs: 0 });
  const withWorkers = async (processes: number): Promise<PurchaseRun> => {
    const taskQueue = `bench-scaling-${processes}-${randomUUID()}`;
    const env = sandboxWorkerEnv(
      sandbox,
      { address: rig.server.address, taskQueue },
      { ORDER_POLL_INTERVAL: '250ms', PARTNER_CENTER_REQUESTS_PER_MINUTE: '100000' },
    );
    const workers: WorkerProcess[] = Array.from({ length: processes }, () => startWorkerProcess(env, workerNodeFlags));
    try {
      await Promise.all(workers.map((worker) => worker.started()));
      await runPurchases(rig.client, taskQueue, sandbox, 2 * processes); // warm-up: tokens, catalog caches
      return await scenario(`${count} purchases, ${concurrency} at a time, ${processes} worker process(es)`, () =>
        runPurchases(rig.client, taskQueue, sandbox, count, concurrency),
      );
    } finally {
      await Promise.all(workers.map((worker) => worker.stop('SIGTERM')));
    }
  };
  try {
    const one = await withWorkers(1);
    const two = await withWorkers(2);
    const perMinute = (run: PurchaseRun) => (count / run.totalMs) * 60_000;
    const where = `${count} purchases, ${concurrency} at a time, sandbox answering at once`;
    figures.push({
      name: 'scaling: 1 worker process',
      value: round(perMinute(one)),
      unit: 'purchases/min',
      note: where,
    });
    figures.push({ name: 'scaling: 2 worker processes', value: round(perMinute(two)), unit: 'purchases/min' });
    figures.push({
      name: 'scaling: ratio 2 processes / 1',
      value: round(perMinute(two) / perMinute(one), 2),
      unit: '×',
      note: 'target ≥ 1.7 where CPU is not shared with Temporal, the sandbox and the bench',
    });
    figures.push({
      name: 'scaling: checkouts per purchase, orders per cart (max)',
      value: Math.max(one.checkouts / count, two.checkouts / count, one.maxOrdersPerCart, two.maxOrdersPerCart),
      unit: 'max',
      note: '1 = no purchase processed twice',
    });
  } finally {
    await sandbox.control.setDelays({ orderCompletionMs: 300 });
    await sandbox.control.setThrottling({});
  }
}
