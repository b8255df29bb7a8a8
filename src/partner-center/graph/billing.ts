/**
 * The Microsoft Graph partner-billing client: reconciliation exports (billed by invoice, unbilled by
 * period and currency) as asynchronous operations — request (`202` + `Location`), poll honouring
 * `Retry-After`, read the manifest — and the export's gzip JSON Lines blobs, streamed line by line
 * (download → gunzip → lines split by hand): no blob or export is ever held whole. Knows nothing of Temporal.
 */
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { get as httpGet, type IncomingMessage } from 'node:http';
import { get as httpsGet } from 'node:https';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip, type Gunzip, type ZlibOptions } from 'node:zlib';
import { z } from 'zod';
import { GRAPH_SCOPE } from '../auth';
import {
  classifyHttpError,
  PartnerCenterBusinessError,
  PartnerCenterNetworkError,
  PartnerCenterResponseShapeError,
  PartnerCenterTimeoutError,
  PartnerCenterUnauthorizedError,
  type PartnerCenterError,
} from '../errors';
import { pickKeys } from '../keys';
import { LineFieldCheck } from '../line-fields';
import { canonicalSpelling, CHARGE_TYPES } from '../schemas';
import type { PartnerCenterLogger, TokenProvider } from '../types';

export const DEFAULT_GRAPH_BASE_URL = 'https://graph.microsoft.com';
/** The Graph permission the billing exports need (application or delegated, admin-consented). */
export const BILLING_PERMISSION = 'PartnerBilling.Read.All';
/** failedOperation code of a legacy (not new-commerce) invoice: only the v1 line items have it. */
export const LEGACY_INVOICE_CODE = '5000';
/** Blob store answer to an expired or refused SAS: read the operation again for a fresh manifest. */
export const SAS_REFUSED_CODE = 'AuthenticationFailed';

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_RETRY_AFTER_MS = 5_000;
const BILLING_PATH = '/v1.0/reports/partners/billing';

export type ExportRequest =
  { kind: 'billed'; invoiceId: string } | { kind: 'unbilled'; billingPeriod: 'current' | 'last'; currencyCode: string };

export const exportManifestSchema = z.looseObject({
  id: z.string().optional(),
  schemaVersion: z.string().optional(),
  dataFormat: z.string().optional(),
  eTag: z.string().optional(),
  partnerTenantId: z.string().optional(),
  rootDirectory: z.string(),
  sasToken: z.string(),
  partitionType: z.string().optional(),
  blobCount: z.number().int().nonnegative().optional(),
  blobs: z.array(z.looseObject({ name: z.string(), partitionValue: z.string().optional() })),
});
export type ExportManifest = z.infer<typeof exportManifestSchema>;

const operationSchema = z.looseObject({
  id: z.string().optional(),
  status: z.string(),
  resourceLocation: z.union([exportManifestSchema, z.string()]).optional(),
  error: z
    .looseObject({ code: z.union([z.string(), z.number()]).optional(), message: z.string().optional() })
    .optional(),
});

export type ExportOperationState =
  | { status: 'running'; retryAfterMs: number }
  | { status: 'succeeded'; manifest: ExportManifest }
  | { status: 'failed'; code: string; message: string };

const lineText = z.string().nullish();
/** A number, or a string holding one; '' counts as 0 (the fold's value of an absent amount). */
const lineAmount = z.coerce.number().nullish();
/**
 * What is read of an export line: the fields a reconciliation folds, as leniently as the v1 line item (null is
 * absent, numbers may be strings, charge types in any spelling, unknown ones passed). Microsoft documents the
 * attributes in PascalCase (`SubscriptionId`, `ChargeStartDate`), other sources write camelCase: `readExportLine`
 * folds any casing of these names first and leaves the ~35 other attributes out. Written for a million lines a
 * run (docs/benchmarks.md, billing export): `nullish` rather than the v1 schema's null-to-undefined preprocess
 * keeps zod on its compiled path (0.8 µs a line instead of 1.7), and `coerce`/`overwrite` rather than
 * `transform`, because a transform run on every line makes V8 allocate the lines' objects straight into the old
 * generation (allocation-site pretenuring): one transformed field cost the read +110 MiB of RSS, numbers sent as
 * strings +470 MiB.
 */
