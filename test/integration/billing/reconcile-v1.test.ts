import { randomUUID } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { WorkflowFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure, defaultPayloadConverter } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import { createBillingActivities, ReconcileProgressSchema } from '../../../src/activities/billing/activities';
import { createActivities, type ActivityDeps } from '../../../src/activities';
import {
  billingFailureTypes,
  scheduleBillingReconciliation,
  startBillingReconciliation,
  type ReconcileReport,
  type ReconcileRequest,
} from '../../../src/client';
import { createCatalogResolver, type PartnerCenterClient, type Subscription } from '../../../src/partner-center';
import { createActivityDeps } from '../../../src/worker';
import { PcCustomerId, PcStep } from '../../../src/workflows/common/search-attributes';
import {
  historyText,
  JWT_PATTERN,
  offers,
  recordHistory,
  secretsOf,
  startRig,
  type PurchaseRig,
} from '../purchase/harness';
import { uniqueTaskQueue, workflowBundle } from '../../support/temporal';
import { buySubscriptions, updateSubscription, type Offer } from '../../support/reconcile';
import { silentLogger } from '../../support/activities';

/**
 * reconcileBilling on the run's Temporal dev server against the sandbox: subscriptions are bought and
 * changed through the real Partner Center client, the sandbox writes the reconciliation lines, and the
 * workflow reads them in small pages so that a handful of purchases spans several pages.
 */

const PAGE_SIZE = 2;
/** The tests buy seconds before reconciling: without a billing delay, what is not billed yet is missing, not unverified. */
const NO_BILLING_DELAY = { billingDelayHours: 0 };
const CUSTOMERS_ROUTE = 'GET /v1/customers';
const UNBILLED_ROUTE = 'GET /v1/invoices/unbilled/lineitems';

let rig: PurchaseRig;
let client: Client;
let deps: ActivityDeps;
let pc: PartnerCenterClient;
let catalog: ReturnType<typeof createCatalogResolver>;
let us: string;
let gb: string;
let de: string;

