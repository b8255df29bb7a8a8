import { randomUUID } from 'node:crypto';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Sandbox } from 'partner-center-sandbox';
import { startBillingReconciliation } from '../../src/client';
import { createGraphBillingClient, createTokenProvider, gunzipLines, requestBlob } from '../../src/partner-center';
import { sandboxTokenOptions } from '../../src/sandbox-settings';
import { sandboxWorkerEnv, startWorkerProcess } from './processes';
import { mib, progress, round, scenario, sleep, type Figure } from './report';
import type { TemporalRig } from './rig';
import { rssSampler } from './waiting';

/** Lines per blob of the generated export: four blobs for a million lines, as Graph splits large exports. */
const LINES_PER_BLOB = 250_000;
/** Lines of the warm-up reconciliation's export. */
const WARM_UP_LINES = 10_000;

/**
 * A billed reconciliation of a generated `lines`-line invoice through the Microsoft Graph export on a worker
 * process as production runs it, against what gunzip and JSON.parse alone manage on the same blobs:
 *
 * - the blobs are generated first (the sandbox builds and gzips them in this process, as fast as the worker reads
 *   them otherwise) and kept in memory; a loopback proxy in front of the sandbox's Graph host answers the worker's
 *   downloads of them, so neither figure below includes their generation;
 * - the baseline downloads them from that proxy, gunzips, splits the lines and JSON.parses each: nothing else;
 * - the worker's read (download, gunzip, parse, line schema, fold; its "Read the export" log) is compared with it,
 *   and the whole reconciliation (request, poll, read, continue-as-new between segments, matching of the export's
 *   500 customers) is timed end to end;
 * - the worker's peak RSS over its idle RSS after a small warm-up reconciliation (and over its RSS just after its
 *   start): the export is streamed and folded per subscription (5,000 of them), so memory must not grow with the
 *   lines (target ≤ 100 MiB over idle).
 */
export async function benchBillingExport(
  rig: TemporalRig,
  sandbox: Sandbox,
  figures: Figure[],
  { lines, workerNodeFlags }: { lines: number; workerNodeFlags: string[] },
): Promise<void> {
  // Matching reads the subscriptions and orders of the export's 500 customers: not what is measured here.
  await sandbox.control.setThrottling({ partnerPerMinute: 1_000_000, customerPerMinute: 1_000_000 });
  await sandbox.control.setGraphPolicy({ linesPerBlob: LINES_PER_BLOB });
  const invoice = await sandbox.control.createInvoice({ generatedLines: lines });
  const generationStarted = performance.now();
  const blobs = await scenario(`generating the ${lines}-line export's blobs`, () =>
    generatedBlobs(sandbox, invoice.id),
  );
  const generationSeconds = (performance.now() - generationStarted) / 1000;
  const cache = await startBlobCache(sandbox, blobs);
  const taskQueue = `bench-billing-export-${randomUUID()}`;
  const worker = startWorkerProcess(
    sandboxWorkerEnv(
      sandbox,
      { address: rig.server.address, taskQueue },
      // info: the activity logs how long each segment's read took.
      { MICROSOFT_GRAPH_BASE_URL: cache.graphBaseUrl, LOG_LEVEL: 'info' },
    ),
    workerNodeFlags,
  );
  try {
    const baselineStarted = performance.now();
    const parsed = await scenario('baseline: download, gunzip, split lines, JSON.parse', () =>
      parseOnly([...blobs.keys()].map(cache.blobUrl)),
    );
    const baselineSeconds = (performance.now() - baselineStarted) / 1000;
    if (parsed !== lines) throw new Error(`the baseline parsed ${parsed} of ${lines} lines`);

    const reconcile = async (invoiceId: string) => {
      const handle = await startBillingReconciliation(rig.client, { invoiceId, billingDelayHours: 0 }, { taskQueue });
      return handle.result();
    };
    await worker.started();
    await sleep(3000); // past the start's allocations
    const coldIdle = worker.rss();
    // The first reconciliation pays once for what any later one reuses (the workflow thread's first run, fetch,
    // zlib): a small one first, so that "over idle" is what the export costs. Its blobs come from the sandbox.
    const warmUp = await sandbox.control.createInvoice({ generatedLines: WARM_UP_LINES });
    cache.serveFromMemory(false);
    await scenario(`warm-up: billed reconciliation of a ${WARM_UP_LINES}-line Graph export`, () =>
      reconcile(warmUp.id),
    );
    cache.serveFromMemory(true);
    await sleep(3000);
    const idle = worker.rss();
    const outputBefore = worker.output().length;
    const sampler = rssSampler(worker);
    const started = performance.now();
    const report = await scenario(`billed reconciliation of a ${lines}-line Graph export`, () => reconcile(invoice.id));
    const seconds = (performance.now() - started) / 1000;
    sampler.stop();
    const peak = Math.max(sampler.peak(), worker.rss());
    if (report.lines !== lines) throw new Error(`the reconciliation counted ${report.lines} of ${lines} lines`);
    const reads = exportReads(worker.output().slice(outputBefore));
    const readSeconds = reads.reduce((sum, read) => sum + read.readMs, 0) / 1000;
    const baselineRate = lines / baselineSeconds;
    const readRate = lines / readSeconds;
    progress(
      `  generation ${generationSeconds.toFixed(1)} s; baseline ${baselineSeconds.toFixed(1)} s; our read ${readSeconds.toFixed(1)} s in ${reads.length} segments; whole run ${seconds.toFixed(1)} s; worker RSS idle ${mib(coldIdle)} MiB, after the warm-up ${mib(idle)} MiB, peak ${mib(peak)} MiB`,
    );
    const note = `${lines} lines in ${blobs.size} blobs, ${report.subscriptions} subscriptions`;
    figures.push(
      {
        name: 'billing export: sandbox generation and gzip (excluded below)',
        value: round(lines / generationSeconds, 0),
        unit: 'lines/s',
      },
      {
        name: 'billing export: baseline (download, gunzip, split, JSON.parse)',
        value: round(baselineRate, 0),
        unit: 'lines/s',
        note,
      },
      {
        name: 'billing export: our read (baseline + line schema + fold)',
        value: round(readRate, 0),
        unit: 'lines/s',
        note: `the worker's "Read the export" time, ${reads.length} segments`,
      },
      { name: 'billing export: our read / baseline', value: round(readRate / baselineRate, 2), unit: '×' },
      {
        name: 'billing export: lines per second (whole reconciliation)',
        value: round(lines / seconds, 0),
        unit: 'lines/s',
        note: 'request, poll, read, continue-as-new, match 500 customers',
      },
      { name: 'billing export: workflow runs (segments)', value: reads.length, unit: 'runs' },
      { name: 'billing export: worker idle RSS, started', value: mib(coldIdle), unit: 'MiB' },
      {
        name: 'billing export: worker idle RSS, warmed up',
        value: mib(idle),
        unit: 'MiB',
        note: `after a ${WARM_UP_LINES}-line reconciliation`,
      },
      { name: 'billing export: worker peak RSS', value: mib(peak), unit: 'MiB' },
      {
        name: 'billing export: peak RSS over warmed-up idle (target ≤ 100)',
        value: mib(peak - idle),
        unit: 'MiB',
        note,
      },
      { name: 'billing export: peak RSS over started idle', value: mib(peak - coldIdle), unit: 'MiB' },
    );
  } finally {
    await worker.stop('SIGTERM');
    await new Promise<void>((resolve) => cache.server.close(() => resolve()));
    await sandbox.control.setThrottling({});
  }
}