export const exportLineSchema = z.object({
  customerId: lineText,
  customerName: lineText,
  subscriptionId: lineText,
  orderId: lineText,
  productName: lineText,
  skuName: lineText,
  chargeType: z.string().overwrite(canonicalSpelling(CHARGE_TYPES)).nullish(),
  quantity: lineAmount,
  billableQuantity: lineAmount,
  subtotal: lineAmount,
  effectiveUnitPrice: lineAmount,
  unitPrice: lineAmount,
  chargeStartDate: lineText,
});
const foldExportLineKeys = pickKeys(Object.keys(exportLineSchema.shape));

/** An export line as read: the folded fields, or undefined when the line is not one (not an object of them). */
export function readExportLine(received: unknown): ExportChargeLine | undefined {
  const parsed = exportLineSchema.safeParse(foldExportLineKeys(received));
  return parsed.success ? parsed.data : undefined;
}
export type ExportChargeLine = z.infer<typeof exportLineSchema>;

/** One line of a blob: its 0-based number in the blob, and the line (undefined when it is not a line item). */
export interface ExportLine {
  lineNumber: number;
  line?: ExportChargeLine;
}

export interface GraphCallOptions {
  signal?: AbortSignal;
  /** client-request-id, for tracing. */
  requestId?: string;
}

export interface GraphBillingClientOptions {
  /** Graph root without /v1.0, e.g. https://graph.microsoft.com */
  baseUrl: string;
  tokens: TokenProvider;
  /** Per API call (not per blob download). Default 30 s. */
  timeoutMs?: number;
  /** For the API calls; blobs are downloaded with node:http(s) (see requestBlob). */
  fetch?: typeof fetch;
  logger?: PartnerCenterLogger;
}

export interface GraphBillingClient {
  /** Starts an export; its operation id (stable: poll it, never request again for the same export). */
  requestExport(request: ExportRequest, o?: GraphCallOptions): Promise<{ operationId: string; retryAfterMs: number }>;
  /** The operation once: running (with Retry-After), succeeded (with a manifest carrying a fresh SAS) or failed. */
  getExportOperation(operationId: string, o?: GraphCallOptions): Promise<ExportOperationState>;
  /**
   * Polls until the export succeeds (its manifest) or fails (a business error; 5000 says to use the v1
   * line items), waiting Retry-After between reads; `onPoll` is told of each running answer.
   */
  waitForExport(
    operationId: string,
    o?: GraphCallOptions & { onPoll?: (retryAfterMs: number) => void; maxWaitMs?: number },
  ): Promise<ExportManifest>;
  /**
   * The lines of blob `blobIndex` of the manifest from line `fromLine` on, streamed in batches (one per
   * decompressed chunk; blank lines left out). A refused SAS (expired) throws a business error with code
   * SAS_REFUSED_CODE: read the operation for a fresh manifest. A blob whose lines carry no subscription id or
   * no quantity under any casing fails (not retryable) naming the keys it found: see LineFieldCheck.
   */
  exportLines(
    manifest: ExportManifest,
    blobIndex: number,
    o?: GraphCallOptions & { fromLine?: number },
  ): AsyncGenerator<ExportLine[]>;
}

/** Whether an error is the blob store refusing an expired SAS token. */
export function isSasRefused(error: unknown): boolean {
  return error instanceof PartnerCenterBusinessError && error.code === SAS_REFUSED_CODE;
}

