import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { z } from 'zod';
import { isoTimestamp, sleep } from '../clock';
import { blobCount, blobLines, blobName, type ExportLineKeys, type ExportLines, type ExportOperation } from '../graph';
import { header, readRawBody } from '../http';
import { compileRoutes } from '../router';
import { settle } from '../settle';
import { periodRange } from './billing';
import {
  authenticate,
  faultError,
  GraphError,
  parseBody,
  type GraphContext,
  type GraphDeps,
  type GraphRoute,
} from './graph-route';
import { gdapRoutes } from './gdap';
import { tenantRoutes } from './tenant';

/**
 * The Microsoft Graph host of the sandbox: `{origin}/graph/v1.0/reports/partners/billing/…` (the
 * export operations), `{origin}/blobs/{operationId}/{blob}?{sas}` (the blob store), and each customer's
 * tenant (tenant.ts: licences, with a token for that tenant), GDAP relationships (gdap.ts, with the partner's token).
 * Graph's own error shape `{ error: { code, message } }`,
 * tokens for https://graph.microsoft.com only; injected faults apply as on /v1.
 */

export const GRAPH_PATH = '/graph';
const BLOB_PATH = '/blobs';
/** Graph's failedOperation code for a legacy (non new-commerce) invoice (partner-center-2026.md, Billing). */
export const LEGACY_INVOICE_CODE = '5000';

const attributeSet = z.enum(['full', 'basic']).default('full');
const billedExportSchema = z.object({ invoiceId: z.string().min(1), attributeSet });
const unbilledExportSchema = z.object({
  billingPeriod: z.enum(['current', 'last']),
  currencyCode: z.string().regex(/^[A-Za-z]{3}$/),
  attributeSet,
});

/** The fields of the `basic` attribute set (the `full` one has every field), as the sandbox keeps its lines. */
const BASIC_FIELDS = new Set([
  'partnerId',
  'customerId',
  'customerName',
  'invoiceNumber',
  'orderId',
  'productId',
  'skuId',
  'productName',
  'skuName',
  'chargeType',
  'unitPrice',
  'quantity',
  'billableQuantity',
  'subtotal',
  'totalForCustomer',
  'currency',
  'subscriptionId',
  'chargeStartDate',
  'chargeEndDate',
]);

/** Documented names that are not the camelCase name with its first letter raised. */
const DOCUMENTED_NAMES: Record<string, string> = {
  pcToBCExchangeRate: 'PCToBCExchangeRate',
  pcToBCExchangeRateDate: 'PCToBCExchangeRateDate',
};

/** A line's key as the policy spells it (the sandbox keeps its lines in the v1 API's camelCase). */
function spellLineKey(key: string, spelling: ExportLineKeys): string {
  if (spelling === 'camelCase') return key;
  if (spelling === 'snake_case') return key.replace(/[A-Z]+/g, (upper) => `_${upper.toLowerCase()}`);
  return DOCUMENTED_NAMES[key] ?? key.charAt(0).toUpperCase() + key.slice(1);
}

/** The lines as the export writes them: the attribute set's fields, spelled as the policy says, no v1 `attributes`. */
function project(
  lines: Array<Record<string, unknown>>,
  set: 'full' | 'basic',
  spelling: ExportLineKeys,
): Array<Record<string, unknown>> {
  const written = (key: string) => key !== 'attributes' && (set === 'full' || BASIC_FIELDS.has(key));
  return lines.map((line) =>
    Object.fromEntries(
      Object.entries(line)
        .filter(([key]) => written(key))
        .map(([key, value]) => [spellLineKey(key, spelling), value]),
    ),
  );
}

function accepted(ctx: GraphContext, operation: ExportOperation) {
  return {
    status: 202,
    headers: {
      Location: `${ctx.origin}${GRAPH_PATH}/v1.0/reports/partners/billing/operations/${operation.id}`,
      'Retry-After': String(ctx.deps.graph.policy.retryAfterSeconds),
    },
  };
}

