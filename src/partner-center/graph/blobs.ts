/**
 * The export's blobs, read without ever being held whole: downloaded with node:http(s), gunzipped, and split into
 * lines by hand, each buffer released as soon as it is consumed (docs/benchmarks.md, billing export).
 */
import { once } from 'node:events';
import { get as httpGet, type IncomingMessage } from 'node:http';
import { get as httpsGet } from 'node:https';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip, type Gunzip, type ZlibOptions } from 'node:zlib';

/** A blob download that sends nothing for this long is given up (the attempt is retried). */
const BLOB_IDLE_TIMEOUT_MS = 60_000;

/**
 * GET of a blob, its body as a Node stream. node:http rather than fetch: while the reader is busy, fetch keeps the
 * socket's next read waiting in its own queue, where it outlives V8's young generation and is freed only by a full
 * GC (~35 MiB piled up over a million-line read); node:http stops reading the socket instead, and its body chunks
 * are copies the reader can release (see releaseChunk). No automatic decompression: the body is the gzip file.
 */
export function requestBlob(
  url: string,
  { signal, idleTimeoutMs = BLOB_IDLE_TIMEOUT_MS }: { signal?: AbortSignal; idleTimeoutMs?: number } = {},
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const get = url.startsWith('https:') ? httpsGet : httpGet;
    let response: IncomingMessage | undefined;
    const request = get(url, { signal, timeout: idleTimeoutMs }, (answer) => resolve((response = answer)));
    request.on('timeout', () => {
      // The body's reader sees this error rather than a bare "aborted".
      const stalled = new Error(`Microsoft Graph blob store: no data for ${idleTimeoutMs} ms`);
      (response ?? request).destroy(stalled);
    });
    request.on('error', reject);
  });
}

/** An error answer's body (the blob store's XML), at most 64 KiB of it. */
export async function boundedText(body: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of body as AsyncIterable<Buffer>) {
    text += chunk.toString('utf8');
    if (text.length >= 64 * 1024) break;
  }
  return text;
}

/** The size of gunzip's output buffers, so of a batch of lines: the read's async hops come per 64 KiB, not per line. */
const GUNZIP_CHUNK_BYTES = 64 * 1024;
/**
 * Compressed input gunzip may queue before the body waits: a few chunks, so it inflates the next ones on the thread
 * pool while the lines of the last are parsed (with Node's default, 16 KiB, it waited for each chunk in turn).
 */
const GUNZIP_QUEUED_INPUT_BYTES = 4 * GUNZIP_CHUNK_BYTES;

/**
 * The lines of a gzip body, streamed in batches: one per decompressed chunk, split by hand (a line cut by a chunk's
 * end waits for the next). readline's line-by-line events cost the read more than JSON.parse does.
 * Takes ownership of the body's chunks and of gunzip's output: each is released once consumed (see `detach`).
 */
export async function* gunzipLines(body: AsyncIterable<Uint8Array>): AsyncGenerator<string[]> {
  // Stream options reach gunzip's Transform; ZlibOptions does not declare them.
  const streamOptions = { writableHighWaterMark: GUNZIP_QUEUED_INPUT_BYTES } as ZlibOptions;
  const gunzip = createGunzip({ chunkSize: GUNZIP_CHUNK_BYTES, ...streamOptions });
  const stop = new AbortController();
  feedGunzip(body, gunzip, stop.signal).catch((error: unknown) => {
    if (!stop.signal.aborted) gunzip.destroy(error as Error);
  });
  const decoder = new StringDecoder('utf8');
  let rest = '';
  try {
    for await (const output of gunzip as AsyncIterable<Buffer>) {
      const lines = (rest + decoder.write(output)).split('\n');
      releaseOutput(output);
      rest = lines.pop() ?? '';
      yield lines;
    }
    rest += decoder.end();
    if (rest !== '') yield [rest];
  } finally {
    stop.abort();
    gunzip.destroy();
  }
}

/** Writes the body into gunzip, honouring its backpressure, and releases each chunk once gunzip has consumed it. */
async function feedGunzip(body: AsyncIterable<Uint8Array>, gunzip: Gunzip, signal: AbortSignal): Promise<void> {
  for await (const chunk of body) {
    const written = gunzip.write(chunk, () => releaseChunk(chunk));
    if (!written) await once(gunzip, 'drain', { signal });
    if (signal.aborted) return;
  }
  gunzip.end();
}

/** A body chunk is ours once gunzip has consumed it, when it owns its whole buffer (a pooled slice is not ours). */
function releaseChunk(chunk: Uint8Array): void {
  const memory = chunk.buffer;
  if (chunk.byteOffset === 0 && chunk.byteLength === memory.byteLength) detach(memory);
}

/**
 * Gunzip hands out slices of a `GUNZIP_CHUNK_BYTES` buffer and allocates a new one when it is full: once the slice
 * that ends a buffer is decoded, nothing else reads or writes that buffer.
 */
function releaseOutput(output: Buffer): void {
  const memory = output.buffer;
  if (memory.byteLength === GUNZIP_CHUNK_BYTES && output.byteOffset + output.byteLength === memory.byteLength) {
    detach(memory);
  }
}

/**
 * Frees a consumed buffer's memory now. Without that, a buffer that crossed several async hops has left V8's young
 * generation and is freed only by a full GC, which V8 runs when ~64 MiB of such memory has piled up: that pile was
 * most of the read's RSS growth.
 */
function detach(memory: ArrayBufferLike): void {
  if (!(memory instanceof ArrayBuffer)) return;
  try {
    structuredClone(memory, { transfer: [memory] });
  } catch {
    // A buffer V8 cannot detach (e.g. one backed by native memory) is left to the GC.
  }
}