export function createGraphBillingClient(options: GraphBillingClientOptions): GraphBillingClient {
  const root = `${options.baseUrl.replace(/\/+$/, '')}${BILLING_PATH}`;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const fetchImpl = options.fetch ?? fetch;
  const { tokens, logger } = options;

  async function attempt(
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    token: string,
    o: GraphCallOptions | undefined,
  ): Promise<Response> {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = o?.signal ? AbortSignal.any([timeout, o.signal]) : timeout;
    const route = `${method} ${BILLING_PATH}${path.replace(/\/operations\/[^/]+$/, '/operations/{id}')}`;
    try {
      return await fetchImpl(`${root}${path}`, {
        method,
        headers: {
          Accept: 'application/json',
          Authorization: `Bearer ${token}`,
          'client-request-id': o?.requestId ?? randomUUID(),
          ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      });
    } catch (error) {
      if (o?.signal?.aborted) throw o.signal.reason ?? error;
      const description = `${timeout.aborted ? 'No answer' : 'Could not reach Microsoft Graph'} for ${route}`;
      throw timeout.aborted
        ? new PartnerCenterTimeoutError({ description, cause: error }, `Microsoft Graph: ${description}`)
        : new PartnerCenterNetworkError({ description, cause: error }, `Microsoft Graph: ${description}`);
    }
  }

  /** One call: a forced token refresh and one repeat on 401, then Graph's errors classified. */
  async function call(method: 'GET' | 'POST', path: string, body: unknown, o?: GraphCallOptions): Promise<Response> {
    let response = await attempt(method, path, body, await tokens.getAccessToken({ scope: GRAPH_SCOPE }), o);
    if (response.status === 401) {
      await response.body?.cancel();
      const fresh = await tokens.getAccessToken({ scope: GRAPH_SCOPE, forceRefresh: true });
      response = await attempt(method, path, body, fresh, o);
    }
    if (response.ok) return response;
    throw graphError(response, await response.text(), `${method} ${BILLING_PATH}${path.split('?')[0]}`);
  }

  function graphError(response: Response, text: string, route: string): PartnerCenterError {
    const parsed = graphErrorSchema.safeParse(parseJson(text)).data?.error;
    const details = {
      status: response.status,
      code: parsed?.code,
      description: parsed?.message ?? (text.slice(0, 200) || response.statusText),
      requestId: response.headers.get('request-id') ?? undefined,
    };
    logger?.warn('Microsoft Graph refused a call', { route, status: details.status, code: details.code });
    if (response.status === 401)
      return new PartnerCenterUnauthorizedError(
        details,
        `Microsoft Graph HTTP 401 for ${route}: ${details.description} (the token for ${GRAPH_SCOPE} was refused)`,
      );
    if (response.status === 403)
      return new PartnerCenterUnauthorizedError(
        details,
        `Microsoft Graph HTTP 403 for ${route}: the app registration needs the ${BILLING_PERMISSION} permission on Microsoft Graph (application, or delegated for App+User), consented by an administrator of the partner tenant (${details.description})`,
      );
    const classified = classifyHttpError({
      status: response.status,
      body: { code: details.code, description: details.description },
      retryAfter: response.headers.get('retry-after'),
      requestId: details.requestId,
    });
    return Object.assign(classified, {
      message: `Microsoft Graph HTTP ${response.status}${details.code !== undefined ? `, code ${details.code}` : ''} for ${route}: ${details.description}`,
    });
  }

  async function json<S extends z.ZodType>(schema: S, response: Response, route: string): Promise<z.infer<S>> {
    const parsed = schema.safeParse(parseJson(await response.text()));
    if (!parsed.success)
      throw new PartnerCenterResponseShapeError({
        description: `Microsoft Graph answered ${route} with an unexpected shape: ${parsed.error.issues[0]?.message ?? ''}`,
      });
    return parsed.data;
  }

  async function getExportOperation(operationId: string, o?: GraphCallOptions): Promise<ExportOperationState> {
    const path = `/operations/${encodeURIComponent(operationId)}`;
    const response = await call('GET', `${path}?$expand=resourceLocation`, undefined, o);
    const retryAfterMs = retryAfterOf(response.headers.get('retry-after'));
    const operation = await json(operationSchema, response, `GET ${BILLING_PATH}/operations/{id}`);
    const status = operation.status.toLowerCase();
    if (status === 'failed')
      return {
        status: 'failed',
        code: String(operation.error?.code ?? 'unknown'),
        message: operation.error?.message ?? 'the export failed without a reason',
      };
    if (status === 'succeeded') {
      const location = operation.resourceLocation;
      if (location === undefined)
        throw new PartnerCenterResponseShapeError({
          description: 'Microsoft Graph: a succeeded export has no manifest',
        });
      if (typeof location !== 'string') return { status: 'succeeded', manifest: location };
      // A manifest given by address: read it (the address is Graph's, with the same token).
      const manifestPath = new URL(location).pathname.replace(/^.*\/reports\/partners\/billing/, '');
      const manifest = await json(exportManifestSchema, await call('GET', manifestPath, undefined, o), 'manifest');
      return { status: 'succeeded', manifest };
    }
    return { status: 'running', retryAfterMs };
  }

  return {
    async requestExport(request, o) {
      const path = `/reconciliation/${request.kind}/export`;
      const body =
        request.kind === 'billed'
          ? { invoiceId: request.invoiceId, attributeSet: 'full' }
          : { billingPeriod: request.billingPeriod, currencyCode: request.currencyCode, attributeSet: 'full' };
      const response = await call('POST', path, body, o);
      await response.body?.cancel();
      const location = response.headers.get('location') ?? '';
      const operationId = /\/operations\/([^/?]+)/.exec(location)?.[1];
      if (operationId === undefined)
        throw new PartnerCenterResponseShapeError({
          description: `Microsoft Graph accepted the ${request.kind} export without an operation Location (got "${location}")`,
        });
      return {
        operationId: decodeURIComponent(operationId),
        retryAfterMs: retryAfterOf(response.headers.get('retry-after')),
      };
    },
    getExportOperation,
    async waitForExport(operationId, o) {
      for (;;) {
        const state = await getExportOperation(operationId, o);
        if (state.status === 'succeeded') return state.manifest;
        if (state.status === 'failed') throw exportFailure(operationId, state);
        o?.onPoll?.(state.retryAfterMs);
        await sleep(Math.min(state.retryAfterMs, o?.maxWaitMs ?? Infinity), o?.signal);
      }
    },
    async *exportLines(manifest, blobIndex, o) {
      const blob = manifest.blobs[blobIndex];
      if (blob === undefined) throw new RangeError(`The manifest has no blob ${blobIndex}`);
      const root = manifest.rootDirectory.replace(/\/+$/, '');
      const sas = manifest.sasToken.replace(/^\?/, '');
      // The SAS is a credential: it is in the URL only, never in a message.
      const response = await requestBlob(`${root}/${blob.name}?${sas}`, { signal: o?.signal }).catch(
        (error: unknown) => {
          if (o?.signal?.aborted) throw o.signal.reason ?? error;
          throw new PartnerCenterNetworkError(
            { description: `Could not download blob ${blob.name}`, cause: error },
            `Microsoft Graph blob store: could not download blob ${blob.name}`,
          );
        },
      );
      const status = response.statusCode ?? 0;
      if (status < 200 || status > 299) {
        const text = await boundedText(response);
        const code = /<Code>([^<]+)<\/Code>/.exec(text)?.[1];
        const details = { status, code, description: `blob ${blob.name}: ${code ?? response.statusMessage ?? ''}` };
        const message = `Microsoft Graph blob store HTTP ${status} for ${blob.name}${code ? `: ${code}` : ''}`;
        if (status === 403) throw new PartnerCenterBusinessError({ ...details, code: SAS_REFUSED_CODE }, message);
        throw Object.assign(classifyHttpError({ status, body: details }), { message });
      }
      const fromLine = o?.fromLine ?? 0;
      const fields = new LineFieldCheck();
      let lineNumber = 0;
      for await (const texts of gunzipLines(response)) {
        const batch: ExportLine[] = [];
        for (const text of texts) {
          const current = lineNumber;
          lineNumber += 1;
          if (current < fromLine || text.trim() === '') continue;
          const received = parseJson(text);
          const line = readExportLine(received);
          fields.see(received, line);
          batch.push(line !== undefined ? { lineNumber: current, line } : { lineNumber: current });
        }
        if (batch.length > 0) yield batch;
      }
      fields.verify(`Microsoft Graph export blob ${blob.name}`);
    },
  };
}

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
async function boundedText(body: IncomingMessage): Promise<string> {
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

/** A failed export as the error callers act on: 5000 (legacy invoice) says to use the v1 line items. */
function exportFailure(operationId: string, state: { code: string; message: string }): PartnerCenterBusinessError {
  const legacy = state.code === LEGACY_INVOICE_CODE;
  const advice = legacy
    ? ': the invoice is not new commerce (a legacy invoice); reconcile it from the v1 invoice line items (GET /v1/invoices/{id}/lineitems) instead'
    : '';
  return new PartnerCenterBusinessError(
    { code: state.code, description: `${state.message}${advice}` },
    `Microsoft Graph export ${operationId} failed with code ${state.code}: ${state.message}${advice}`,
  );
}

const graphErrorSchema = z.object({
  error: z.object({ code: z.string().optional(), message: z.string().optional() }),
});

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Retry-After in seconds (Graph's form) or as an HTTP date; the default when absent. */
function retryAfterOf(value: string | null): number {
  if (value === null || value.trim() === '') return DEFAULT_RETRY_AFTER_MS;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? DEFAULT_RETRY_AFTER_MS : Math.max(0, at - Date.now());
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
