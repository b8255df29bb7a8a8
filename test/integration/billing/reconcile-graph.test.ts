import { WorkflowFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../../../src/activities';
import {
  billingFailureTypes,
  startBillingReconciliation,
  type ReconcileReport,
  type ReconcileRequest,
} from '../../../src/client';
import {
  BILLING_PERMISSION,
  createCatalogResolver,
  gunzipLines,
  requestBlob,
  type PartnerCenterClient,
} from '../../../src/partner-center';
import { sandboxPartnerCenterSettings } from '../../../src/sandbox-settings';
import { createActivityDeps } from '../../../src/worker';
import {
  historyText,
  JWT_PATTERN,
  offers,
  recordHistory,
  secretsOf,
  startRig,
  type PurchaseRig,
} from '../purchase/harness';
import { buySubscriptions, updateSubscription, type Offer } from '../../support/reconcile';
import { uniqueTaskQueue, workflowBundle } from '../../support/temporal';
import { silentLogger } from '../../support/activities';

/**
 * reconcileBilling through Microsoft Graph on the run's Temporal dev server against the sandbox: the
 * sandbox's own purchases and changes become its export lines (unbilled) or an invoice (billed).
 */

const NO_BILLING_DELAY = { billingDelayHours: 0 };
const BILLED_EXPORT = 'POST /v1.0/reports/partners/billing/reconciliation/billed/export';
const UNBILLED_EXPORT = 'POST /v1.0/reports/partners/billing/reconciliation/unbilled/export';
const OPERATION = 'GET /v1.0/reports/partners/billing/operations/{operationId}';
const BLOB = 'GET /blobs/{operationId}/{blob}';
const V1_UNBILLED = 'GET /v1/invoices/unbilled/lineitems';
const SUBSCRIPTIONS = 'GET /v1/customers/{customerId}/subscriptions';
const ORDERS = 'GET /v1/customers/{customerId}/orders';

let rig: PurchaseRig;
let client: Client;
let deps: ActivityDeps;
let pc: PartnerCenterClient;
let catalog: ReturnType<typeof createCatalogResolver>;
let us: string;
let gb: string;

beforeAll(async () => {
  rig = await startRig({ orderCompletionDelayMs: 0, orderListDelayMs: 0 });
  client = rig.client;
  [us, gb] = rig.sandbox.customerIds as [string, string];
  deps = createActivityDeps(
    sandboxPartnerCenterSettings(rig.sandbox),
    { orderPollIntervalMs: 250, orderVisibilityDeadlineMs: 20_000 },
    silentLogger,
    rig.sandbox.caPem,
  );
  pc = deps.partnerCenter;
  catalog = createCatalogResolver(pc, {});
});
afterAll(async () => {
  await rig?.close();
});
beforeEach(async () => {
  await rig.sandbox.control.reset();
});

const buy = (customerId: string, items: Array<[Offer, number]>) => buySubscriptions(pc, catalog, customerId, items);
const requests = async (route: string) => (await rig.sandbox.control.counters()).requests[route] ?? 0;

async function reconcile(request: ReconcileRequest) {
  const taskQueue = uniqueTaskQueue('reconcile-graph');
  const worker = await Worker.create({
    connection: rig.env.nativeConnection,
    workflowBundle: await workflowBundle(),
    taskQueue,
    // Every activity of the worker: the workflow also reads the worker settings (a local activity) when it ends.
    activities: createActivities(deps),
    shutdownGraceTime: '1s',
  });
  return worker.runUntil(async () => {
    const handle = await startBillingReconciliation(client, request, { taskQueue });
    const report = await handle.result().catch((e: unknown) => e);
    return { handle, report };
  });
}

function asReport(value: unknown): ReconcileReport {
  if (value instanceof Error) throw value;
  return value as ReconcileReport;
}

/** The keys of the first line of a report's export, as the sandbox wrote them. */
async function writtenKeys(report: ReconcileReport): Promise<string[]> {
  const manifest = await deps.graph!.waitForExport(report.exportOperationId!);
  const blob = await requestBlob(`${manifest.rootDirectory}/${manifest.blobs[0]!.name}?${manifest.sasToken}`);
  for await (const [first] of gunzipLines(blob)) {
    blob.destroy();
    return Object.keys(JSON.parse(first!) as object);
  }
  throw new Error(`The export of ${report.exportOperationId} has no line`);
}

function failureOf(value: unknown): ApplicationFailure {
  expect(value).toBeInstanceOf(WorkflowFailedError);
  const failure = (value as WorkflowFailedError).cause;
  expect(failure).toBeInstanceOf(ApplicationFailure);
  return failure as ApplicationFailure;
}

/**
 * A month with a finding of each kind: a double-billed seat increase (mismatch), a purchase never billed
 * (missing), another customer billed for US's E3 (unexpected). Answers the subscriptions concerned.
 */
async function plantedMonth() {
  const [basic, e3] = await buy(us, [
    [offers.businessBasic, 5],
    [offers.office365E3, 2],
  ]);
  const [teams] = await buy(us, [[offers.teamsEssentials, 6]]);
  await updateSubscription(pc, us, basic!, { quantity: 8 });
  await rig.sandbox.control.addCharge({ subscriptionId: basic!.id, chargeType: 'addQuantity', quantity: 2 });
  expect(await rig.sandbox.control.dropCharges(teams!.id)).toBe(1);
  await rig.sandbox.control.addCharge({ subscriptionId: e3!.id, chargeType: 'new', quantity: 2, customerId: gb });
  return { basic: basic!, e3: e3!, teams: teams! };
}

function expectPlantedFindings(report: ReconcileReport, planted: Awaited<ReturnType<typeof plantedMonth>>): void {
  expect(report.totals).toEqual({ unexpectedCharges: 1, missingCharges: 1, quantityMismatches: 1 });
  expect(report.unexpectedCharges).toEqual([
    expect.objectContaining({ customerId: gb, subscriptionId: planted.e3.id, chargeTypes: ['new'] }),
  ]);
  expect(report.missingCharges).toEqual([
    expect.objectContaining({ customerId: us, subscriptionId: planted.teams.id, billedQuantity: 0 }),
  ]);
  expect(report.quantityMismatches).toEqual([
    expect.objectContaining({ subscriptionId: planted.basic.id, billedQuantity: 10, expectedQuantity: 8 }),
  ]);
  expect(report.matched).toBe(1);
}

describe('reconcileBilling through Microsoft Graph exports', () => {
  it('reconciles the unbilled month from the Graph export by default: each planted finding once, one export, no v1 read', async () => {
    const planted = await plantedMonth();
    const { handle, report: result } = await reconcile({ period: 'current', currency: 'USD', ...NO_BILLING_DELAY });
    const report = asReport(result);
    expectPlantedFindings(report, planted);
    expect(report).toMatchObject({ source: 'graph', period: 'current', currency: 'USD', lines: 5 });
    expect(report.exportOperationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(report.invoiceId).toBeUndefined();
    expect(await requests(UNBILLED_EXPORT)).toBe(1);
    expect(await requests(V1_UNBILLED)).toBe(0);

    // The v1 path still answers the same month the same way.
    const v1 = asReport(
      (await reconcile({ period: 'current', currency: 'USD', source: 'v1', ...NO_BILLING_DELAY })).report,
    );
    expect(v1.source).toBe('v1');
    expect(v1.totals).toEqual(report.totals);
    expect(v1.chargeTypes).toEqual(report.chargeTypes);

    const text = await historyText(handle);
    await recordHistory('reconcile-graph-unbilled', handle);
    for (const secret of secretsOf(rig.sandbox)) expect(text).not.toContain(secret);
    expect(text).not.toMatch(JWT_PATTERN);
    expect(text).not.toContain('sig=');
  });

  it('reconciles a billed invoice of the sandbox month: its period and currency, each planted finding once', async () => {
    const planted = await plantedMonth();
    const invoice = await rig.sandbox.control.createInvoice();
    expect(invoice.lines).toBe(5);
    const { handle, report: result } = await reconcile({ invoiceId: invoice.id, ...NO_BILLING_DELAY });
    const report = asReport(result);
    expectPlantedFindings(report, planted);
    expect(report).toMatchObject({ source: 'graph', invoiceId: invoice.id, currency: 'USD', lines: 5 });
    expect(report.period).toBeUndefined();
    expect(await requests(BILLED_EXPORT)).toBe(1);
    await recordHistory('reconcile-graph-billed', handle);
  });

  it('gives the same report from camelCase export lines as from the documented PascalCase ones, billed and unbilled', async () => {
    const planted = await plantedMonth();
    const invoice = await rig.sandbox.control.createInvoice();
    const reports: Record<string, ReconcileReport[]> = {};
    for (const lineKeys of ['documented', 'camelCase'] as const) {
      await rig.sandbox.control.setGraphPolicy({ lineKeys });
      reports[lineKeys] = [
        asReport((await reconcile({ period: 'current', currency: 'USD', ...NO_BILLING_DELAY })).report),
        asReport((await reconcile({ invoiceId: invoice.id, ...NO_BILLING_DELAY })).report),
      ];
    }
    const withoutOperation = ({ exportOperationId, ...report }: ReconcileReport) => {
      expect(exportOperationId).toMatch(/^[0-9a-f-]{36}$/);
      return report;
    };
    for (const report of [...reports.documented!, ...reports.camelCase!]) expectPlantedFindings(report, planted);
    // The sandbox wrote what each policy says: Microsoft's documented names, then the v1 API's.
    expect(await writtenKeys(reports.documented![0]!)).toEqual(
      expect.arrayContaining(['SubscriptionId', 'Quantity', 'BillableQuantity', 'ChargeType', 'PCToBCExchangeRate']),
    );
    expect(await writtenKeys(reports.camelCase![1]!)).toEqual(expect.arrayContaining(['subscriptionId', 'quantity']));
    expect(reports.camelCase!.map(withoutOperation)).toEqual(reports.documented!.map(withoutOperation));
  });

  it('fails ReconciliationFailed naming the fields and the keys found when no export line carries them, rather than report every charge missing', async () => {
    await buy(us, [[offers.businessBasic, 5]]);
    await rig.sandbox.control.setGraphPolicy({ lineKeys: 'snake_case' });
    const failure = failureOf((await reconcile({ period: 'current', currency: 'USD', ...NO_BILLING_DELAY })).report);
    expect(failure.type).toBe(billingFailureTypes.reconciliationFailed);
    expect(failure.message).toMatch(
      /^Microsoft Graph export blob part-00000\.json\.gz: none of its 1 lines carries subscriptionId \(looked for subscriptionId, quantity in any casing\).*Keys found: partner_id, customer_id, /,
    );
    expect(failure.message).toContain('subscription_id');
    // Not retried: one export, its blob read once.
    expect(await requests(UNBILLED_EXPORT)).toBe(1);
    expect(await requests(BLOB)).toBe(1);
  });

  it('waits out a long-running export honouring Retry-After, and renews an expired SAS from a fresh manifest, not a new export', async () => {
    await buy(us, [
      [offers.businessBasic, 5],
      [offers.office365E3, 2],
      [offers.teamsEssentials, 1],
    ]);
    // Three blobs; each SAS opens one blob only, so every blob after the first needs a fresh manifest.
    await rig.sandbox.control.setGraphPolicy({
      exportRunMs: 2500,
      retryAfterSeconds: 1,
      linesPerBlob: 1,
      sasDownloadLimit: 1,
    });
    const started = Date.now();
    const report = asReport((await reconcile({ period: 'current', currency: 'USD', ...NO_BILLING_DELAY })).report);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2500);
    expect(report).toMatchObject({
      lines: 3,
      matched: 3,
      totals: { unexpectedCharges: 0, missingCharges: 0, quantityMismatches: 0 },
    });
    expect(await requests(UNBILLED_EXPORT)).toBe(1);
    // At least two running answers (2.5 s at 1 s intervals), the success, and one re-read per renewed SAS.
    expect(await requests(OPERATION)).toBeGreaterThanOrEqual(2 + 1 + 2);
    expect(await requests(BLOB)).toBe(3);
  });

  it('resumes the matching after the last matched customer when Partner Center throttles: each customer read once more per 429 at most', async () => {
    await buy(us, [
      [offers.businessBasic, 4],
      [offers.teamsEssentials, 2],
    ]);
    // Three 429s in a row on the second customer's subscriptions: before the matching checkpoint each
    // retry started over from the first customer, so the first was read again on every 429.
    await rig.sandbox.control.addFault({
      method: 'GET',
      path: '/v1/customers/*/subscriptions',
      kind: 'throttle',
      retryAfterSeconds: 1,
      skip: 1,
      count: 3,
    });
    // The purchase read its order's subscriptions: count from here.
    const [subscriptionsBefore, ordersBefore] = [await requests(SUBSCRIPTIONS), await requests(ORDERS)];
    const report = asReport((await reconcile({ period: 'current', currency: 'USD', ...NO_BILLING_DELAY })).report);
    expect(report).toMatchObject({
      lines: 2,
      matched: 2,
      totals: { unexpectedCharges: 0, missingCharges: 0, quantityMismatches: 0 },
    });
    const customers = report.customers;
    expect(customers).toBeGreaterThanOrEqual(2);
    // Each customer read once, plus one read of the throttled customer per 429; no line read again.
    expect((await requests(SUBSCRIPTIONS)) - subscriptionsBefore).toBe(customers + 3);
    expect((await requests(ORDERS)) - ordersBefore).toBeLessThanOrEqual(customers + 3);
    expect(await requests(UNBILLED_EXPORT)).toBe(1);
    expect(await requests(BLOB)).toBe(1);
  });

  it('fails a failed export with ReconciliationFailed, and a legacy invoice saying to use the v1 line items', async () => {
    await rig.sandbox.control.setGraphPolicy({
      failExports: { code: '500', message: 'The export could not be produced.' },
    });
    const failed = failureOf((await reconcile({ period: 'current', currency: 'USD' })).report);
    expect(failed.type).toBe(billingFailureTypes.reconciliationFailed);
    expect(failed.message).toContain('The export could not be produced.');

    const legacy = await rig.sandbox.control.createInvoice({ legacy: true });
    const refused = failureOf((await reconcile({ invoiceId: legacy.id })).report);
    expect(refused.type).toBe(billingFailureTypes.reconciliationFailed);
    expect(refused.message).toMatch(/code 5000.*legacy invoice.*v1 invoice line items/);
    expect(await requests(BILLED_EXPORT)).toBe(1);
  });

  it('fails Unauthorized naming PartnerBilling.Read.All when the app lacks it', async () => {
    await rig.sandbox.control.setGraphPolicy({ billingPermission: false });
    const failure = failureOf((await reconcile({ period: 'current', currency: 'USD' })).report);
    expect(failure.type).toBe(billingFailureTypes.unauthorized);
    expect(failure.message).toContain(BILLING_PERMISSION);
  });

  it('refuses an invoice id together with a period before any call, naming the fields', async () => {
    const failure = failureOf(
      (await reconcile({ invoiceId: 'G000000001', period: 'current', currency: 'USD' } as ReconcileRequest)).report,
    );
    expect(failure.type).toBe(billingFailureTypes.invalidRequest);
    expect(failure.message).toMatch(/period.*must be absent with invoiceId/);
    expect(failure.message).toContain('currency');
    expect(await requests(BILLED_EXPORT)).toBe(0);
  });
});
