import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { generatedLine, type GeneratedLines } from './generated-lines';
import type { SandboxRandom } from './random';

/**
 * The Microsoft Graph partner-billing exports (partner-center-2026.md, Billing): export operations that
 * run for a while, then point at a manifest of gzip JSON Lines blobs in a blob store whose SAS tokens
 * are signed, checked and expire. Wall-clock time throughout: a client really waits for Retry-After,
 * and SAS expiry is a real-time fact, not a billing one.
 */

/** What the Graph host does; the control API changes it (`PUT /_sandbox/graph`). */
export const graphPolicySchema = z.object({
  /** How long an export operation runs before it succeeds (wall-clock ms). */
  exportRunMs: z.number().int().min(0).max(600_000).optional(),
  /** Retry-After (seconds) of a running operation. */
  retryAfterSeconds: z.number().int().min(0).max(600).optional(),
  /** Lines per blob of an export. */
  linesPerBlob: z.number().int().min(1).optional(),
  /** How long a manifest's SAS token is valid (wall-clock ms). */
  sasLifetimeMs: z.number().int().min(1).optional(),
  /** A SAS token stops working after this many blob downloads (0: no limit): an expiry in the middle of an export. */
  sasDownloadLimit: z.number().int().min(0).optional(),
  /** false: the app lacks PartnerBilling.Read.All, every Graph billing call answers 403. */
  billingPermission: z.boolean().optional(),
  /** A pause after each ~64 KiB of a blob's lines: a slow download (a worker can be stopped in the middle of one). */
  blobChunkDelayMs: z.number().int().min(0).max(10_000).optional(),
  /**
   * How export lines spell their keys: `documented` (PascalCase, as Microsoft documents the attributes), the v1
   * API's `camelCase`, or `snake_case` (a spelling no reader should take for the documented one). Generated
   * invoices are always documented.
   */
  lineKeys: z.enum(['documented', 'camelCase', 'snake_case']).optional(),
  /** Items per page of a customer tenant's user and directory-subscription lists when the client sends no `$top`. */
  tenantPageSize: z.number().int().min(1).max(999).optional(),
  /** The next export requests fail (their operation ends in `failedOperation`) with this error. */
  failExports: z
    .object({ count: z.number().int().min(1).default(1), code: z.string().default('500'), message: z.string() })
    .optional(),
});
export type GraphPolicyInput = z.input<typeof graphPolicySchema>;
export type ExportLineKeys = NonNullable<GraphPolicyInput['lineKeys']>;

export interface GraphPolicy {
  exportRunMs: number;
  retryAfterSeconds: number;
  linesPerBlob: number;
  sasLifetimeMs: number;
  sasDownloadLimit: number;
  billingPermission: boolean;
  blobChunkDelayMs: number;
  lineKeys: ExportLineKeys;
  tenantPageSize: number;
  failExports?: { count: number; code: string; message: string };
}

export const DEFAULT_GRAPH_POLICY: GraphPolicy = {
  exportRunMs: 0,
  retryAfterSeconds: 1,
  linesPerBlob: 250_000,
  sasLifetimeMs: 3_600_000,
  sasDownloadLimit: 0,
  billingPermission: true,
  blobChunkDelayMs: 0,
  lineKeys: 'documented',
  tenantPageSize: 100,
};

/** Lines of an export: a snapshot of real lines, or an invoice's generated blob by blob. */
export type ExportLines = { kind: 'lines'; lines: Array<Record<string, unknown>> } | GeneratedLines;

export interface ExportOperation {
  id: string;
  partnerTenantId: string;
  createdAt: number;
  readyAt: number;
  failure?: { code: string; message: string };
  lines: ExportLines;
  linesPerBlob: number;
}

interface SasGrant {
  operationId: string;
  expiresAt: number;
  downloads: number;
}

