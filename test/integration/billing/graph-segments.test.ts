import type { Client, WorkflowHandle } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../../../src/activities';
import {
  startBillingReconciliation,
  type BillingReconciliationHandle,
  type ReconcileReport,
} from '../../../src/client';
import { sandboxPartnerCenterSettings } from '../../../src/sandbox-settings';
import { createActivityDeps } from '../../../src/worker';
import { recordHistory, startRig, type PurchaseRig } from '../purchase/harness';
import { uniqueTaskQueue, workflowBundle } from '../../support/temporal';
import { createWorldExport, expectWorldReport } from '../../support/world-export';
import { silentLogger } from '../../support/activities';

/**
 * A large Graph export read in segments, one workflow run each (continue-as-new), on the run's Temporal dev
 * server against the sandbox: the export is requested once, and the last run reports exactly what one run reads.
 * The export bills the sandbox's own subscriptions (world-export.ts), so the tally each segment hands on is matched
 * with them: a line lost or counted twice across segments shows as a mismatch, a wrong count or amount.
 */

const BILLED_EXPORT = 'POST /v1.0/reports/partners/billing/reconciliation/billed/export';
const LINES = 60_000;
const SEGMENT_LINES = 20_000;
/** Segments end inside blobs and cross their boundaries. */
const LINES_PER_BLOB = 15_000;

let rig: PurchaseRig;
let client: Client;
let deps: ActivityDeps;

beforeAll(async () => {
  rig = await startRig({ orderCompletionDelayMs: 0, orderListDelayMs: 0 });
  client = rig.client;
  deps = createActivityDeps(
    sandboxPartnerCenterSettings(rig.sandbox),
    { orderPollIntervalMs: 250, orderVisibilityDeadlineMs: 20_000 },
    silentLogger,
    rig.sandbox.caPem,
  );
});
afterAll(async () => {
  await rig?.close();
});
beforeEach(async () => {
  await rig.sandbox.control.reset();
  // Matching reads the subscriptions and orders of the partner's customers: not a throttling test.
  await rig.sandbox.control.setThrottling({ partnerPerMinute: 100_000, customerPerMinute: 100_000 });
  await rig.sandbox.control.setGraphPolicy({ linesPerBlob: LINES_PER_BLOB });
});

/** A billed reconciliation of `invoiceId` on a worker reading `exportSegmentLines` lines per run. */
async function reconcile(invoiceId: string, exportSegmentLines: number) {
  const taskQueue = uniqueTaskQueue('graph-segments');
  const worker = await Worker.create({
    connection: rig.env.nativeConnection,
    workflowBundle: await workflowBundle(),
    taskQueue,
    activities: createActivities({ ...deps, exportSegmentLines }),
    shutdownGraceTime: '1s',
  });
  return worker.runUntil(async () => {
    const handle = await startBillingReconciliation(client, { invoiceId, billingDelayHours: 0 }, { taskQueue });
    return { handle, report: await handle.result() };
  });
}

/** Every run of the workflow from its first, following continue-as-new. */
async function runChain(handle: BillingReconciliationHandle): Promise<WorkflowHandle[]> {
  const runs: WorkflowHandle[] = [];
  const latest = await client.workflow.getHandle(handle.workflowId).describe();
  let runId: string | undefined = latest.raw.workflowExecutionInfo?.firstRunId ?? undefined;
  while (runId !== undefined) {
    const run = client.workflow.getHandle(handle.workflowId, runId);
    runs.push(run);
    const events = (await run.fetchHistory()).events ?? [];
    runId = events.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
  return runs;
}

const exportRequests = async () => (await rig.sandbox.control.counters()).requests[BILLED_EXPORT] ?? 0;

/** The report without the export's operation id (each reconciliation requests its own export). */
const withoutOperation = ({ exportOperationId: _operation, ...report }: ReconcileReport) => report;

test('a 60,000-line export read 20,000 lines per run: three runs chained by continue-as-new, one export request, every line matched once as one run matches it', async () => {
  const world = await createWorldExport(rig.sandbox, LINES);
  const segmented = await reconcile(world.invoiceId, SEGMENT_LINES);
  expect(await exportRequests()).toBe(1);

  const runs = await runChain(segmented.handle);
  expect(runs.length).toBeGreaterThanOrEqual(3);
  expect((await runs[0]!.describe()).status.name).toBe('CONTINUED_AS_NEW');
  expect((await runs.at(-1)!.describe()).status.name).toBe('COMPLETED');
  // The later runs read on from the checkpoint: none requests the export again.
  for (const run of runs.slice(1)) {
    const events = (await run.fetchHistory()).events ?? [];
    const scheduled = events.flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
    expect(scheduled).toEqual(['reconcileGraphExport']);
  }
  await expectWorldReport(segmented.report, world, rig.sandbox);
  const whole = await reconcile(world.invoiceId, Number.MAX_SAFE_INTEGER);
  expect((await runChain(whole.handle)).length).toBe(1);
  expect(withoutOperation(segmented.report)).toEqual(withoutOperation(whole.report));
  expect(segmented.report.exportOperationId).toBeDefined();
  expect(segmented.report.exportOperationId).not.toBe(whole.report.exportOperationId);
}, 240_000);

test('segments that end on blob boundaries: each run resumes at the next blob', async () => {
  await rig.sandbox.control.setGraphPolicy({ linesPerBlob: 100 });
  // A dozen subscriptions: a small tally, so the recorded histories stay small.
  const world = await createWorldExport(rig.sandbox, 300);
  const { handle, report } = await reconcile(world.invoiceId, 100);
  await expectWorldReport(report, world, rig.sandbox);
  expect(await exportRequests()).toBe(1);
  const runs = await runChain(handle);
  expect(runs).toHaveLength(3);
  await recordHistory('reconcile-graph-segment-continued', runs[0]!);
  await recordHistory('reconcile-graph-segment-resumed', runs.at(-1)!);
}, 120_000);