function operationJson(ctx: GraphContext, operation: ExportOperation): Record<string, unknown> {
  const common = {
    id: operation.id,
    createdDateTime: isoTimestamp(operation.createdAt),
    lastActionDateTime: isoTimestamp(Math.min(Date.now(), operation.readyAt)),
  };
  if (Date.now() < operation.readyAt)
    return { '@odata.type': '#microsoft.graph.partners.billing.runningOperation', ...common, status: 'running' };
  if (operation.failure !== undefined)
    return {
      '@odata.type': '#microsoft.graph.partners.billing.failedOperation',
      ...common,
      status: 'failed',
      error: { code: operation.failure.code, message: operation.failure.message },
    };
  const count = blobCount(operation);
  return {
    '@odata.type': '#microsoft.graph.partners.billing.exportSuccessOperation',
    ...common,
    status: 'succeeded',
    // Each read issues a fresh SAS: a client whose token expired reads the operation again.
    resourceLocation: {
      '@odata.type': '#microsoft.graph.partners.billing.manifest',
      id: operation.id,
      schemaVersion: '2',
      dataFormat: 'compressedJSONLines',
      createdDateTime: isoTimestamp(operation.readyAt),
      eTag: `"${operation.id.slice(0, 8)}"`,
      partnerTenantId: operation.partnerTenantId,
      rootDirectory: `${ctx.origin}${BLOB_PATH}/${operation.id}`,
      sasToken: ctx.deps.graph.issueSas(operation.id),
      partitionType: 'default',
      blobCount: count,
      blobs: Array.from({ length: count }, (_, i) => ({ name: blobName(i), partitionValue: 'default' })),
    },
  };
}

const billingRoutes: GraphRoute[] = [
  {
    method: 'POST',
    template: '/v1.0/reports/partners/billing/reconciliation/billed/export',
    handle: (ctx) => {
      const request = parseBody(billedExportSchema, ctx);
      const invoice = ctx.deps.runtime.world.invoices.find(
        (i) => i.id.toUpperCase() === request.invoiceId.toUpperCase() && i.partnerTenantId === ctx.partner.tenantId,
      );
      if (invoice === undefined) throw new GraphError(404, 'NotFound', `Invoice ${request.invoiceId} was not found.`);
      const lines: ExportLines =
        invoice.generatedLines !== undefined
          ? {
              kind: 'generated',
              count: invoice.generatedLines,
              ...(invoice.generatedOwners !== undefined ? { owners: invoice.generatedOwners } : {}),
            }
          : { kind: 'lines', lines: project(invoice.lines, request.attributeSet, ctx.deps.graph.policy.lineKeys) };
      const legacy = invoice.legacy
        ? {
            code: LEGACY_INVOICE_CODE,
            message: `Invoice ${invoice.id} is a legacy invoice: billed reconciliation v2 covers only new commerce.`,
          }
        : undefined;
      return accepted(ctx, ctx.deps.graph.startExport(ctx.partner.tenantId, lines, legacy));
    },
  },
  {
    method: 'POST',
    template: '/v1.0/reports/partners/billing/reconciliation/unbilled/export',
    handle: (ctx) => {
      const request = parseBody(unbilledExportSchema, ctx);
      const { runtime } = ctx.deps;
      const now = runtime.clock.now();
      const [from, to] = periodRange(now, request.billingPeriod === 'last' ? 'previous' : 'current');
      const currency = request.currencyCode.toUpperCase();
      const visibleUntil = now - runtime.delays.reconLineMs;
      const lines = runtime.world.recon
        .filter(
          (l) =>
            l.partnerTenantId === ctx.partner.tenantId &&
            l.currency === currency &&
            l.at >= from &&
            l.at < to &&
            l.at <= visibleUntil,
        )
        .map((l) => l.item);
      return accepted(
        ctx,
        ctx.deps.graph.startExport(ctx.partner.tenantId, {
          kind: 'lines',
          lines: project(lines, request.attributeSet, ctx.deps.graph.policy.lineKeys),
        }),
      );
    },
  },
  {
    method: 'GET',
    template: '/v1.0/reports/partners/billing/operations/{operationId}',
    handle: (ctx) => {
      const operation = ctx.deps.graph.operations.get(ctx.params.operationId);
      if (operation === undefined || operation.partnerTenantId !== ctx.partner.tenantId)
        throw new GraphError(404, 'NotFound', `Operation ${ctx.params.operationId} was not found.`);
      const running = Date.now() < operation.readyAt;
      return {
        status: 200,
        body: operationJson(ctx, operation),
        ...(running ? { headers: { 'Retry-After': String(ctx.deps.graph.policy.retryAfterSeconds) } } : {}),
      };
    },
  },
];
const matchGraphRoute = compileRoutes([...billingRoutes, ...tenantRoutes, ...gdapRoutes]);

export function isGraphRequest(path: string): boolean {
  return path.startsWith(`${GRAPH_PATH}/`) || path.startsWith(`${BLOB_PATH}/`);
}

