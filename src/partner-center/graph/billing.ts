/**
 * The Microsoft Graph partner-billing client: reconciliation exports (billed by invoice, unbilled by
 * period and currency) as asynchronous operations — request (`202` + `Location`), poll honouring
 * `Retry-After`, read the manifest — and the export's gzip JSON Lines blobs, streamed line by line
 * (download → gunzip → lines split by hand): no blob or export is ever held whole. Knows nothing of Temporal.
 *
 * Assembled here from api.ts (one Graph call), export-operations.ts (request, read, wait), export-lines.ts (a
 * blob's lines) and blobs.ts (download and gunzip).
 */
import type { PartnerCenterCall } from '../http/exchange';
import type { PartnerCenterLogger, TokenProvider } from '../types';
import { PartnerCenterUnauthorizedError } from '../errors';
import { BILLING_PATH, BILLING_PERMISSION, type GraphCallOptions, type GraphConnection } from './api';
import { exportLines, type ExportLine } from './export-lines';
import {
  getExportOperation,
  requestExport,
  waitForExport,
  type ExportManifest,
  type ExportOperationState,
  type ExportRequest,
} from './export-operations';

export { BILLING_PERMISSION, type GraphCallOptions } from './api';
export { gunzipLines, requestBlob } from './blobs';
export {
  exportLineSchema,
  isSasRefused,
  readExportLine,
  SAS_REFUSED_CODE,
  type ExportChargeLine,
  type ExportLine,
} from './export-lines';
export {
  exportManifestSchema,
  LEGACY_INVOICE_CODE,
  type ExportManifest,
  type ExportOperationState,
  type ExportRequest,
} from './export-operations';

export const DEFAULT_GRAPH_BASE_URL = 'https://graph.microsoft.com';

const DEFAULT_TIMEOUT_MS = 30_000;

export interface GraphBillingClientOptions {
  /** Graph root without /v1.0, e.g. https://graph.microsoft.com */
  baseUrl: string;
  tokens: TokenProvider;
  /** Per API call (not per blob download). Default 30 s. */
  timeoutMs?: number;
  /** For the API calls; blobs are downloaded with node:http(s) (see requestBlob). */
  fetch?: typeof fetch;
  logger?: PartnerCenterLogger;
  /** Told of every HTTP exchange (metrics, traces); `route` is the path template. */
  onCall?: (call: PartnerCenterCall) => void;
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

export function createGraphBillingClient(options: GraphBillingClientOptions): GraphBillingClient {
  const connection: GraphConnection = {
    root: `${options.baseUrl.replace(/\/+$/, '')}${BILLING_PATH}`,
    prefix: BILLING_PATH,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    fetch: options.fetch ?? fetch,
    tokens: options.tokens,
    logger: options.logger,
    onCall: options.onCall,
    forbidden: (details, route) =>
      new PartnerCenterUnauthorizedError(
        details,
        `Microsoft Graph HTTP 403 for ${route}: the app registration needs the ${BILLING_PERMISSION} permission on Microsoft Graph (application, or delegated for App+User), consented by an administrator of the partner tenant (${details.description})`,
      ),
  };
  return {
    requestExport: (request, o) => requestExport(connection, request, o),
    getExportOperation: (operationId, o) => getExportOperation(connection, operationId, o),
    waitForExport: (operationId, o) => waitForExport(connection, operationId, o),
    exportLines: (manifest, blobIndex, o) => exportLines(manifest, blobIndex, o),
  };
}
