/**
 * How an export blob becomes lines: the hand-made split of gunzipped chunks (lines cut at any byte,
 * CRLF, no final newline, multi-byte characters cut between chunks) and the lenient line schema the
 * client reads each line with.
 */
import { once } from 'node:events';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import {
  createGraphBillingClient,
  exportLineSchema,
  gunzipLines,
  PartnerCenterResponseShapeError,
  readExportLine,
  requestBlob,
  type ExportLine,
} from '../../../src/partner-center';

/** A gzip body delivered in pieces of `pieceSize` bytes, so lines and characters are cut anywhere. */
function gzipBody(text: string, pieceSize: number): ReadableStream<Uint8Array> {
  const gzip = gzipSync(Buffer.from(text, 'utf8'));
  let at = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= gzip.length) return controller.close();
      controller.enqueue(new Uint8Array(gzip.subarray(at, at + pieceSize)));
      at += pieceSize;
    },
  });
}

async function linesOf(body: AsyncIterable<Uint8Array>): Promise<{ lines: string[]; batches: number }> {
  const lines: string[] = [];
  let batches = 0;
  for await (const batch of gunzipLines(body)) {
    batches += 1;
    lines.push(...batch);
  }
  return { lines, batches };
}

/** What `read` gave, and the buffers it released (transferred away with `structuredClone`) meanwhile. */
async function transferredWhile<T>(read: () => Promise<T>): Promise<{ result: T; transferred: ArrayBuffer[] }> {
  const clone = jest.spyOn(globalThis, 'structuredClone');
  try {
    const result = await read();
    return {
      result,
      transferred: clone.mock.calls.flatMap(([, options]) => (options?.transfer ?? []) as ArrayBuffer[]),
    };
  } finally {
    clone.mockRestore();
  }
}

/** Gunzip's 64 KiB output buffers that `text` fills whole. */
const fullOutputBuffers = (text: string) => Math.floor(Buffer.byteLength(text) / (64 * 1024));

describe('gunzipLines', () => {
  it('gives every line whole, whatever the chunking, including characters cut between chunks', async () => {
    const expected = Array.from({ length: 5_000 }, (_, n) => JSON.stringify({ n, name: `Société ${n} — ✓` }));
    for (const pieceSize of [7, 1_000, 1 << 20]) {
      const { lines } = await linesOf(gzipBody(`${expected.join('\n')}\n`, pieceSize));
      // The final newline leaves no empty last line.
      expect(lines).toEqual(expected);
    }
  });

  it('batches lines by decompressed chunk rather than one by one', async () => {
    const expected = Array.from({ length: 20_000 }, (_, n) => `{"n":${n},"padding":"${'x'.repeat(40)}"}`);
    const { lines, batches } = await linesOf(gzipBody(expected.join('\n'), 1 << 20));
    expect(lines).toEqual(expected);
    expect(batches).toBeGreaterThan(1);
    expect(batches).toBeLessThan(lines.length / 100);
  });

  it('keeps a last line without a newline, and a CRLF line parses', async () => {
    const { lines } = await linesOf(gzipBody('{"a":1}\r\n{"a":2}', 3));
    expect(lines).toEqual(['{"a":1}\r', '{"a":2}']);
    expect(lines.map((line) => JSON.parse(line) as unknown)).toEqual([{ a: 1 }, { a: 2 }]);
  });

  it('gives nothing for an empty blob and fails on a body that is not gzip', async () => {
    expect((await linesOf(gzipBody('', 10))).lines).toEqual([]);
    const notGzip = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"a":1}\n'));
        controller.close();
      },
    });
    await expect(linesOf(notGzip)).rejects.toThrow(/incorrect header check/);
  });

  it('releases each chunk it owns once gunzip has consumed it, and leaves a shared slice alone', async () => {
    const gzip = gzipSync(Buffer.from(Array.from({ length: 2_000 }, (_, n) => `{"n":${n}}`).join('\n'), 'utf8'));
    const shared = new Uint8Array(gzip.length + 8);
    const owned = [new Uint8Array(gzip.subarray(0, 100)), new Uint8Array(gzip.subarray(100, gzip.length - 10))];
    shared.set(gzip.subarray(gzip.length - 10), 8);
    const slice = shared.subarray(8, 18);
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const chunk of [...owned, slice]) controller.enqueue(chunk);
        controller.close();
      },
    });
    const { lines } = await linesOf(body);
    expect(lines).toHaveLength(2_000);
    expect(owned.map((chunk) => chunk.buffer.byteLength)).toEqual([0, 0]);
    expect(slice.byteLength).toBe(10);
  });

  it("releases each of gunzip's full output buffers once its lines are out, and still gives every line", async () => {
    const expected = Array.from({ length: 20_000 }, (_, n) => JSON.stringify({ n, name: `Société ${n} — ✓` }));
    const text = `${expected.join('\n')}\n`;
    const { result, transferred } = await transferredWhile(() => linesOf(gzipBody(text, 1 << 20)));
    expect(result.lines).toEqual(expected);
    // The body came in one owned chunk; besides it, each full 64 KiB output buffer is released.
    const fullOutputs = fullOutputBuffers(text);
    expect(fullOutputs).toBeGreaterThan(10);
    expect(transferred.length).toBeGreaterThanOrEqual(1 + fullOutputs);
    expect(transferred.every((memory) => memory.byteLength === 0)).toBe(true);
  });

  it('fails with the error of a body that breaks mid-way, and cancels the body when the reader stops early', async () => {
    const gzip = gzipSync(Buffer.from('{"a":1}\n'.repeat(50_000), 'utf8'));
    const broken = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new Uint8Array(gzip.subarray(0, 200)));
        controller.error(new Error('socket hang up'));
      },
    });
    await expect(linesOf(broken)).rejects.toThrow('socket hang up');

    let cancelled = false;
    let at = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(new Uint8Array(gzip.subarray(at, at + 64)));
        at = (at + 64) % gzip.length;
      },
      cancel() {
        cancelled = true;
      },
    });
    for await (const batch of gunzipLines(endless)) {
      expect(batch.length).toBeGreaterThan(0);
      break;
    }
    await new Promise((resolve) => setImmediate(resolve));
    expect(cancelled).toBe(true);
  });
});

