import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import type { Sandbox } from 'partner-center-sandbox';
import { sandboxPartnerCenterSettings } from '../../src/sandbox-settings';
import { createActivityDeps, MAX_CACHED_WORKFLOWS, workerOptions } from '../../src/worker';
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

/** A worker of the floor workflow on its own queue, sized as the product's (the same workflow cache). */
async function createFloorWorker({ nativeConnection }: TemporalRig): Promise<{ worker: Worker; taskQueue: string }> {
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
  return { worker, taskQueue };
}

/** `count` runs of the floor workflow (tools/bench/floor-workflow.ts), `concurrency` at a time: what Temporal itself costs for a purchase's steps. */
function runFloor(client: Client, taskQueue: string, count: number, concurrency: number) {
  return runConcurrently(count, concurrency, async (i) => {
    await client.workflow.execute('temporalFloor', {
      taskQueue,
      workflowId: `floor-${i}-${randomUUID()}`,
      args: [`floor-${i}`],
    });
  });
}

/** Rounds of purchases and floor runs taken turn about, so a change in the machine's load weighs on both sides alike. */
const ROUNDS = 4;

/**
 * The product against Temporal's floor, on the same server in the same run, at the same concurrency, with the sandbox
 * answering at once (orders complete immediately): purchases/min over floor runs/min. The two take turns
 * (ROUNDS rounds), both workers running throughout.
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
  const purchaseWorker = await Worker.create({
    connection: rig.nativeConnection,
    workflowBundle: rig.bundle,
    ...workerOptions(deps, { taskQueue, requestsPerMinute: 1_000_000 }),
    shutdownGraceTime: '1s',
  });
  const floor = await createFloorWorker(rig);
  await sandbox.control.setThrottling({ partnerPerMinute: 1_000_000, customerPerMinute: 1_000_000 });
  await sandbox.control.setDelays({ orderCompletionMs: 0, orderListMs: 0 });
  const perRound = Math.ceil(count / ROUNDS);
  const purchases = { latencies: [] as number[], totalMs: 0 };
  const floorRuns = { latencies: [] as number[], totalMs: 0 };
  const add = (into: typeof purchases, run: { latencies: number[]; totalMs: number }) => {
    into.latencies.push(...run.latencies);
    into.totalMs += run.totalMs;
  };
  await purchaseWorker.runUntil(() =>
    floor.worker.runUntil(async () => {
      // Warm-up of both: token, catalog cache, workflow threads.
      await runPurchases(rig.client, taskQueue, sandbox, 2);
      await runFloor(rig.client, floor.taskQueue, 2, 2);
      for (let round = 1; round <= ROUNDS; round++) {
        const what = `round ${round}/${ROUNDS}: ${perRound} purchases, then ${perRound} floor runs, ${concurrency} at a time`;
        await scenario(what, async () => {
          add(purchases, await runPurchases(rig.client, taskQueue, sandbox, perRound, concurrency));
          add(floorRuns, await runFloor(rig.client, floor.taskQueue, perRound, concurrency));
        });
      }
    }),
  );
  const total = perRound * ROUNDS;
  const perMinute = (run: { totalMs: number }) => (total / run.totalMs) * 60_000;
  const where = `${total} runs in ${ROUNDS} alternating rounds, ${concurrency} at a time`;
  const sorted = (latencies: number[]) => [...latencies].sort((a, b) => a - b);
  figures.push({ name: 'floor: purchases', value: round(perMinute(purchases)), unit: 'per min', note: where });
  figures.push({ name: 'floor: purchases p50', value: round(percentile(sorted(purchases.latencies), 50)), unit: 'ms' });
  figures.push({ name: 'floor: Temporal floor', value: round(perMinute(floorRuns)), unit: 'per min', note: where });
  figures.push({
    name: 'floor: Temporal floor p50',
    value: round(percentile(sorted(floorRuns.latencies), 50)),
    unit: 'ms',
  });
  figures.push({
    name: 'floor: ratio purchases / floor',
    value: round(perMinute(purchases) / perMinute(floorRuns), 2),
    unit: '×',
    note: 'target ≥ 0.9',
  });
  await sandbox.control.setDelays({ orderCompletionMs: 300 });
  await sandbox.control.setThrottling({});
}