/** The gzip blobs of an export of the invoice, by name: requested, generated and downloaded once, up front. */
async function generatedBlobs(sandbox: Sandbox, invoiceId: string): Promise<Map<string, Buffer>> {
  const graph = createGraphBillingClient({
    baseUrl: sandbox.graphBaseUrl,
    tokens: createTokenProvider(sandboxTokenOptions(sandbox)),
  });
  const { operationId } = await graph.requestExport({ kind: 'billed', invoiceId });
  const manifest = await graph.waitForExport(operationId);
  const blobs = new Map<string, Buffer>();
  for (const blob of manifest.blobs) {
    const response = await fetch(`${manifest.rootDirectory}/${blob.name}?${manifest.sasToken.replace(/^\?/, '')}`);
    if (!response.ok) throw new Error(`blob ${blob.name}: HTTP ${response.status}`);
    blobs.set(blob.name, Buffer.from(await response.arrayBuffer()));
  }
  return blobs;
}

/**
 * The sandbox's Graph host behind a loopback proxy that answers blob downloads from `blobs` (by name, whatever the
 * operation and SAS) unless told not to. The sandbox builds the manifest's blob addresses from the Host header,
 * which the proxy passes on, so the worker's downloads come here.
 */
async function startBlobCache(
  sandbox: Sandbox,
  blobs: Map<string, Buffer>,
): Promise<{
  server: Server;
  graphBaseUrl: string;
  blobUrl: (name: string) => string;
  serveFromMemory: (on: boolean) => void;
}> {
  const upstream = new URL(sandbox.baseUrl);
  let fromMemory = true;
  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    if (fromMemory && path.startsWith('/blobs/')) {
      const blob = blobs.get(path.split('?')[0]!.split('/').pop() ?? '');
      if (blob === undefined) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': blob.length });
      // In chunks, with backpressure: one write of the whole blob ends the response before a slow reader has it,
      // and the server's keep-alive timeout then cuts the connection under it.
      return void pipeline(Readable.from(chunksOf(blob)), res).catch(() => res.destroy());
    }
    const forwarded = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forwarded.on('error', () => res.destroy());
    req.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    server,
    graphBaseUrl: `${origin}${new URL(sandbox.graphBaseUrl).pathname}`,
    blobUrl: (name) => `${origin}/blobs/cached/${name}`,
    serveFromMemory: (on) => {
      fromMemory = on;
    },
  };
}

/** The baseline: lines of the blobs downloaded, gunzipped, split (as the Graph client splits them) and JSON.parsed. */
async function parseOnly(urls: string[]): Promise<number> {
  let count = 0;
  for (const url of urls) {
    const response = await requestBlob(url);
    if (response.statusCode !== 200) throw new Error(`${url}: HTTP ${response.statusCode}`);
    for await (const texts of gunzipLines(response))
      for (const text of texts) {
        if (text === '') continue;
        JSON.parse(text);
        count += 1;
      }
  }
  return count;
}

function* chunksOf(blob: Buffer, size = 64 * 1024): Generator<Buffer> {
  for (let at = 0; at < blob.length; at += size) yield blob.subarray(at, at + size);
}

/** The worker's "Read the export" logs: one per segment (workflow run) of the read. */
function exportReads(output: string): Array<{ linesRead: number; readMs: number }> {
  return output
    .split('\n')
    .filter((line) => line.includes('"msg":"Read the export"'))
    .map((line) => JSON.parse(line) as { linesRead: number; readMs: number });
}
