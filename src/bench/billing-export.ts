import { randomUUID } from 'node:crypto';
import type { Sandbox } from 'partner-center-sandbox';
import { startReconcile } from '../client';
import { sandboxWorkerEnv, startWorkerProcess } from './processes';
import { mib, progress, round, scenario, sleep, type Figure } from './report';
import type { TemporalRig } from './rig';
import { rssSampler } from './waiting';

/** Lines per blob of the generated export: four blobs for a million lines, as Graph splits large exports. */
const LINES_PER_BLOB = 250_000;

/**
 * A billed reconciliation of a generated `lines`-line invoice through the Microsoft Graph export on a worker
 * process as production runs it: lines per second (request, poll, download, gunzip, parse, fold and match of
 * the export's 500 customers) and the worker's peak RSS over its idle RSS. The export is streamed and folded
 * per subscription (5,000 of them), so memory must not grow with the lines (target ≤ 100 MiB over idle).
 */
export async function benchBillingExport(
  rig: TemporalRig,
  sandbox: Sandbox,
  figures: Figure[],
  { lines, workerNodeFlags }: { lines: number; workerNodeFlags: string[] },
): Promise<void> {
  const taskQueue = `bench-billing-export-${randomUUID()}`;
  const worker = startWorkerProcess(
    sandboxWorkerEnv(
      sandbox,
      { address: rig.server.address, taskQueue },
      { MICROSOFT_GRAPH_BASE_URL: sandbox.graphBaseUrl },
    ),
    workerNodeFlags,
  );
  // Matching reads the subscriptions and orders of the export's 500 customers: not what is measured here.
  await sandbox.control.setThrottling({ partnerPerMinute: 1_000_000, customerPerMinute: 1_000_000 });
  await sandbox.control.setGraphPolicy({ linesPerBlob: LINES_PER_BLOB });
  try {
    const invoice = await sandbox.control.createInvoice({ generatedLines: lines });
    await worker.started();
    await sleep(3000); // past the start's allocations
    const idle = worker.rss();
    const sampler = rssSampler(worker);
    const started = performance.now();
    const report = await scenario(`billed reconciliation of a ${lines}-line Graph export`, async () => {
      const handle = await startReconcile(rig.client, { invoiceId: invoice.id, billingDelayHours: 0 }, { taskQueue });
      return handle.result();
    });
    const seconds = (performance.now() - started) / 1000;
    sampler.stop();
    const peak = Math.max(sampler.peak(), worker.rss());
    if (report.lines !== lines) throw new Error(`the reconciliation counted ${report.lines} of ${lines} lines`);
    progress(`  ${lines} lines in ${seconds.toFixed(1)} s; worker RSS idle ${mib(idle)} MiB, peak ${mib(peak)} MiB`);
    const note = `${lines} lines in ${Math.ceil(lines / LINES_PER_BLOB)} blobs, ${report.subscriptions} subscriptions`;
    figures.push(
      {
        name: 'billing export: lines per second (whole reconciliation)',
        value: round(lines / seconds, 0),
        unit: 'lines/s',
        note,
      },
      { name: 'billing export: worker idle RSS', value: mib(idle), unit: 'MiB' },
      { name: 'billing export: worker peak RSS', value: mib(peak), unit: 'MiB' },
      { name: 'billing export: peak RSS over idle (target ≤ 100)', value: mib(peak - idle), unit: 'MiB', note },
    );
  } finally {
    await worker.stop('SIGTERM');
    await sandbox.control.setThrottling({});
  }
}
