import { startSandbox, type Sandbox } from 'partner-center-sandbox';
import {
  BILLING_PERMISSION,
  createGraphBillingClient,
  createTokenProvider,
  isSasRefused,
  type ExportLine,
  type GraphBillingClient,
} from '../../../src/partner-center';
import { sandboxTokenOptions } from '../../../src/sandbox-settings';

/**
 * The Graph partner-billing client against the sandbox's Graph host over HTTP: export operations,
 * Retry-After, failures, the blob store's SAS tokens, and the lines streamed out of gzip JSON Lines.
 */

const BILLED_EXPORT = 'POST /v1.0/reports/partners/billing/reconciliation/billed/export';
const OPERATION = 'GET /v1.0/reports/partners/billing/operations/{operationId}';
const BLOB = 'GET /blobs/{operationId}/{blob}';

let sandbox: Sandbox;
let graph: GraphBillingClient;

beforeAll(async () => {
  sandbox = await startSandbox({ orderCompletionDelayMs: 0, orderListDelayMs: 0 });
  graph = createGraphBillingClient({
    baseUrl: sandbox.graphBaseUrl,
    tokens: createTokenProvider(sandboxTokenOptions(sandbox)),
  });
});
afterAll(async () => {
  await sandbox?.close();
});
beforeEach(async () => {
  await sandbox.control.reset();
});

async function collect(batches: AsyncGenerator<ExportLine[]>): Promise<ExportLine[]> {
  const all: ExportLine[] = [];
  for await (const batch of batches) all.push(...batch);
  return all;
}

const requests = async (route: string) => (await sandbox.control.counters()).requests[route] ?? 0;

describe('the Graph partner-billing client against the sandbox', () => {
  it('waits out a long-running billed export honouring Retry-After, then streams every blob of a generated invoice', async () => {
    const invoice = await sandbox.control.createInvoice({ generatedLines: 2500 });
    await sandbox.control.setGraphPolicy({ exportRunMs: 2200, retryAfterSeconds: 1, linesPerBlob: 1000 });
    const started = Date.now();
    const { operationId } = await graph.requestExport({ kind: 'billed', invoiceId: invoice.id });
    const polls: number[] = [];
    const manifest = await graph.waitForExport(operationId, { onPoll: (ms) => polls.push(ms) });
    expect(Date.now() - started).toBeGreaterThanOrEqual(2200);
    expect(polls.length).toBeGreaterThanOrEqual(2);
    expect(polls.every((ms) => ms === 1000)).toBe(true);
    expect(await requests(OPERATION)).toBe(polls.length + 1);
    expect(manifest.blobs.map((b) => b.name)).toHaveLength(3);
    const counts = [];
    for (let i = 0; i < manifest.blobs.length; i += 1)
      counts.push((await collect(graph.exportLines(manifest, i))).length);
    expect(counts).toEqual([1000, 1000, 500]);
    // From a checkpoint: the lines before it are skipped, numbering continues.
    const rest = await collect(graph.exportLines(manifest, 2, { fromLine: 498 }));
    expect(rest.map((l) => l.lineNumber)).toEqual([498, 499]);
    expect(rest[0]?.line?.chargeType).toBe('new');
    expect(await requests(BILLED_EXPORT)).toBe(1);
  });

  it('fails a failed export with its code, and a legacy invoice (5000) saying to use the v1 line items', async () => {
    await sandbox.control.setGraphPolicy({
      failExports: { code: '500', message: 'The export could not be produced.' },
    });
    const failed = await graph.requestExport({ kind: 'unbilled', billingPeriod: 'current', currencyCode: 'USD' });
    await expect(graph.waitForExport(failed.operationId)).rejects.toThrow(/failed with code 500: The export could not/);

    const legacy = await sandbox.control.createInvoice({ legacy: true });
    const { operationId } = await graph.requestExport({ kind: 'billed', invoiceId: legacy.id });
    await expect(graph.waitForExport(operationId)).rejects.toThrow(
      /code 5000: .*legacy invoice.*v1 invoice line items \(GET \/v1\/invoices\/\{id\}\/lineitems\)/,
    );
  });

  it('refuses an expired SAS, and the operation read again gives a fresh manifest that opens the blobs', async () => {
    const invoice = await sandbox.control.createInvoice({ generatedLines: 30 });
    await sandbox.control.setGraphPolicy({ linesPerBlob: 10, sasDownloadLimit: 1 });
    const { operationId } = await graph.requestExport({ kind: 'billed', invoiceId: invoice.id });
    const manifest = await graph.waitForExport(operationId);
    expect(await collect(graph.exportLines(manifest, 0))).toHaveLength(10);
    const refused = await collect(graph.exportLines(manifest, 1)).catch((e: unknown) => e);
    expect(isSasRefused(refused)).toBe(true);
    expect(String(refused)).not.toContain(manifest.sasToken);
    const fresh = await graph.waitForExport(operationId);
    expect(fresh.sasToken).not.toBe(manifest.sasToken);
    expect(await collect(graph.exportLines(fresh, 1))).toHaveLength(10);
    expect(await requests(BILLED_EXPORT)).toBe(1);
    expect(await requests(BLOB)).toBe(2);
  });

  it('names the missing PartnerBilling.Read.All permission on a 403', async () => {
    await sandbox.control.setGraphPolicy({ billingPermission: false });
    const refused = await graph
      .requestExport({ kind: 'unbilled', billingPeriod: 'current', currencyCode: 'USD' })
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({ kind: 'unauthorized', status: 403 });
    expect(String(refused)).toContain(BILLING_PERMISSION);
  });

  it('refuses a Partner Center token on the Graph host (audience check)', async () => {
    const pcToken = await createTokenProvider(sandboxTokenOptions(sandbox)).getAccessToken();
    const response = await fetch(`${sandbox.graphBaseUrl}/v1.0/reports/partners/billing/operations/x`, {
      headers: { Authorization: `Bearer ${pcToken}` },
    });
    expect(response.status).toBe(401);
    expect(await response.text()).toContain('https://graph.microsoft.com');
  });
});