describe('requestBlob', () => {
  let server: Server | undefined;
  afterEach(() => server?.closeAllConnections());
  afterEach(() => server?.close());

  async function serve(listener: RequestListener): Promise<string> {
    server = createServer(listener).listen(0, '127.0.0.1');
    await once(server, 'listening');
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/blob.json.gz?sig=secret`;
  }

  it('streams the body as chunks the reader owns, so each is released once gunzip has consumed it', async () => {
    const expected = Array.from({ length: 30_000 }, (_, n) => JSON.stringify({ n, id: `${n}`.repeat(8) }));
    const text = `${expected.join('\n')}\n`;
    const gzip = gzipSync(Buffer.from(text, 'utf8'));
    const url = await serve((_request, response) => {
      response.writeHead(200, { 'Content-Type': 'application/octet-stream' });
      for (let at = 0; at < gzip.length; at += 16 * 1024) response.write(gzip.subarray(at, at + 16 * 1024));
      response.end();
    });
    const { result, transferred } = await transferredWhile(async () => {
      const response = await requestBlob(url);
      expect(response.statusCode).toBe(200);
      return linesOf(response);
    });
    expect(result.lines).toEqual(expected);
    const released = transferred.filter((memory) => memory.byteLength === 0);
    // Every body chunk besides gunzip's outputs: fetch's would be released too, but its socket reads would not.
    expect(released.length).toBeGreaterThan(fullOutputBuffers(text) + gzip.length / (64 * 1024));
  });

  it('gives up a download that stalls, naming the idle time, and one whose signal aborts', async () => {
    const url = await serve((_request, response) => {
      response.writeHead(200);
      response.write(gzipSync('{"a":1}\n').subarray(0, 5)); // then nothing
    });
    const response = await requestBlob(url, { idleTimeoutMs: 200 });
    await expect(linesOf(response)).rejects.toThrow('Microsoft Graph blob store: no data for 200 ms');

    const stop = new AbortController();
    const request = requestBlob(url, { signal: stop.signal, idleTimeoutMs: 60_000 });
    stop.abort();
    await expect(request).rejects.toThrow(/abort/i);
  });
});

describe('exportLineSchema', () => {
  it('reads the folded fields leniently: null is absent, numbers may be strings, charge types in any spelling', () => {
    const line = exportLineSchema.parse({
      customerId: 'C1',
      customerName: null,
      subscriptionId: 'S1',
      chargeType: 'AddQuantity',
      quantity: '3',
      billableQuantity: 3,
      subtotal: '-12.5',
      unitPrice: null,
      chargeStartDate: '2026-11-01T00:00:00Z',
      taxTotal: 'not read',
      somethingNew: { nested: true },
    });
    expect(line).toEqual({
      customerId: 'C1',
      customerName: null,
      subscriptionId: 'S1',
      chargeType: 'addQuantity',
      quantity: 3,
      billableQuantity: 3,
      subtotal: -12.5,
      unitPrice: null,
      chargeStartDate: '2026-11-01T00:00:00Z',
    });
  });

  it('passes an unknown charge type through, and refuses a field of the wrong kind', () => {
    expect(exportLineSchema.parse({ chargeType: 'futureCharge' }).chargeType).toBe('futureCharge');
    expect(exportLineSchema.safeParse({ quantity: 'three' }).success).toBe(false);
    expect(exportLineSchema.safeParse({ customerId: 42 }).success).toBe(false);
  });
});

describe('readExportLine', () => {
  const camel = { customerId: 'C1', subscriptionId: 'S1', chargeType: 'new', quantity: 2, subtotal: '12', taxTotal: 1 };
  const expected = { customerId: 'C1', subscriptionId: 'S1', chargeType: 'new', quantity: 2, subtotal: 12 };

  it("reads Microsoft's documented PascalCase, camelCase and any other casing of the same names alike", () => {
    const pascal = {
      CustomerId: 'C1',
      SubscriptionId: 'S1',
      ChargeType: 'new',
      Quantity: 2,
      Subtotal: '12',
      TaxTotal: 1,
    };
    const shouted = { CUSTOMERID: 'C1', subscriptionid: 'S1', CHARGETYPE: 'new', QUANTITY: 2, subTotal: '12' };
    // Lines of one export, then of another spelling: each spelling is learnt, none sticks to the next line.
    for (const line of [pascal, pascal, camel, shouted, pascal, camel]) expect(readExportLine(line)).toEqual(expected);
  });

  it('prefers the documented name over another casing of it on the same line, and reads a line missing fields', () => {
    expect(readExportLine({ ...camel, SubscriptionId: 'other' })?.subscriptionId).toBe('S1');
    expect(readExportLine({ Quantity: 1 })).toEqual({ quantity: 1 });
    expect(readExportLine({ Quantity: 'three' })).toBeUndefined();
    expect(readExportLine('not an object')).toBeUndefined();
  });
});

describe('the export client refuses lines it cannot reconcile', () => {
  let server: Server | undefined;
  afterEach(() => server?.close());

  /** A Graph billing client whose manifest's one blob holds `lines` (gzip JSON Lines). */
  async function blobOf(lines: unknown[]) {
    const gzip = gzipSync(lines.map((line) => JSON.stringify(line)).join('\n'));
    server = createServer((_request, response) => response.end(gzip)).listen(0, '127.0.0.1');
    await once(server, 'listening');
    const client = createGraphBillingClient({
      baseUrl: 'http://127.0.0.1:1',
      tokens: { mode: 'app-only', getAccessToken: () => Promise.reject(new Error('no call expected')) },
    });
    const manifest = {
      rootDirectory: `http://127.0.0.1:${(server.address() as AddressInfo).port}/export`,
      sasToken: 'sig=secret',
      blobs: [{ name: 'part-00000.json.gz' }],
    };
    const read: ExportLine[] = [];
    const done = (async () => {
      for await (const batch of client.exportLines(manifest, 0)) read.push(...batch);
    })();
    return { done, read };
  }

  it('reads a blob whose lines spell the fields in any casing', async () => {
    const { done, read } = await blobOf([
      { SubscriptionId: 'S1', Quantity: 1 },
      { subscriptionId: 'S2', quantity: 2 },
    ]);
    await done;
    expect(read.map((l) => l.line?.subscriptionId)).toEqual(['S1', 'S2']);
  });

  it('fails, naming the fields it looked for and the keys it found, when no line carries a subscription id', async () => {
    const { done } = await blobOf([
      { subscription_id: 'S1', quantity: 1, charge_type: 'new' },
      { subscription_id: 'S2', quantity: 2, charge_type: 'new' },
    ]);
    const failure = await done.catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(PartnerCenterResponseShapeError);
    expect((failure as Error).message).toBe(
      'Microsoft Graph export blob part-00000.json.gz: none of its 2 lines carries subscriptionId (looked for ' +
        'subscriptionId, quantity in any casing); a report from them would call every charge missing. Keys found: ' +
        'subscription_id, quantity, charge_type',
    );
  });

  it('fails when no line carries a quantity, and passes a blob where only some lines lack one', async () => {
    const none = await blobOf([{ SubscriptionId: 'S1' }, { SubscriptionId: 'S2', Qty: 2 }]);
    await expect(none.done).rejects.toThrow(/none of its 2 lines carries quantity .*Keys found: SubscriptionId$/);
    server?.close();
    const some = await blobOf([{ SubscriptionId: 'S1' }, { SubscriptionId: 'S2', Quantity: 2 }]);
    await some.done;
    expect(some.read).toHaveLength(2);
  });
});
