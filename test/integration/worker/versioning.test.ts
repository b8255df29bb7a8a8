import { execFile } from 'node:child_process';
import { randomInt, randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { startSandbox, type Sandbox } from 'partner-center-sandbox';
import { sandboxWorkerEnv, startWorkerProcess, type WorkerProcess } from '../../../tools/bench/processes';
import { startPurchase } from '../../../src/client';
import type { Check } from '../../../src/cli/doctor-checks';
import { checkTemporal } from '../../../src/cli/doctor-temporal';
import { loadConfig, type DeploymentVersion } from '../../../src/config';
import { resolveTemporalCli } from '../../../src/dev/temporal-cli';
import { subscriptionChangedSignal } from '../../../src/workflows/subscription/messages';
import { lifecycleWorkflowId } from '../../../src/workflows/subscription/ids';
import { testServerAddress, uniqueTaskQueue } from '../../support/temporal';
import { recordHistory } from '../purchase/harness';

/**
 * Contract §3h on the dev server: version A runs purchases waiting for their orders; version B starts and becomes
 * current (with the CLI command docs/operations.md gives); A's runs finish on A, new runs start on B, a lifecycle
 * (AUTO_UPGRADE) moves to B at its next task, and nothing fails.
 */

const { VersioningBehavior } = temporal.api.enums.v1;
/** Long enough that A's orders are still pending while B starts; the sandbox's clock then jumps past it. */
const LONG_ORDER_DELAY_MS = 600_000;
const run = promisify(execFile);

type Handle = WorkflowHandle;

/** `temporal worker deployment set-current-version`, retried until the version's workers have polled both queues. */
async function setCurrentVersion(deploymentName: string, buildId: string): Promise<void> {
  const { path } = await resolveTemporalCli({ progress: () => {} });
  const args = ['worker', 'deployment', 'set-current-version', '--address', testServerAddress()];
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await run(path, [...args, '--deployment-name', deploymentName, '--build-id', buildId, '--yes']);
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

/** The drainage status `temporal worker deployment describe-version` shows: draining, drained (or none). */
async function drainageOf(deploymentName: string, buildId: string): Promise<string | undefined> {
  const { path } = await resolveTemporalCli({ progress: () => {} });
  const args = ['worker', 'deployment', 'describe-version', '--address', testServerAddress(), '--output', 'json'];
  const { stdout } = await run(path, [...args, '--deployment-name', deploymentName, '--build-id', buildId]);
  return (JSON.parse(stdout) as { drainageInfo?: { drainageStatus?: string } }).drainageInfo?.drainageStatus;
}

/** `pcw doctor`'s line about the version a worker with these settings joins. */
async function doctorLine(deploymentName: string, buildId: string): Promise<Omit<Check, 'fix'> | undefined> {
  const env = { TEMPORAL_CONFIG_FILE: '/nonexistent/temporal.toml', TEMPORAL_ADDRESS: testServerAddress() };
  const config = loadConfig(
    { ...env, PCW_DEPLOYMENT_NAME: deploymentName, PCW_BUILD_ID: buildId },
    { requirePartnerCenter: false },
  );
  const checks: Check[] = [];
  await checkTemporal(config, 10_000, (name, outcome) => checks.push({ name, ...outcome }));
  const line = checks.find((check) => check.name === 'worker deployment version');
  return line && { name: line.name, status: line.status, detail: line.detail };
}

/** The build id and the worker (identity) of every workflow and activity task the run completed or started. */
async function tasksOf(handle: Handle): Promise<{ buildIds: string[]; identities: string[] }> {
  const events = (await handle.fetchHistory()).events ?? [];
  const buildIds = events.flatMap((e) => {
    const done = e.workflowTaskCompletedEventAttributes;
    return done ? [done.deploymentVersion?.buildId ?? 'unversioned'] : [];
  });
  const identities = events.flatMap((e) => {
    const identity = e.workflowTaskCompletedEventAttributes?.identity ?? e.activityTaskStartedEventAttributes?.identity;
    return identity ? [identity] : [];
  });
  return { buildIds, identities };
}

async function versioningOf(handle: Handle): Promise<{ buildId?: string | null; behavior?: number | null }> {
  const info = (await handle.describe()).raw.workflowExecutionInfo?.versioningInfo;
  return { buildId: info?.deploymentVersion?.buildId, behavior: info?.behavior };
}

/** The run is pinned to `buildId` and every one of its tasks ran on `worker`, a worker of that build. */
async function expectPinnedTo(handle: Handle, worker: WorkerProcess, buildId: string): Promise<void> {
  const { buildIds, identities } = await tasksOf(handle);
  expect(new Set(buildIds)).toEqual(new Set([buildId]));
  expect(identities.length).toBeGreaterThan(0);
  for (const identity of identities) expect(identity).toMatch(new RegExp(`^${worker.child.pid}@`));
  expect(await versioningOf(handle)).toEqual({ buildId, behavior: VersioningBehavior.VERSIONING_BEHAVIOR_PINNED });
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function purchase(client: Client, sandbox: Sandbox, taskQueue: string) {
  return startPurchase(
    client,
    {
      requestId: `versioning-${randomUUID()}`,
      customerId: sandbox.customerIds[0],
      items: [
        {
          offer: { productId: 'CFQ7TTC0LH18', skuId: '0001' },
          quantity: 2,
          termDuration: 'P1Y',
          billingCycle: 'monthly',
        },
      ],
    },
    { taskQueue },
  );
}

/** True once the purchase polls for its order (its order exists and is pending). */
async function awaitsItsOrder(handle: Handle): Promise<boolean> {
  const events = (await handle.fetchHistory()).events ?? [];
  return events.some((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'awaitOrderCompletion');
}

const workers: WorkerProcess[] = [];

/** A worker process of version `version` (logging it), or an unversioned one. */
async function startWorker(sandbox: Sandbox, taskQueue: string, version?: DeploymentVersion) {
  const versionEnv = version ? { PCW_DEPLOYMENT_NAME: version.deploymentName, PCW_BUILD_ID: version.buildId } : {};
  const worker = startWorkerProcess(
    sandboxWorkerEnv(
      sandbox,
      { address: testServerAddress(), taskQueue },
      { ORDER_POLL_INTERVAL: '250ms', ORDER_POLL_MAX_INTERVAL: '1s', ...versionEnv },
    ),
  );
  workers.push(worker);
  await worker.started();
  expect(worker.output()).toContain(`"deploymentVersion":${JSON.stringify(version ?? 'unversioned')}`);
  return worker;
}

/** A worker process of version `buildId`, made current once its pollers are known. */
async function startVersion(sandbox: Sandbox, taskQueue: string, deploymentName: string, buildId: string) {
  const worker = await startWorker(sandbox, taskQueue, { deploymentName, buildId });
  await setCurrentVersion(deploymentName, buildId);
  return worker;
}

describe('Worker Deployment Versioning', () => {
  let sandbox: Sandbox;
  let connection: Connection;

  beforeAll(async () => {
    // A seed of its own: the ids of what it buys follow the seed, and the lifecycle (subscription-{id}) an earlier
    // test file started for the same id stays on the shared dev server, on that file's task queue.
    sandbox = await startSandbox({ orderCompletionDelayMs: 200, orderListDelayMs: 0, seed: randomInt(2, 2 ** 31) });
    connection = await Connection.connect({ address: testServerAddress() });
  });

  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.stop()));
    await connection?.close();
    await sandbox?.close();
  });

  test('A’s purchases finish on A, new ones start on B, a lifecycle moves to B', async () => {
    const client = new Client({ connection });
    const taskQueue = uniqueTaskQueue('versioning');
    const deploymentName = `pcw-${randomUUID()}`;
    expect(await doctorLine(deploymentName, 'A')).toMatchObject({ status: 'warning', detail: /is not known/ });
    const a = await startVersion(sandbox, taskQueue, deploymentName, 'A');
    expect(await doctorLine(deploymentName, 'A')).toMatchObject({ status: 'ok', detail: /:A is current/ });
    // A purchase completed on A: its subscription's lifecycle runs on A too, AUTO_UPGRADE.
    const early = await purchase(client, sandbox, taskQueue);
    const earlyResult = await early.result();
    expect(earlyResult.status).toBe('completed');
    const lifecycle = client.workflow.getHandle(lifecycleWorkflowId(earlyResult.subscriptions[0].id));
    await waitFor(async () => (await tasksOf(lifecycle)).buildIds.length > 0, 'the lifecycle’s first task');
    expect(await versioningOf(lifecycle)).toEqual({
      buildId: 'A',
      behavior: VersioningBehavior.VERSIONING_BEHAVIOR_AUTO_UPGRADE,
    });

    // Purchases started on A, waiting for orders that stay pending while B rolls out.
    await sandbox.control.setDelays({ orderCompletionMs: LONG_ORDER_DELAY_MS });
    const onA = await Promise.all([0, 1, 2].map(() => purchase(client, sandbox, taskQueue)));
    for (const handle of onA) await waitFor(() => awaitsItsOrder(handle), 'a purchase awaiting its order');

    const b = await startVersion(sandbox, taskQueue, deploymentName, 'B');
    await sandbox.control.setDelays({ orderCompletionMs: 200 });
    const onB = await Promise.all([0, 1].map(() => purchase(client, sandbox, taskQueue)));
    await lifecycle.signal(subscriptionChangedSignal, { source: 'versioning-test' });
    // What docs/operations.md has the operator look at before retiring A.
    const runningOnA = `TemporalWorkerDeploymentVersion="${deploymentName}:A" AND ExecutionStatus="Running"`;
    await waitFor(async () => (await client.workflow.count(runningOnA)).count >= onA.length, 'A’s runs listed');
    expect(await drainageOf(deploymentName, 'A')).toBe('draining');
    expect(await doctorLine(deploymentName, 'A')).toMatchObject({ status: 'warning', detail: /:A is draining/ });
    // A's orders complete now: A's polls see them, on A.
    await sandbox.control.advanceClock(LONG_ORDER_DELAY_MS);

    for (const handle of [...onA, ...onB]) expect((await handle.result()).status).toBe('completed');
    for (const handle of [early, ...onA]) await expectPinnedTo(handle, a, 'A');
    for (const handle of onB) await expectPinnedTo(handle, b, 'B');
    // The lifecycle's task after the signal ran on B, replaying A's history there without a non-determinism error.
    await waitFor(async () => (await tasksOf(lifecycle)).buildIds.includes('B'), 'the lifecycle on B');
    expect(await versioningOf(lifecycle)).toEqual({
      buildId: 'B',
      behavior: VersioningBehavior.VERSIONING_BEHAVIOR_AUTO_UPGRADE,
    });
    const { buildIds } = await tasksOf(lifecycle);
    expect(buildIds.slice(buildIds.indexOf('B'))).not.toContain('A');
    // A drained: nothing pinned to it is open any more, so its workers may stop.
    await waitFor(async () => (await drainageOf(deploymentName, 'A')) === 'drained', 'A drained');
    // Drained counts pinned runs only. The lifecycles A's purchases started as children began on A (same task queue)
    // and move to B at their next task, once their first read completes: nothing stays on A after that.
    await waitFor(async () => (await client.workflow.count(runningOnA)).count === 0, 'nothing running on A');
    expect(await doctorLine(deploymentName, 'A')).toMatchObject({ status: 'warning', detail: /:A is drained/ });
    const failedTasks = ((await lifecycle.fetchHistory()).events ?? []).filter(
      (e) => e.workflowTaskFailedEventAttributes,
    );
    expect(failedTasks).toEqual([]);
    for (const worker of workers) expect(worker.output()).not.toMatch(/[Nn]ondeterminism|DeterminismViolation/);
    await recordHistory('purchase-pinned-to-version', onA[0]);
    await recordHistory('lifecycle-moved-to-new-version', lifecycle);
  }, 180_000);

  test('turning versioning on: a lifecycle started unversioned stays on the first version until told to follow', async () => {
    const client = new Client({ connection });
    const taskQueue = uniqueTaskQueue('versioning-on');
    const deploymentName = `pcw-${randomUUID()}`;
    const unversioned = await startWorker(sandbox, taskQueue);
    const result = await (await purchase(client, sandbox, taskQueue)).result();
    const lifecycle = client.workflow.getHandle(lifecycleWorkflowId(result.subscriptions[0].id));
    await waitFor(async () => (await tasksOf(lifecycle)).buildIds.length > 0, 'the lifecycle’s first task');
    expect(await versioningOf(lifecycle)).toEqual({ buildId: undefined, behavior: undefined });
    await unversioned.stop();
    const lastTaskRanOn = async (buildId: string) => (await tasksOf(lifecycle)).buildIds.at(-1) === buildId;
    const nextTask = async () => {
      const before = (await tasksOf(lifecycle)).buildIds.length;
      await lifecycle.signal(subscriptionChangedSignal, { source: 'versioning-test' });
      await waitFor(async () => (await tasksOf(lifecycle)).buildIds.length > before, 'the lifecycle’s next task');
    };

    // Its history began unversioned, so it does not declare AUTO_UPGRADE: A's default pins it.
    await startVersion(sandbox, taskQueue, deploymentName, 'A');
    await nextTask();
    expect(await versioningOf(lifecycle)).toEqual({
      buildId: 'A',
      behavior: VersioningBehavior.VERSIONING_BEHAVIOR_PINNED,
    });
    await startVersion(sandbox, taskQueue, deploymentName, 'B');
    await nextTask();
    expect(await lastTaskRanOn('A')).toBe(true);

    // docs/operations.md, "The first time": the override makes it follow the current version.
    const { path } = await resolveTemporalCli({ progress: () => {} });
    const query = `WorkflowType="subscriptionLifecycle" AND ExecutionStatus="Running" AND WorkflowId="${lifecycle.workflowId}"`;
    const override = ['--query', query, '--versioning-override-behavior', 'auto_upgrade', '--yes'];
    await run(path, ['workflow', 'update-options', '--address', testServerAddress(), ...override]);
    await waitFor(
      async () =>
        (await lifecycle.describe()).raw.workflowExecutionInfo?.versioningInfo?.versioningOverride?.autoUpgrade ===
        true,
      'the override',
    );
    await nextTask();
    expect(await lastTaskRanOn('B')).toBe(true);
    expect(((await lifecycle.fetchHistory()).events ?? []).filter((e) => e.workflowTaskFailedEventAttributes)).toEqual(
      [],
    );
  }, 180_000);
});
