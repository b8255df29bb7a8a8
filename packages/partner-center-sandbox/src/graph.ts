import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { CATALOG_PRODUCTS, type CatalogProduct } from './catalog';
import { DAY_MS, isoDate } from './clock';
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

/** Lines of an export: a snapshot of real lines, or a synthetic invoice generated blob by blob. */
export type ExportLines =
  { kind: 'lines'; lines: Array<Record<string, unknown>> } | { kind: 'generated'; count: number };

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
  for (let n = from; n < to; n += 1) yield generatedLine(operation, n);
}

const SUBSCRIPTIONS_IN_GENERATED_EXPORT = 5000;

/**
 * Line `n` of a generated export: `new` charges spread over a few thousand synthetic subscriptions of
 * a few hundred customers (none the partner's: a reconciliation reports them unexpected, which is what
 * the bench wants — every line goes through the whole fold). Every field of the documented `full`
 * attribute set is there, spelled as documented (PascalCase), as in the sandbox's own lines: a line's size is
 * what its parse costs.
 */
function generatedLine(operation: ExportOperation, n: number): Record<string, unknown> {
  const subscription = n % SUBSCRIPTIONS_IN_GENERATED_EXPORT;
  const line: GeneratedLineFacts = {
    operation,
    n,
    subscription,
    customer: subscription % 500,
    product: CATALOG_PRODUCTS[subscription % CATALOG_PRODUCTS.length],
  };
  // Not a spread: copying ~50 properties into a fresh literal leaves V8 a dictionary-mode object, which
  // JSON.stringify writes ~15× slower (measured) — a million-line export took 90 s to generate instead of 20.
  return Object.assign(generatedPurchase(line), generatedCharge(line));
}

interface GeneratedLineFacts {
  operation: ExportOperation;
  /** The line's number in the export. */
  n: number;
  /** The synthetic subscription and customer the line is for. */
  subscription: number;
  customer: number;
  product: CatalogProduct;
}

/** The first half of a generated line: who bought what (customer, order, product). */
function generatedPurchase({
  operation,
  subscription,
  customer,
  product,
}: GeneratedLineFacts): Record<string, unknown> {
  const sku = product.skus[0];
  const at = operation.createdAt;
  return {
    PartnerId: operation.partnerTenantId,
    CustomerId: syntheticGuid(1, customer),
    CustomerName: `Generated Customer ${customer}`,
    CustomerDomainName: `generated${customer}.onmicrosoft.com`,
    CustomerCountry: 'US',
    InvoiceNumber: 'G-GENERATED',
    MpnId: '1234567',
    ResellerMpnId: '',
    OrderId: hex(subscription, 12),
    OrderDate: isoDate(at),
    ProductId: product.id,
    SkuId: sku.id,
    AvailabilityId: 'CFQ7TTC0GENR',
    ProductName: product.title,
    SkuName: sku.title,
    ProductQualifiers: [],
  };
}

/** The second half of a generated line: the `new` charge, its subscription and its billing. */
function generatedCharge({ operation, n, subscription, product }: GeneratedLineFacts): Record<string, unknown> {
  const at = operation.createdAt;
  const price = product.skus[0].monthlyPriceUsd;
  return {
    ChargeType: 'new',
    UnitPrice: price,
    EffectiveUnitPrice: price,
    UnitType: 'Licenses',
    Quantity: 1,
    BillableQuantity: 1,
    Subtotal: price,
    TaxTotal: 0,
    TotalForCustomer: price,
    Currency: 'USD',
    PricingCurrency: 'USD',
    PCToBCExchangeRate: 1,
    PCToBCExchangeRateDate: isoDate(at),
    PublisherName: 'Microsoft Corporation',
    PublisherId: '',
    SubscriptionDescription: product.title,
    SubscriptionId: syntheticGuid(2, subscription),
    SubscriptionStartDate: isoDate(at),
    SubscriptionEndDate: isoDate(at + 30 * DAY_MS),
    ChargeStartDate: isoDate(at),
    ChargeEndDate: isoDate(at),
    TermAndBillingCycle: 'One-Month commitment for monthly/yearly billing',
    BillingFrequency: 'Monthly',
    AlternateId: hex(subscription, 12),
    ReferenceId: hex(n, 16),
    PriceAdjustmentDescription: '[]',
    DiscountDetails: '',
    MeterDescription: '',
    ReservationOrderId: '',
    CreditReasonCode: '',
    PromotionId: '',
    InvoiceLineItemType: 'billing_line_items',
    BillingProvider: 'one_time',
  };
}

function hex(value: number, width: number): string {
  return value.toString(16).padStart(width, '0');
}

/** A GUID-shaped id of a synthetic entity: `kind` tells customers (1) from subscriptions (2). */
function syntheticGuid(kind: number, value: number): string {
  return `${hex(kind, 8)}-0000-4000-8000-${hex(value, 12)}`;
}
