import { createReadStream } from 'node:fs';
import { readPriceSheet, tierFor, type PriceSheet } from '../../src/partner-center';
import { readCsv } from '../../src/partner-center/pricing/csv-stream';
import { percentile } from './report';

/**
 * The price-sheet bench's measuring process (price-sheet.ts starts it with --expose-gc): from a settled idle RSS, the
 * sheet file streamed and indexed (peak RSS sampled every 5 ms), a plain streamed CSV split of the same bytes (the
 * yardstick), each run twice, best kept; then quote lookups on the index. Prints one JSON line.
 */

const CHUNK_BYTES = 64 * 1024;
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

/** Reads the file as the client reads a response body: chunks of bytes, decoded, split into lines and fields. */
async function plainSplit(file: string): Promise<number> {
  const decoder = new TextDecoder();
  let carry = '';
  let fields = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: CHUNK_BYTES })) {
    const lines = (carry + decoder.decode(chunk as Buffer, { stream: true })).split('\n');
    carry = lines.pop() ?? '';
    for (const line of lines) fields += line.split(',').length;
  }
  return fields + (carry === '' ? 0 : carry.split(',').length);
}

async function best<T>(runs: number, fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  let result: { value: T; ms: number } | undefined;
  for (let i = 0; i < runs; i += 1) {
    gc();
    const started = performance.now();
    const value = await fn();
    const ms = performance.now() - started;
    if (result === undefined || ms < result.ms) result = { value, ms };
  }
  return result!;
}

async function main(file: string, bytes: number): Promise<void> {
  gc();
  await new Promise((resolve) => setTimeout(resolve, 200));
  gc();
  const idleRss = process.memoryUsage().rss;
  let peakRss = idleRss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 5);
  const first = performance.now();
  const sheet: PriceSheet = await readPriceSheet(createReadStream(file, { highWaterMark: CHUNK_BYTES }), file);
  const firstMs = performance.now() - first;
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  gc();
  const heldRss = process.memoryUsage().rss;
  const parsed = await best(2, () => readPriceSheet(createReadStream(file, { highWaterMark: CHUNK_BYTES }), file));
  const plain = await best(2, () => plainSplit(file));
  // The reader alone (records split, quotes handled, nothing indexed): what the index adds is the rest.
  const reader = await best(2, async () => {
    let fields = 0;
    await readCsv(createReadStream(file, { highWaterMark: CHUNK_BYTES }), {
      record: (record) => (fields += record.count),
      malformed: () => undefined,
    });
    return fields;
  });
  const lookups: number[] = [];
  const offers = sheet.offers();
  for (let i = 0; i < 20_000; i += 1) {
    const { productId, skuId } = offers[(i * 7919) % offers.length];
    const started = performance.now();
    const rows = sheet.rowsOf({ productId, skuId, termDuration: 'P1Y', billingPlan: 'monthly' });
    tierFor(rows, 1 + (i % 300));
    lookups.push(performance.now() - started);
  }
  lookups.sort((a, b) => a - b);
  process.stdout.write(
    `${JSON.stringify({
      rows: sheet.rows,
      malformedRows: sheet.malformedRows,
      idleRss,
      peakAboveIdle: peakRss - idleRss,
      heldAboveIdle: heldRss - idleRss,
      firstMs,
      parseMs: Math.min(firstMs, parsed.ms),
      plainMs: plain.ms,
      readerMs: reader.ms,
      mbPerSecond: bytes / 2 ** 20 / (Math.min(firstMs, parsed.ms) / 1000),
      plainMbPerSecond: bytes / 2 ** 20 / (plain.ms / 1000),
      lookupP99Ms: percentile(lookups, 99),
      // Kept alive until measured.
      keep: sheet.rows > 0,
    })}\n`,
  );
}

void main(process.argv[2], Number(process.argv[3]));
