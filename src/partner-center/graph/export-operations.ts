/**
 * A reconciliation export as an asynchronous Graph operation: requested (`202` + `Location`), read (running with
 * Retry-After, succeeded with its manifest, or failed), and waited for.
 */
import { z } from 'zod';
import { PartnerCenterBusinessError, PartnerCenterResponseShapeError } from '../errors';
import { BILLING_PATH, callGraph, readJson, retryAfterOf, type GraphCallOptions, type GraphConnection } from './api';

/** failedOperation code of a legacy (not new-commerce) invoice: only the v1 line items have it. */
export const LEGACY_INVOICE_CODE = '5000';

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

export async function requestExport(
  connection: GraphConnection,
  request: ExportRequest,
  o?: GraphCallOptions,
): Promise<{ operationId: string; retryAfterMs: number }> {
  const path = `/reconciliation/${request.kind}/export`;
  const body =
    request.kind === 'billed'
      ? { invoiceId: request.invoiceId, attributeSet: 'full' }
      : { billingPeriod: request.billingPeriod, currencyCode: request.currencyCode, attributeSet: 'full' };
  const response = await callGraph(connection, 'POST', path, body, o);
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
}

export async function getExportOperation(
  connection: GraphConnection,
  operationId: string,
  o?: GraphCallOptions,
): Promise<ExportOperationState> {
  const path = `/operations/${encodeURIComponent(operationId)}`;
  const response = await callGraph(connection, 'GET', `${path}?$expand=resourceLocation`, undefined, o);
  const retryAfterMs = retryAfterOf(response.headers.get('retry-after'));
  const operation = await readJson(operationSchema, response, `GET ${BILLING_PATH}/operations/{id}`);
  const status = operation.status.toLowerCase();
  if (status === 'failed')
    return {
      status: 'failed',
      code: String(operation.error?.code ?? 'unknown'),
      message: operation.error?.message ?? 'the export failed without a reason',
    };
  if (status === 'succeeded') {
    return { status: 'succeeded', manifest: await manifestOf(connection, operation.resourceLocation, o) };
  }
  return { status: 'running', retryAfterMs };
}

/** A succeeded export's manifest: in the operation, or given by address (Graph's, read with the same token). */
async function manifestOf(
  connection: GraphConnection,
  location: ExportManifest | string | undefined,
  o?: GraphCallOptions,
): Promise<ExportManifest> {
  if (location === undefined)
    throw new PartnerCenterResponseShapeError({
      description: 'Microsoft Graph: a succeeded export has no manifest',
    });
  if (typeof location !== 'string') return location;
  const manifestPath = new URL(location).pathname.replace(/^.*\/reports\/partners\/billing/, '');
  return readJson(exportManifestSchema, await callGraph(connection, 'GET', manifestPath, undefined, o), 'manifest');
}

/** Polls until the export succeeds (its manifest) or fails, waiting Retry-After (at most maxWaitMs) between reads. */
export async function waitForExport(
  connection: GraphConnection,
  operationId: string,
  o?: GraphCallOptions & { onPoll?: (retryAfterMs: number) => void; maxWaitMs?: number },
): Promise<ExportManifest> {
  for (;;) {
    const state = await getExportOperation(connection, operationId, o);
    if (state.status === 'succeeded') return state.manifest;
    if (state.status === 'failed') throw exportFailure(operationId, state);
    o?.onPoll?.(state.retryAfterMs);
    await sleep(Math.min(state.retryAfterMs, o?.maxWaitMs ?? Infinity), o?.signal);
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
