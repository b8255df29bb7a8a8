import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import type { Sandbox } from 'partner-center-sandbox';
import { quotePurchaseRequest } from '../../src/client';
import { sandboxPartnerCenterSettings } from '../../src/sandbox-settings';
import { createActivityDeps, workerOptions } from '../../src/worker';
import { mib, percentile, quiet, round, scenario, type Figure } from './report';
import { BUSINESS_BASIC, type TemporalRig } from './rig';

/**
 * The price sheets (docs/benchmarks.md, Prices): a generated sheet of `rows` rows (~250 bytes each, every tenth title
 * quoted with a comma, one malformed row in 10,000) streamed and indexed in a process of its own (price-sheet-child.ts)
 * — RSS above its idle RSS, throughput against a plain streamed split of the same bytes —, then quotes through a worker
 * once its sheet is cached.
 */

const HEADER =
  'ProductTitle,ProductId,SkuId,SkuTitle,Publisher,SkuDescription,UnitOfMeasure,TermDuration,BillingPlan,Market,Currency,UnitPrice,PricingTierRangeMin,PricingTierRangeMax,EffectiveStartDate,EffectiveEndDate,Tags,ERP Price,Segment';
const PLANS: Array<[string, string]> = [
  ['P1M', 'Monthly'],
  ['P1Y', 'Monthly'],
  ['P1Y', 'Annual'],
  ['P3Y', 'Monthly'],
  ['P3Y', 'Annual'],
  ['P3Y', 'Triennial'],
];

function sheetRow(i: number): string {
  if (i % 10_000 === 9_999) return '"Broken quoting"x,CFQ7TTC0BAD0,0001\n';
  const product = Math.floor(i / PLANS.length);
  const [term, plan] = PLANS[i % PLANS.length];
  const productId = `CFQ7TT${product.toString(36).toUpperCase().padStart(6, '0')}`;
  const title = i % 10 === 0 ? `"Generated Product ${product}, Plan A"` : `Generated Product ${product} Plan A`;
  const price = (5 + (product % 50) + (i % 7) / 10).toFixed(2);
  return `${title},${productId},0001,Generated SKU ${product},Microsoft Corporation,A generated licence-based offer used to measure the price sheet reader (${product}),Licenses,${term},${plan},US,USD,${price},,,2026-12-01T00:00:00Z,9999-12-31T23:59:59Z,,${(Number(price) * 1.2).toFixed(2)},Commercial\n`;
}

export async function generateSheet(file: string, rows: number): Promise<number> {
  const out = createWriteStream(file);
  out.write(`${HEADER}\n`);
  for (let i = 0; i < rows; i += 1) if (!out.write(sheetRow(i))) await once(out, 'drain');
  out.end();
  await once(out, 'finish');
  return statSync(file).size;
}

interface ChildFigures {
  rows: number;
  malformedRows: number;
  peakAboveIdle: number;
  heldAboveIdle: number;
  parseMs: number;
  plainMs: number;
  readerMs: number;
  mbPerSecond: number;
  plainMbPerSecond: number;
  parseCpuMs: number;
  plainCpuMs: number;
  lookupP99Ms: number;
}

