import { Client, Connection } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { startSandbox } from 'partner-center-sandbox';
import { GraphReconcileProgressSchema } from '../../../src/activities/billing/activities';
import { startBillingReconciliation } from '../../../src/client';
import { builtEntry, runNode, stopProcess, type RunningProcess } from '../../support/processes';
import { testServerAddress, uniqueTaskQueue } from '../../support/temporal';
import { createWorldExport, expectWorldReport } from '../../support/world-export';

const BILLED_EXPORT = 'POST /v1.0/reports/partners/billing/reconciliation/billed/export';
const BLOB = 'GET /blobs/{operationId}/{blob}';
/**
 * Six slow blobs (a few seconds each): the worker sends a heartbeat, with its checkpoint, to the server within 10 s
 * (src/worker.ts, MAX_HEARTBEAT_THROTTLE), so the download outlasts that and the kill lands inside it. The retry then
 * waits out the 1-minute heartbeat timeout.
 */
const LINES = 60_000;
const LINES_PER_BLOB = 10_000;
const CHUNK_DELAY_MS = 25;

test('a worker SIGKILLed mid-download: the retry on another worker resumes at the heartbeated blob and line of the same export, counting and matching every line once', async () => {
  const sandbox = await startSandbox({});
  const connection = await Connection.connect({ address: testServerAddress() });
  const taskQueue = uniqueTaskQueue('graph-recovery');
  const env: NodeJS.ProcessEnv = {
    TEMPORAL_CONFIG_FILE: '/nonexistent/temporal.toml',
    TEMPORAL_ADDRESS: testServerAddress(),
    TEMPORAL_TASK_QUEUE: taskQueue,
    PARTNER_CENTER_BASE_URL: sandbox.baseUrl,
    MICROSOFT_GRAPH_BASE_URL: sandbox.graphBaseUrl,
    AZURE_AUTHORITY_HOST: sandbox.authorityHost,
    AZURE_TENANT_ID: sandbox.tenantId,
    AZURE_CLIENT_ID: sandbox.clientId,
    AZURE_CLIENT_SECRET: sandbox.clientSecret,
    NODE_EXTRA_CA_CERTS: sandbox.caFile,
  };
  // The export bills the sandbox's own subscriptions: the resumed tally is matched with them.
  const world = await createWorldExport(sandbox, LINES);
  await sandbox.control.setGraphPolicy({ linesPerBlob: LINES_PER_BLOB, blobChunkDelayMs: CHUNK_DELAY_MS });
  const first = runNode(builtEntry('worker.js'), [], env);
  let second: RunningProcess | undefined;
  try {
    await first.waitFor(/"msg":"Worker started"/);
    const handle = await startBillingReconciliation(
      new Client({ connection }),
      { invoiceId: world.invoiceId, billingDelayHours: 0 },
      { taskQueue },
    );
    const checkpoint = async () => {
      const pending = (await handle.describe()).raw.pendingActivities?.find(
        (activity) => activity.activityType?.name === 'reconcileGraphExport',
      );
      const payload = pending?.heartbeatDetails?.payloads?.[0];
      return payload
        ? GraphReconcileProgressSchema.parse(defaultPayloadConverter.fromPayload(payload)).resumeFrom
        : undefined;
    };
    // Killed once a checkpoint inside the export is recorded: at least one blob done, not the last.
    let resumeFrom: Awaited<ReturnType<typeof checkpoint>>;
    for (let i = 0; i < 1800; i++) {
      resumeFrom = await checkpoint();
      if (resumeFrom !== undefined && resumeFrom.blob >= 1) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(resumeFrom?.blob).toBeGreaterThanOrEqual(1);
    expect(resumeFrom!.blob).toBeLessThan(LINES / LINES_PER_BLOB);
    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    const blobsBeforeKill = (await sandbox.control.counters()).requests[BLOB] ?? 0;

    second = runNode(builtEntry('worker.js'), [], env);
    const report = await handle.result();
    // Every line exactly once: the resumed tally plus the lines after the checkpoint, matched as one read matches them.
    await expectWorldReport(report, world, sandbox);
    expect(report.exportOperationId).toBe(resumeFrom!.operationId);
    expect(second.output()).toMatch(/Resuming the export read/);

    const counters = (await sandbox.control.counters()).requests;
    expect(counters[BILLED_EXPORT]).toBe(1);
    // The retry downloaded the blobs from the checkpoint's on, not the ones before it.
    const blobs = LINES / LINES_PER_BLOB;
    expect((counters[BLOB] ?? 0) - blobsBeforeKill).toBeLessThanOrEqual(blobs - resumeFrom!.blob);
  } finally {
    await Promise.all([stopProcess(first, 'SIGKILL'), stopProcess(second)]);
    await connection.close();
    await sandbox.close();
  }
}, 180_000);
