import { randomUUID } from 'node:crypto';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import type { Sandbox } from 'partner-center-sandbox';
import { sandboxPartnerCenterSettings } from '../sandbox-settings';
import { createActivityDeps, MAX_CACHED_WORKFLOWS, workerOptions } from '../worker';
import { percentile, quiet, round, scenario, type Figure } from './report';
import { runConcurrently, runPurchases, type TemporalRig } from './rig';

export const floorActivities = {
  async noOpLocal(): Promise<Record<string, never>> {
    return {};
  },
  async noOp(step: number): Promise<number> {
    return step;
  },
};
export type FloorActivities = typeof floorActivities;

/**
 * `count` runs of the floor workflow (src/bench/floor-workflow.ts), `concurrency` at a time, on a worker in this
 * process sized as the product's (the same workflow cache): what Temporal itself costs for a purchase's steps.
 */
export async function runFloor(
  { client, nativeConnection }: TemporalRig,
  count: number,
  concurrency: number,
): Promise<{ latencies: number[]; totalMs: number }> {
  const bundle = await bundleWorkflowCode({ workflowsPath: require.resolve('./floor-workflow'), logger: quiet });
  const taskQueue = `bench-floor-${randomUUID()}`;
  const worker = await Worker.create({
    connection: nativeConnection,
    workflowBundle: bundle,
    taskQueue,
    activities: floorActivities,
    maxCachedWorkflows: MAX_CACHED_WORKFLOWS,
    shutdownGraceTime: '1s',
  });
  return worker.runUntil(async () => {
    const run = (i: number) =>
      client.workflow.execute('temporalFloor', {
        taskQueue,
        workflowId: `floor-${i}-${randomUUID()}`,
        args: [`floor-${i}`],
      });
    await runConcurrently(2, 2, async (i) => void (await run(i))); // warm-up, as the purchases have
    return runConcurrently(count, concurrency, async (i) => void (await run(i)));
  });
}

/**
 * The product against Temporal's floor, on the same server in the same run, at the same concurrency, with the sandbox
 * answering at once (orders complete immediately): purchases/min over floor runs/min.
 */
export async function benchFloor(
  rig: TemporalRig,
  sandbox: Sandbox,
  figures: Figure[],
  { count, concurrency }: { count: number; concurrency: number },
): Promise<void> {
  const deps = createActivityDeps(
    sandboxPartnerCenterSettings(sandbox),
    { orderPollIntervalMs: 250, orderVisibilityDeadlineMs: 60_000 },
    quiet,
    sandbox.caPem,
  );
  const taskQueue = `bench-vs-floor-${randomUUID()}`;
  const worker = await Worker.create({
    connection: rig.nativeConnection,
    workflowBundle: rig.bundle,
    ...workerOptions(deps, { taskQueue, requestsPerMinute: 1_000_000 }),
    shutdownGraceTime: '1s',
  });
  await sandbox.control.setThrottling({ partnerPerMinute: 1_000_000, customerPerMinute: 1_000_000 });
  await sandbox.control.setDelays({ orderCompletionMs: 0, orderListMs: 0 });
  const purchases = await worker.runUntil(async () => {
    await runPurchases(rig.client, taskQueue, sandbox, 2); // warm-up: token, catalog cache
    return scenario(`${count} purchases, ${concurrency} at a time, sandbox answering at once`, () =>
      runPurchases(rig.client, taskQueue, sandbox, count, concurrency),
    );
  });
  const floor = await scenario(`${count} floor runs (3 local + 5 no-op activities), ${concurrency} at a time`, () =>
    runFloor(rig, count, concurrency),
  );
  const perMinute = (run: { totalMs: number }) => (count / run.totalMs) * 60_000;
  const where = `${count} runs, ${concurrency} at a time`;
  figures.push({ name: 'floor: purchases', value: round(perMinute(purchases)), unit: 'per min', note: where });
  figures.push({ name: 'floor: purchases p50', value: round(percentile(purchases.latencies, 50)), unit: 'ms' });
  figures.push({ name: 'floor: Temporal floor', value: round(perMinute(floor)), unit: 'per min', note: where });
  figures.push({ name: 'floor: Temporal floor p50', value: round(percentile(floor.latencies, 50)), unit: 'ms' });
  figures.push({
    name: 'floor: ratio purchases / floor',
    value: round(perMinute(purchases) / perMinute(floor), 2),
    unit: '×',
    note: 'target ≥ 0.9',
  });
  await sandbox.control.setDelays({ orderCompletionMs: 300 });
  await sandbox.control.setThrottling({});
}