/** Answers a Graph or blob request, whatever happens (Graph's error shape, or the blob store's XML). */
export async function serveGraph(deps: GraphDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://sandbox.invalid');
  const origin = `http://${header(req.headers, 'host') ?? '127.0.0.1'}`;
  const requestId = header(req.headers, 'client-request-id') ?? randomUUID();
  if (url.pathname.startsWith(`${BLOB_PATH}/`)) return serveBlob(deps, url, res);
  const method = (req.method ?? 'GET').toUpperCase();
  const send = (status: number, body?: unknown, headers: Record<string, string> = {}) => {
    const text = body === undefined ? '' : JSON.stringify(body);
    res.writeHead(status, {
      'request-id': requestId,
      'client-request-id': requestId,
      ...(text ? { 'content-type': 'application/json' } : {}),
      'content-length': Buffer.byteLength(text),
      ...headers,
    });
    res.end(text);
  };
  try {
    const answer = await answerGraph(deps, req, { method, path: url.pathname, url, origin });
    if (answer === undefined) req.socket.destroy();
    else send(answer.status, answer.body, answer.headers);
  } catch (error) {
    if (error instanceof GraphError)
      return send(
        error.status,
        {
          error: {
            code: error.code,
            message: error.message,
            innerError: { date: new Date().toISOString(), 'request-id': requestId, 'client-request-id': requestId },
          },
        },
        error.headers,
      );
    send(500, { error: { code: 'InternalServerError', message: 'An unexpected error occurred in the sandbox.' } });
  }
}

/** A Graph request through faults → route → bearer check → handler; undefined when a fault drops the connection. */
async function answerGraph(
  deps: GraphDeps,
  req: IncomingMessage,
  request: { method: string; path: string; url: URL; origin: string },
): Promise<ReturnType<GraphRoute['handle']> | undefined> {
  const { runtime } = deps;
  settle(runtime.world, runtime.clock.now(), runtime.delays);
  const path = request.path.slice(GRAPH_PATH.length);
  const match = matchGraphRoute(request.method, path);
  if (match === undefined || 'methodNotAllowed' in match)
    throw new GraphError(400, 'BadRequest', `Resource not found for the segment '${path}'.`);
  const counterKey = `${request.method} ${match.route.template}`;
  runtime.world.counters.requests[counterKey] = (runtime.world.counters.requests[counterKey] ?? 0) + 1;
  const fault = deps.faults.take(request.method, request.path);
  if (fault?.kind === 'latency') await sleep(fault.latencyMs ?? 1000);
  if (fault?.kind === 'reset') return undefined;
  const injected = fault && faultError(fault);
  if (injected) throw injected;
  const rawBody = await readRawBody(req);
  const caller = authenticate(deps, header(req.headers, 'authorization'), match.route);
  const body = () => {
    try {
      return rawBody.trim() === '' ? {} : (JSON.parse(rawBody) as unknown);
    } catch {
      throw new GraphError(400, 'BadRequest', 'The request body is not valid JSON.');
    }
  };
  const answer = match.route.handle({
    deps,
    ...caller,
    params: match.params,
    url: request.url,
    body,
    origin: request.origin,
  });
  if (fault?.kind !== 'commit-then-drop') return answer;
  // The change is made; the client never hears about it (after `latencyMs`: a call still in flight).
  if (fault.latencyMs !== undefined) await sleep(fault.latencyMs);
  return undefined;
}

/** `GET /blobs/{operationId}/{blob}?{sas}`: the blob, gzip JSON Lines, streamed; 403 AuthenticationFailed for a bad or expired SAS. */
async function serveBlob(deps: GraphDeps, url: URL, res: ServerResponse): Promise<void> {
  const [operationId = '', name = ''] = url.pathname.slice(BLOB_PATH.length + 1).split('/');
  const xml = (status: number, code: string, message: string) => {
    const text = `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`;
    res.writeHead(status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };
  const operation = deps.graph.operations.get(operationId);
  const refused = deps.graph.refuseSas(operationId, url.searchParams);
  if (operation === undefined || refused !== undefined)
    return xml(
      403,
      'AuthenticationFailed',
      `Server failed to authenticate the request. ${refused ?? 'Signature did not match.'}`,
    );
  const index = Array.from({ length: blobCount(operation) }, (_, i) => blobName(i)).indexOf(name);
  if (index < 0) return xml(404, 'BlobNotFound', 'The specified blob does not exist.');
  const counterKey = 'GET /blobs/{operationId}/{blob}';
  const { counters } = deps.runtime.world;
  counters.requests[counterKey] = (counters.requests[counterKey] ?? 0) + 1;
  res.writeHead(200, { 'content-type': 'application/octet-stream', 'x-ms-blob-type': 'BlockBlob' });
  // Lines batched into chunks of about 64 KiB: a stream of one-line chunks would spend its time on chunk overhead.
  const pause = deps.graph.policy.blobChunkDelayMs;
  const text = Readable.from(
    (async function* () {
      let chunk = '';
      for (const line of blobLines(operation, index)) {
        chunk += `${JSON.stringify(line)}\n`;
        if (chunk.length >= 65_536) {
          yield chunk;
          chunk = '';
          if (pause > 0) await sleep(pause);
        }
      }
      if (chunk !== '') yield chunk;
    })(),
  );
  await pipeline(text, createGzip(), res).catch(() => res.destroy());
}