beforeAll(async () => {
  // Orders complete at once and the order list does not lag: what is bought is billed and listed.
  rig = await startRig({ orderCompletionDelayMs: 0, orderListDelayMs: 0 });
  client = rig.client;
  [us, gb, de] = rig.sandbox.customerIds as [string, string, string];
  const { sandbox } = rig;
  deps = createActivityDeps(
    {
      baseUrl: sandbox.baseUrl,
      authorityHost: sandbox.authorityHost,
      tenantId: sandbox.tenantId,
      clientId: sandbox.clientId,
      credential: { clientSecret: sandbox.clientSecret },
    },
    { orderPollIntervalMs: 250, orderVisibilityDeadlineMs: 20_000 },
    silentLogger,
    sandbox.caPem,
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

/** Buys `items` for a customer in one cart (see buySubscriptions). */
const buy = (customerId: string, items: Array<[Offer, number]>, country = 'US') =>
  buySubscriptions(pc, catalog, customerId, items, country);
const changeSubscription = (customerId: string, subscription: Subscription, change: Partial<Subscription>) =>
  updateSubscription(pc, customerId, subscription, change);

/** A worker whose reconciliation activity reads PAGE_SIZE lines per page. */
async function reconcileWorker(taskQueue: string): Promise<Worker> {
  return Worker.create({
    connection: rig.env.nativeConnection,
    workflowBundle: await workflowBundle(),
    taskQueue,
    activities: {
      // Every activity of the worker (the workflow also reads the worker settings when it ends), the billing ones paging small.
      ...createActivities(deps),
      ...createBillingActivities({ partnerCenter: pc, reconciliationPageSize: PAGE_SIZE }),
    },
    shutdownGraceTime: '1s',
  });
}

/** Runs one reconciliation on a reconcileWorker. */
async function reconcile(request: ReconcileRequest) {
  const taskQueue = uniqueTaskQueue('reconcile');
  const worker = await reconcileWorker(taskQueue);
  return worker.runUntil(async () => {
    const handle = await startBillingReconciliation(client, request, { taskQueue });
    const report = await handle.result().catch((e: unknown) => e);
    // The UI's current details come from a built-in query, answered by the worker.
    const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
    return { handle, report, history: await handle.fetchHistory(), currentDetails: metadata.currentDetails };
  });
}

/**
 * Eleven USD lines (six pages) with a finding of every kind, so comparing reports covers more than
 * counts: a double-billed seat increase, a purchase never billed, another customer billed for US's E3.
 * Reconciles them once without faults: that report, the pages and the page reads so far.
 */
async function sixPagesReconciled(): Promise<{ clean: ReconcileReport; pages: number; readBefore: number }> {
  const [basic, e3] = await buy(us, [
    [offers.businessBasic, 5],
    [offers.office365E3, 2],
    [offers.teamsEssentials, 1],
    [offers.businessBasic, 3],
  ]);
  const [, teams] = await buy(us, [
    [offers.office365E3, 4],
    [offers.teamsEssentials, 6],
    [offers.businessBasic, 2],
  ]);
  await buy(us, [
    [offers.teamsEssentials, 2],
    [offers.office365E3, 1],
  ]);
  await changeSubscription(us, basic!, { quantity: 8 });
  await rig.sandbox.control.addCharge({ subscriptionId: basic!.id, chargeType: 'addQuantity', quantity: 2 });
  expect(await rig.sandbox.control.dropCharges(teams!.id)).toBe(1);
  await rig.sandbox.control.addCharge({ subscriptionId: e3!.id, chargeType: 'new', quantity: 2, customerId: gb });

  const clean = asReport(
    (await reconcile({ period: 'current', source: 'v1', currency: 'USD', ...NO_BILLING_DELAY })).report,
  );
  const pages = Math.ceil(clean.lines / PAGE_SIZE);
  expect(pages).toBe(6);
  expect(clean.totals).toEqual({ unexpectedCharges: 1, missingCharges: 1, quantityMismatches: 1 });
  const readBefore = (await rig.sandbox.control.counters()).requests[UNBILLED_ROUTE];
  expect(readBefore).toBe(pages);
  return { clean, pages, readBefore: readBefore! };
}

const unbilledReads = async () => (await rig.sandbox.control.counters()).requests[UNBILLED_ROUTE] ?? 0;

function asReport(value: unknown): ReconcileReport {
  if (value instanceof Error) throw value;
  return value as ReconcileReport;
}

describe('reconcileBilling against the sandbox', () => {
  it('matches a clean month read over more than three pages, in one activity, with summary, details and no secret in history', async () => {
    const [basic] = await buy(us, [
      [offers.businessBasic, 5],
      [offers.office365E3, 2],
    ]);
    await buy(us, [[offers.teamsEssentials, 3]]);
    const [, , cancelled] = await buy(us, [
      [offers.businessBasic, 4],
      [offers.office365E3, 1],
      [offers.teamsEssentials, 2],
    ]);
    await buy(us, [
      [offers.businessBasic, 1],
      [offers.office365E3, 1],
    ]);
    await changeSubscription(us, basic!, { quantity: 8 });
    await changeSubscription(us, cancelled!, { status: 'deleted' });
    await buy(gb, [[offers.businessBasic, 9]], 'GB'); // billed in GBP: not part of a USD reconciliation

    const {
      handle,
      report: result,
      history,
      currentDetails,
    } = await reconcile({ period: 'current', source: 'v1', currency: 'usd' });
    const report = asReport(result);

    // 8 purchases, 1 seat increase, 1 cancellation refund; every customer of the partner checked (GB's purchase is in GBP).
    expect(report).toMatchObject({
      period: 'current',
      currency: 'USD',
      lines: 10,
      matched: 8,
      customers: 3,
      subscriptions: 8,
      unverified: 0,
    });
    expect(report.totals).toEqual({ unexpectedCharges: 0, missingCharges: 0, quantityMismatches: 0 });
    expect(report.unexpectedCharges).toEqual([]);
    expect(report.missingCharges).toEqual([]);
    expect(report.quantityMismatches).toEqual([]);
    expect(report.chargeTypes).toMatchObject({
      new: { lines: 8, quantity: 19 },
      addQuantity: { lines: 1, quantity: 3 },
      cancelImmediate: { lines: 1, quantity: -2 },
    });

    const counters = await rig.sandbox.control.counters();
    expect(counters.requests[UNBILLED_ROUTE]).toBe(Math.ceil(10 / PAGE_SIZE));
    expect(counters.requests[UNBILLED_ROUTE]).toBeGreaterThan(3);
    // However many pages: one activity in history.
    const events = history.events ?? [];
    expect(events.filter((e) => e.activityTaskScheduledEventAttributes)).toHaveLength(1);
    expect(events.length).toBeLessThan(20);

    const description = await handle.describe();
    expect(await description.staticSummary()).toContain('USD');
    expect(description.typedSearchAttributes.get(PcStep)).toBe('completed');
    expect(currentDetails).toContain('**Lines:** 10');
    expect(currentDetails).toContain('**Matched:** 8');

    const text = await historyText(handle);
    await recordHistory('reconcile-clean', handle);
    expect(text).toContain('"lines":10'); // the decoded payloads (the report) are really searched
    for (const secret of secretsOf(rig.sandbox)) expect(text).not.toContain(secret);
    expect(text).not.toMatch(JWT_PATTERN);
  });

  it('keeps the history to one activity and a few events however many pages: 61 lines over 31 pages', async () => {
    const [basic] = await buy(us, [[offers.businessBasic, 5]]);
    // Thirty seat additions, each credited again: 60 more lines that net to the 5 seats bought.
    for (let i = 0; i < 30; i += 1) {
      await rig.sandbox.control.addCharge({ subscriptionId: basic!.id, chargeType: 'addQuantity', quantity: 1 });
      await rig.sandbox.control.addCharge({ subscriptionId: basic!.id, chargeType: 'removeQuantity', quantity: -1 });
    }
    const { report, history } = await reconcile({ period: 'current', source: 'v1', currency: 'USD' });
    expect(asReport(report)).toMatchObject({
      lines: 61,
      matched: 1,
      totals: { unexpectedCharges: 0, missingCharges: 0, quantityMismatches: 0 },
    });
    expect((await rig.sandbox.control.counters()).requests[UNBILLED_ROUTE]).toBe(31);
    const events = history.events ?? [];
    expect(events.filter((e) => e.activityTaskScheduledEventAttributes)).toHaveLength(1);
    expect(events.length).toBeLessThan(20);
  });

  it('reports an unexpected charge, a missing charge and a double-billed seat increase, each with what an operator needs', async () => {
    const [basic, e3] = await buy(us, [
      [offers.businessBasic, 5],
      [offers.office365E3, 2],
    ]);
    const [teams] = await buy(us, [[offers.teamsEssentials, 3]]);
    await changeSubscription(us, basic!, { quantity: 8 });
    // Partner Center bills the seat increase twice, never bills the E3 purchase, and bills US's Teams subscription to GB.
    await rig.sandbox.control.addCharge({ subscriptionId: basic!.id, chargeType: 'addQuantity', quantity: 2 });
    expect(await rig.sandbox.control.dropCharges(e3!.id)).toBe(1);
    await rig.sandbox.control.addCharge({ subscriptionId: teams!.id, chargeType: 'new', quantity: 3, customerId: gb });

    const report = asReport(
      (await reconcile({ period: 'current', source: 'v1', currency: 'USD', ...NO_BILLING_DELAY })).report,
    );
    expect(report).toMatchObject({ lines: 5, matched: 1, customers: 3 });
    expect(report.totals).toEqual({ unexpectedCharges: 1, missingCharges: 1, quantityMismatches: 1 });
    expect(report.unexpectedCharges[0]).toMatchObject({
      customerId: gb,
      subscriptionId: teams!.id,
      chargeTypes: ['new'],
      billedQuantity: 3,
      expectedQuantity: 0,
    });
    expect(report.unexpectedCharges[0]!.billedAmount).toBeGreaterThan(0);
    expect(report.missingCharges[0]).toMatchObject({
      customerId: us,
      subscriptionId: e3!.id,
      orderId: e3!.orderId,
      chargeTypes: ['new'],
      expectedQuantity: 2,
      billedQuantity: 0,
    });
    expect(report.missingCharges[0]!.expectedAmount).toBeGreaterThan(0);
    expect(report.quantityMismatches[0]).toMatchObject({
      customerId: us,
      customerName: expect.any(String),
      subscriptionId: basic!.id,
      orderId: basic!.orderId,
      chargeTypes: ['new', 'addQuantity'],
      expectedQuantity: 8,
      billedQuantity: 10,
    });
    expect(report.quantityMismatches[0]!.billedAmount).toBeGreaterThan(report.quantityMismatches[0]!.expectedAmount!);

    // One customer: the other's charges are left out.
    const { handle, report: scopedResult } = await reconcile({
      period: 'current',
      source: 'v1',
      currency: 'USD',
      customerId: us.toUpperCase(),
      ...NO_BILLING_DELAY,
    });
    const scoped = asReport(scopedResult);
    expect(scoped).toMatchObject({ customerId: us, lines: 4, matched: 1, customers: 1 });
    expect(scoped.totals).toEqual({ unexpectedCharges: 0, missingCharges: 1, quantityMismatches: 1 });
    expect((await handle.describe()).typedSearchAttributes.get(PcCustomerId)).toBe(us);
  });

  it.each([
    { fault: { kind: 'throttle', retryAfterSeconds: 1 } as const, failureType: 'PartnerCenterThrottled' },
    { fault: { kind: 'reset' } as const, failureType: 'PartnerCenterError' },
  ])(
    'resumes after a $fault.kind on page 4 of 6: pages 1–3 are read once and the report is that of a run without the fault',
    async ({ fault, failureType }) => {
      const { clean, pages, readBefore } = await sixPagesReconciled();

      // The fourth page request fails once.
      await rig.sandbox.control.addFault({
        method: 'GET',
        path: '/v1/invoices/unbilled/lineitems',
        ...fault,
        skip: 3,
        count: 1,
      });
      const { report, history } = await reconcile({
        period: 'current',
        source: 'v1',
        currency: 'USD',
        ...NO_BILLING_DELAY,
      });
      expect(asReport(report)).toEqual(clean);

      // Each page once, plus the failed fourth request again: the retry resumed at page 4, so pages 1–3 were read once.
      expect((await unbilledReads()) - readBefore).toBe(pages + 1);
      const started = (history.events ?? []).find(
        (e) => e.activityTaskStartedEventAttributes,
      )?.activityTaskStartedEventAttributes;
      expect(started?.attempt).toBe(2);
      expect(started?.lastFailure?.applicationFailureInfo?.type).toBe(failureType);
      if (fault.kind === 'throttle')
        expect(Number(started?.lastFailure?.applicationFailureInfo?.nextRetryDelay?.seconds)).toBe(1);
    },
  );

  it('resumes on another worker at page 4 when the first stops while reading it; the heartbeat it resumes from holds no secret', async () => {
    const { clean, pages, readBefore } = await sixPagesReconciled();
    // The fourth page is slow, and the first worker goes away while waiting for it.
    await rig.sandbox.control.addFault({
      method: 'GET',
      path: '/v1/invoices/unbilled/lineitems',
      kind: 'latency',
      latencyMs: 3000,
      skip: 3,
      count: 1,
    });
    const taskQueue = uniqueTaskQueue('reconcile-stop');
    const first = await reconcileWorker(taskQueue);
    const firstRun = first.run();
    const handle = await startBillingReconciliation(
      client,
      { period: 'current', source: 'v1', currency: 'USD', ...NO_BILLING_DELAY },
      { taskQueue },
    );
    while ((await unbilledReads()) - readBefore < 4) await new Promise((resolve) => setTimeout(resolve, 50));
    first.shutdown();
    await firstRun;

    // What the retry will resume from, as Temporal keeps it: the cursor of page 4 and the totals of pages 1–3, no secret.
    const [pending] = (await handle.describe()).raw.pendingActivities ?? [];
    const details = ReconcileProgressSchema.parse(
      defaultPayloadConverter.fromPayload(pending!.heartbeatDetails!.payloads![0]!),
    );
    expect(details).toMatchObject({
      pages: 3,
      resumeFrom: {
        pages: 3,
        next: { path: expect.stringContaining('seekOperation=Next'), continuationToken: expect.any(String) },
      },
    });
    const tally = gunzipSync(Buffer.from(details.resumeFrom!.tally, 'base64')).toString('utf8');
    expect(JSON.parse(tally)).toMatchObject({ lines: 3 * PAGE_SIZE });
    for (const text of [JSON.stringify(details), tally]) {
      for (const secret of secretsOf(rig.sandbox)) expect(text).not.toContain(secret);
      expect(text).not.toMatch(JWT_PATTERN);
    }

    const report = await (await reconcileWorker(taskQueue)).runUntil(handle.result());
    expect(report).toEqual(clean);
    expect((await unbilledReads()) - readBefore).toBe(pages + 1);
    const started = (await handle.fetchHistory()).events?.find(
      (e) => e.activityTaskStartedEventAttributes,
    )?.activityTaskStartedEventAttributes;
    expect(started?.attempt).toBe(2);
  });

  it('reconciling every customer reports the purchase never billed of a customer with no charge at all', async () => {
    const [basic] = await buy(us, [[offers.businessBasic, 5]]);
    const [teams] = await buy(de, [[offers.teamsEssentials, 4]], 'DE');
    // Partner Center never bills DE's purchase: DE has no EUR line at all.
    expect(await rig.sandbox.control.dropCharges(teams!.id)).toBe(1);

    const report = asReport(
      (await reconcile({ period: 'current', source: 'v1', currency: 'EUR', ...NO_BILLING_DELAY })).report,
    );
    expect(report).toMatchObject({ currency: 'EUR', lines: 0, customers: 3, matched: 0, unverified: 0 });
    expect(report.totals).toEqual({ unexpectedCharges: 0, missingCharges: 1, quantityMismatches: 0 });
    expect(report.missingCharges[0]).toMatchObject({
      customerId: de,
      subscriptionId: teams!.id,
      orderId: teams!.orderId,
      chargeTypes: ['new'],
      expectedQuantity: 4,
      billedQuantity: 0,
    });
    expect(report.missingCharges[0]!.expectedAmount).toBeGreaterThan(0);
    // The customer list is read once, in pages of up to 500: the sandbox's three customers.
    expect((await rig.sandbox.control.counters()).requests[CUSTOMERS_ROUTE]).toBe(1);

    // US's USD purchase is billed and none of this reconciliation's business.
    expect(report.missingCharges.map((f) => f.subscriptionId)).not.toContain(basic!.id);
  });

  it('a purchase just made is unverified within the default 24-hour billing delay, and missing once the sandbox clock is past it', async () => {
    const [teams] = await buy(de, [[offers.teamsEssentials, 2]], 'DE');
    expect(await rig.sandbox.control.dropCharges(teams!.id)).toBe(1);

    const { report: justBought, currentDetails } = await reconcile({
      period: 'current',
      source: 'v1',
      currency: 'EUR',
    });
    expect(asReport(justBought)).toMatchObject({
      unverified: 1,
      totals: { unexpectedCharges: 0, missingCharges: 0, quantityMismatches: 0 },
    });
    expect(asReport(justBought).unverifiedCharges[0]).toMatchObject({
      customerId: de,
      subscriptionId: teams!.id,
      chargeTypes: ['new'],
      expectedQuantity: 2,
      reason: expect.stringContaining('within the 24-hour billing delay'),
    });
    expect(currentDetails).toContain('**Not verifiable:** 1');

    // A day and an hour later on Partner Center's clock, still no charge: now it is missing.
    await rig.sandbox.control.advanceClock(25 * 3_600_000);
    const later = asReport((await reconcile({ period: 'current', source: 'v1', currency: 'EUR' })).report);
    expect(later).toMatchObject({ unverified: 0, totals: { missingCharges: 1 } });
    expect(later.missingCharges[0]).toMatchObject({
      customerId: de,
      subscriptionId: teams!.id,
      chargeTypes: ['new'],
      expectedQuantity: 2,
      billedQuantity: 0,
    });
  });

  it('fails an invalid request with InvalidReconcileRequest naming every bad field, before any Partner Center call', async () => {
    const bad = {
      period: 'yesterday',
      currency: 'dollars',
      customerId: 'contoso',
      extra: true,
    } as unknown as ReconcileRequest;
    const { report: error, handle } = await reconcile(bad);
    await recordHistory('reconcile-invalid-request', handle);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const failure = (error as WorkflowFailedError).cause;
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect((failure as ApplicationFailure).type).toBe(billingFailureTypes.invalidRequest);
    expect((failure as ApplicationFailure).nonRetryable).toBe(true);
    for (const field of ['period', 'currency', 'customerId', 'extra']) expect(failure!.message).toContain(field);
    expect((await rig.sandbox.control.counters()).requests[UNBILLED_ROUTE]).toBeUndefined();
  });

  it('fails Unauthorized when the credential is refused, with no secret in the failure or the history', async () => {
    const wrongSecret = 'sbx~not-the-right-secret-0123456789';
    await rig.withWorker(
      async ({ taskQueue }) => {
        const handle = await startBillingReconciliation(
          client,
          { period: 'current', source: 'v1', currency: 'USD' },
          { taskQueue },
        );
        const error = await handle.result().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(WorkflowFailedError);
        const failure = (error as WorkflowFailedError).cause as ApplicationFailure;
        expect(failure.type).toBe('Unauthorized');
        expect(failure.nonRetryable).toBe(true);
        const history = await historyText(client.workflow.getHandle(handle.workflowId));
        expect(history).toContain('Unauthorized');
        for (const secret of [wrongSecret, ...secretsOf(rig.sandbox)]) {
          expect(failure.message).not.toContain(secret);
          expect(history).not.toContain(secret);
        }
        expect(history).not.toMatch(JWT_PATTERN);
      },
      { clientSecret: wrongSecret },
    );
  });

  it('creates a daily Schedule (overlap SKIP), updates it in place, and a triggered run completes on the real worker', async () => {
    await buy(us, [[offers.businessBasic, 5]]);
    const taskQueue = uniqueTaskQueue('reconcile-schedule');
    const scheduleId = `reconcile-test-${randomUUID()}`;
    const request: ReconcileRequest = { period: 'current', source: 'v1', currency: 'usd', customerId: us };
    const handle = await scheduleBillingReconciliation(client, { cron: '0 6 * * *', request, scheduleId, taskQueue });
    try {
      const created = await client.schedule.getHandle(scheduleId).describe();
      expect(created.action).toMatchObject({
        type: 'startWorkflow',
        workflowType: 'reconcileBilling',
        taskQueue,
        args: [{ period: 'current', source: 'v1', currency: 'USD', customerId: us }],
      });
      expect(created.policies.overlap).toBe('SKIP');
      expect(created.action.staticSummary).toContain('USD');
      expect(created.spec.calendars?.[0]).toMatchObject({
        hour: [{ start: 6, end: 6 }],
        minute: [{ start: 0, end: 0 }],
      });

      // Scheduling again updates the same schedule.
      await scheduleBillingReconciliation(client, { cron: '30 7 * * *', request, scheduleId, taskQueue });
      const updated = await handle.describe();
      expect(updated.spec.calendars?.[0]).toMatchObject({
        hour: [{ start: 7, end: 7 }],
        minute: [{ start: 30, end: 30 }],
      });
      expect(updated.policies.overlap).toBe('SKIP');

      const worker = await rig.createWorker(taskQueue);
      const report = await worker.runUntil(async () => {
        await handle.trigger();
        let workflowId: string | undefined;
        while (workflowId === undefined) {
          workflowId = (await handle.describe()).info.recentActions[0]?.action.workflow.workflowId;
          if (workflowId === undefined) await new Promise((resolve) => setTimeout(resolve, 200));
        }
        expect(workflowId.startsWith(scheduleId)).toBe(true);
        return client.workflow.getHandle(workflowId).result() as Promise<ReconcileReport>;
      });
      expect(report).toMatchObject({ customerId: us, currency: 'USD', lines: 1, matched: 1 });
    } finally {
      await handle.delete();
    }
  });
});