export async function benchPriceSheet(figures: Figure[], rows: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'pcw-price-sheet-'));
  try {
    const file = join(dir, 'sheet.csv');
    const bytes = await scenario(`generate a ${rows}-row price sheet`, () => generateSheet(file, rows));
    const { stdout } = await scenario('parse and index it in its own process', () =>
      promisify(execFile)(
        process.execPath,
        ['--expose-gc', join(__dirname, 'price-sheet-child.js'), file, String(bytes)],
        {
          maxBuffer: 1 << 20,
        },
      ),
    );
    const child = JSON.parse(stdout) as ChildFigures;
    const note = `${rows} rows, ${mib(bytes)} MiB`;
    figures.push(
      {
        name: 'price sheet: rows indexed / malformed skipped',
        value: child.rows,
        unit: 'rows',
        note: `${child.malformedRows} malformed`,
      },
      {
        name: 'price sheet: peak RSS above idle while indexing',
        value: mib(child.peakAboveIdle),
        unit: 'MiB',
        note: `${note}; target ≤ 80`,
      },
      { name: 'price sheet: RSS held by the index', value: mib(child.heldAboveIdle), unit: 'MiB', note },
      {
        name: 'price sheet: parse and index',
        value: round(child.mbPerSecond),
        unit: 'MiB/s',
        note: `${round(child.parseMs)} ms`,
      },
      {
        name: 'price sheet: plain streamed split, same bytes',
        value: round(child.plainMbPerSecond),
        unit: 'MiB/s',
        note: `${round(child.plainMs)} ms`,
      },
      {
        name: 'price sheet: throughput vs plain split',
        value: round(child.plainMs / child.parseMs, 2),
        unit: '×',
        note: 'target ≥ 0.8',
      },
      {
        name: 'price sheet: CPU time vs plain split',
        value: round(child.plainCpuMs / child.parseCpuMs, 2),
        unit: '×',
        note: `${round(child.parseCpuMs)} ms against ${round(child.plainCpuMs)} ms of CPU; less disturbed by other load`,
      },
      {
        name: 'price sheet: CSV reader alone vs plain split',
        value: round(child.plainMs / child.readerMs, 2),
        unit: '×',
        note: `${round(child.readerMs)} ms, nothing indexed`,
      },
      { name: 'price sheet: index lookup p99', value: round(child.lookupP99Ms, 4), unit: 'ms' },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Quotes through Temporal and a worker whose sheet is cached: `count` sequential quotes after one warm-up, taking turns
 * between a client of its own connection (as `pcw quote` and the HTTP API of a separate process) and a client on the
 * worker's NativeConnection (as the worker's process can: the quote starts eagerly on that worker), so the two see
 * the same load.
 */
export async function benchQuotes(
  { client, nativeConnection, bundle }: TemporalRig,
  sandbox: Sandbox,
  figures: Figure[],
  count: number,
): Promise<void> {
  const deps = createActivityDeps(
    sandboxPartnerCenterSettings(sandbox, { appPlusUser: true }),
    { orderPollIntervalMs: 250, orderVisibilityDeadlineMs: 60_000 },
    quiet,
    sandbox.caPem,
  );
  const taskQueue = `bench-quotes-${randomUUID()}`;
  const worker = await Worker.create({
    connection: nativeConnection,
    workflowBundle: bundle,
    ...workerOptions(deps, { taskQueue, requestsPerMinute: 1_000_000 }),
    shutdownGraceTime: '1s',
  });
  const request = () => ({
    requestId: `bench-quote-${randomUUID()}`,
    customerId: sandbox.customerIds[0],
    items: [{ offer: BUSINESS_BASIC, quantity: 5, termDuration: 'P1Y' as const, billingCycle: 'monthly' as const }],
  });
  const clients = [
    { name: 'own connection', client },
    { name: "worker's connection, eager start", client: new Client({ connection: nativeConnection }) },
  ];
  await worker.runUntil(async () => {
    for (const { client: quoting } of clients) await quotePurchaseRequest(quoting, request(), { taskQueue });
    const latencies = clients.map((): number[] => []);
    await scenario(`${count} quotes per client, sheet cached`, async () => {
      for (let i = 0; i < count * clients.length; i += 1) {
        const started = performance.now();
        await quotePurchaseRequest(clients[i % clients.length].client, request(), { taskQueue });
        latencies[i % clients.length].push(performance.now() - started);
      }
    });
    for (const [index, { name }] of clients.entries()) {
      const sorted = latencies[index].sort((a, b) => a - b);
      figures.push(
        { name: `quote: cached, ${name}, p50`, value: round(percentile(sorted, 50)), unit: 'ms' },
        {
          name: `quote: cached, ${name}, p99`,
          value: round(percentile(sorted, 99)),
          unit: 'ms',
          note: `${count} sequential, taking turns; target ≤ 50`,
        },
      );
    }
  });
}