export interface GraphStore {
  policy: GraphPolicy;
  operations: Map<string, ExportOperation>;
  /** Starts an export operation (the failure it will end in, if the policy asks for one). */
  startExport(
    partnerTenantId: string,
    lines: ExportLines,
    failure?: { code: string; message: string },
  ): ExportOperation;
  /** A fresh SAS token for the operation's blobs (each manifest read issues one). */
  issueSas(operationId: string): string;
  /** Why the SAS token does not open the operation's blobs, or undefined when it does (counts the download). */
  refuseSas(operationId: string, query: URLSearchParams): string | undefined;
  reset(): void;
}

export function createGraphStore(random: SandboxRandom): GraphStore {
  const key = randomBytes(32);
  const grants = new Map<string, SasGrant>();
  // Part of what is signed, so two manifests read within the same second carry different tokens.
  let issued = 0;
  const store: GraphStore = {
    policy: { ...DEFAULT_GRAPH_POLICY },
    operations: new Map(),
    startExport(partnerTenantId, lines, failure) {
      const now = Date.now();
      const planned = store.policy.failExports;
      let fails = failure;
      if (fails === undefined && planned !== undefined) {
        fails = { code: planned.code, message: planned.message };
        planned.count -= 1;
        if (planned.count <= 0) delete store.policy.failExports;
      }
      const operation: ExportOperation = {
        id: random.guid(),
        partnerTenantId,
        createdAt: now,
        readyAt: now + store.policy.exportRunMs,
        ...(fails !== undefined ? { failure: fails } : {}),
        lines,
        linesPerBlob: store.policy.linesPerBlob,
      };
      store.operations.set(operation.id, operation);
      return operation;
    },
    issueSas(operationId) {
      const expiresAt = Date.now() + store.policy.sasLifetimeMs;
      const se = new Date(expiresAt).toISOString().replace(/\.\d{3}Z$/, 'Z');
      issued += 1;
      const si = `grant-${issued}`;
      const sig = sign(key, operationId, se, si);
      grants.set(sig, { operationId, expiresAt, downloads: 0 });
      return new URLSearchParams({ sv: '2023-11-03', sr: 'c', sp: 'rl', se, si, sig }).toString();
    },
    refuseSas(operationId, query) {
      const se = query.get('se') ?? '';
      const sig = query.get('sig') ?? '';
      const expected = sign(key, operationId, se, query.get('si') ?? '');
      if (sig.length !== expected.length || !timingSafeEqual(Buffer.from(sig), Buffer.from(expected)))
        return 'Signature did not match.';
      const grant = grants.get(sig);
      const limit = store.policy.sasDownloadLimit;
      if (grant === undefined || Date.now() >= grant.expiresAt || (limit > 0 && grant.downloads >= limit))
        return `Signed expiry time [${se}] must be after signed start time and current time.`;
      grant.downloads += 1;
      return undefined;
    },
    reset() {
      store.policy = { ...DEFAULT_GRAPH_POLICY };
      store.operations.clear();
      grants.clear();
    },
  };
  return store;
}

function sign(key: Buffer, operationId: string, expiry: string, grant: string): string {
  return createHmac('sha256', key).update(`${operationId}\n${expiry}\n${grant}`).digest('base64url');
}

export function blobCount(operation: ExportOperation): number {
  const total = operation.lines.kind === 'lines' ? operation.lines.lines.length : operation.lines.count;
  return Math.max(1, Math.ceil(total / operation.linesPerBlob));
}

export function blobName(index: number): string {
  return `part-${String(index).padStart(5, '0')}.json.gz`;
}

/** The lines of blob `index`, one at a time (a generated export never exists whole in the sandbox either). */
export function* blobLines(operation: ExportOperation, index: number): Generator<Record<string, unknown>> {
  const from = index * operation.linesPerBlob;
  if (operation.lines.kind === 'lines') {
    yield* operation.lines.lines.slice(from, from + operation.linesPerBlob);
    return;
  }
  const to = Math.min(operation.lines.count, from + operation.linesPerBlob);
  for (let n = from; n < to; n += 1) yield generatedLine(operation, operation.lines, n);
}
