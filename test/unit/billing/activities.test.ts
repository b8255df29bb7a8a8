import { randomUUID } from 'node:crypto';
import {
  CHECKPOINT_BUDGET_BYTES,
  createBillingActivities,
  type ReconcileProgress,
} from '../../../src/activities/billing/activities';
import {
  PartnerCenterBusinessError,
  PartnerCenterNotFoundError,
  PartnerCenterThrottledError,
  PartnerCenterUnauthorizedError,
  oneTimeInvoiceLineItemSchema,
  type OneTimeInvoiceLineItem,
  type Order,
  type PartnerCenterClient,
  type SeekCursor,
  type Subscription,
} from '../../../src/partner-center';
import type { ReconcileInput, ReconcileReport } from '../../../src/workflows/billing/types';
import { activityContext, applicationFailureOf as failureOf, fakePartnerCenter } from '../../support/activities';
import { novemberReconcileInput as input } from '../../support/reconcile';

const us = '4f1b9c7e-2d3a-4c5b-8e6f-0a1b2c3d4e5f';
const gb = '9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d';

function line(customerId: string, subscriptionId: string, quantity = 1): OneTimeInvoiceLineItem {
  return {
    customerId,
    subscriptionId,
    orderId: `order-${subscriptionId}`,
    chargeType: 'new',
    quantity,
    billableQuantity: quantity,
    subtotal: quantity * 6,
    unitPrice: 6,
  };
}

function subscription(id: string, quantity = 1): Subscription {
  return {
    id,
    offerId: 'P:S:A',
    quantity,
    status: 'active',
    orderId: `order-${id}`,
    creationDate: '2026-11-10T00:00:00Z',
    effectiveStartDate: '2026-11-10',
  };
}

function order(id: string): Order {
  return { id, status: 'completed', currencyCode: 'USD', lineItems: [] };
}

/** The cursor of page `n` (1-based) of the fake collection. */
const cursorOf = (n: number): SeekCursor => ({
  path: `/invoices/unbilled/lineitems?page=${n}&seekOperation=Next`,
  continuationToken: `token-${n}`,
});

/**
 * A client double for the activity's own logic: the lines in pages of the requested size, each page
 * after the first reached by its cursor, optionally failing (once) when page `failOn.page` is asked
 * for; subscriptions and orders per customer. `requested` lists the pages read, in order.
 */
function fakeClient(options: {
  lines: OneTimeInvoiceLineItem[];
  failOn?: { page: number; error: Error };
  customers: Record<string, Subscription[] | Error>;
  /** The `Date` of every lines page (Partner Center's clock). */
  serverTime?: string;
}): PartnerCenterClient & { pageSizes: number[]; requested: number[]; customerPages: number[] } {
  const pageSizes: number[] = [];
  const requested: number[] = [];
  /** The offset of each customer page read. */
  const customerPages: number[] = [];
  // The partner's customers: every one the test knows, except one Partner Center no longer knows.
  const listed = Object.entries(options.customers)
    .filter(([, known]) => !(known instanceof PartnerCenterNotFoundError))
    .map(([id]) => id);
  let failOn = options.failOn;
  const facts = (customerId: string) => {
    const known = options.customers[customerId];
    if (known === undefined) throw new Error(`unexpected customer ${customerId}`);
    if (known instanceof Error) throw known;
    return known;
  };
  const calls: Partial<PartnerCenterClient> = {
    async unbilledReconciliationLineItemsPage(q, cursor) {
      const size = q.size ?? 2000;
      const page = cursor === undefined ? 1 : Number(cursor.continuationToken?.replace('token-', ''));
      if (cursor !== undefined) expect(cursor).toEqual(cursorOf(page));
      if (failOn !== undefined && failOn.page === page) {
        const { error } = failOn;
        failOn = undefined;
        throw error;
      }
      pageSizes.push(size);
      requested.push(page);
      const items = options.lines.slice((page - 1) * size, page * size);
      const serverTime = options.serverTime !== undefined ? { serverTime: options.serverTime } : {};
      return page * size < options.lines.length
        ? { items, next: cursorOf(page + 1), ...serverTime }
        : { items, ...serverTime };
    },
    async listCustomersPage(q, cursor) {
      const size = q?.size ?? 500;
      const offset = cursor === undefined ? 0 : Number(cursor.continuationToken);
      customerPages.push(offset);
      const items = listed.slice(offset, offset + size).map((id) => ({ id, companyProfile: { tenantId: id } }));
      return offset + size < listed.length
        ? { items, next: { path: '/customers?seekOperation=Next', continuationToken: String(offset + size) } }
        : { items };
    },
    listSubscriptions: async (customerId) => facts(customerId),
    listOrders: async (customerId) => facts(customerId).map((s) => order(s.orderId ?? '')),
  };
  return Object.assign(fakePartnerCenter(calls), { pageSizes, requested, customerPages });
}

/** An activity context, optionally of a retry that finds `heartbeatDetails` (as Temporal hands them over: decoded JSON). */
function environment(heartbeatDetails?: ReconcileProgress) {
  const context = activityContext({
    activityId: '1',
    workflowExecution: { workflowId: 'reconcile-1', runId: 'run-1' },
    ...(heartbeatDetails !== undefined
      ? { attempt: 2, heartbeatDetails: JSON.parse(JSON.stringify(heartbeatDetails)) as unknown }
      : {}),
  });
  const heartbeats: ReconcileProgress[] = [];
  context.mock.on('heartbeat', (details: ReconcileProgress) => heartbeats.push(structuredClone(details)));
  const run = (
    pc: PartnerCenterClient,
    request: ReconcileInput,
    reconciliationPageSize?: number,
    customerPageSize?: number,
  ): Promise<ReconcileReport> =>
    context.run(
      createBillingActivities({
        partnerCenter: pc,
        ...(reconciliationPageSize !== undefined ? { reconciliationPageSize } : {}),
        ...(customerPageSize !== undefined ? { customerPageSize } : {}),
      }).reconcileUnbilledCharges,
      request,
    );
  return { run, heartbeats };
}

/** Heartbeats without their checkpoints: the progress an operator sees. */
const progressOf = (heartbeats: ReconcileProgress[]) =>
  heartbeats.map(({ resumeFrom: _resumeFrom, ...progress }) => progress);

/** Eleven lines of two customers over six pages of two, the customers' subscriptions matching them all but one. */
function sixPages() {
  const lines = [
    line(us, 'a', 2),
    line(us, 'b'),
    line(gb, 'c'),
    line(us, 'd', 3),
    line(us, 'a', 1),
    line(gb, 'e'),
    line(us, 'f'),
    line(us, 'g', 4),
    line(gb, 'h'),
    line(us, 'stray'),
    line(gb, 'i', 2),
  ];
  const customers = {
    [us]: [subscription('a', 3), subscription('b'), subscription('d', 3), subscription('f'), subscription('g', 4)],
    [gb]: [subscription('c'), subscription('e'), subscription('h'), subscription('i', 2)],
  };
  return { lines, customers };
}

describe('reconcileUnbilledCharges', () => {
  it('reads with the configured page size, heartbeats progress per page and per customer, and reports every customer', async () => {
    const pc = fakeClient({
      lines: [line(us, 'a', 2), line(us, 'b'), line(gb, 'c'), line(us, 'a', 1)],
      customers: { [us]: [subscription('a', 3), subscription('b')], [gb]: [] },
    });
    const { run, heartbeats } = environment();
    const report = await run(pc, input, 2);

    expect(pc.pageSizes).toEqual([2, 2]);
    expect(report).toMatchObject({
      lines: 4,
      customers: 2,
      subscriptions: 3,
      matched: 2,
      totals: { unexpectedCharges: 1, missingCharges: 0, quantityMismatches: 0 },
    });
    expect(report.unexpectedCharges[0]).toMatchObject({ customerId: gb, subscriptionId: 'c' });
    expect(progressOf(heartbeats)).toEqual([
      { phase: 'reading-lines', lines: 2, pages: 1, customers: 0, customersMatched: 0 },
      { phase: 'reading-lines', lines: 4, pages: 2, customers: 0, customersMatched: 0 },
      { phase: 'matching', lines: 4, pages: 2, customers: 2, customersMatched: 0 },
      { phase: 'matching', lines: 4, pages: 2, customers: 2, customersMatched: 1 },
      { phase: 'matching', lines: 4, pages: 2, customers: 2, customersMatched: 2 },
    ]);
    // Each page's checkpoint points at the next page; the last one says every page is read.
    expect(heartbeats.map((h) => [h.resumeFrom?.pages, h.resumeFrom?.next])).toEqual([
      [1, cursorOf(2)],
      [2, undefined],
      [2, undefined],
      [2, undefined],
      [2, undefined],
    ]);
  });

  it("keeps only the requested customer's lines, and checks that customer even when nothing was billed", async () => {
    const pc = fakeClient({ lines: [line(gb, 'c'), line(gb, 'd')], customers: { [us]: [subscription('a', 5)] } });
    const { run, heartbeats } = environment();
    const report = await run(pc, { ...input, customerId: us }, 2);
    expect(pc.pageSizes).toEqual([2]);
    // Pages of other customers' lines still show progress (a long read must not look like a dead worker).
    expect(progressOf(heartbeats)[0]).toEqual({
      phase: 'reading-lines',
      lines: 0,
      pages: 1,
      customers: 0,
      customersMatched: 0,
    });
    expect(report).toMatchObject({
      customerId: us,
      lines: 0,
      customers: 1,
      totals: { unexpectedCharges: 0, missingCharges: 1, quantityMismatches: 0 },
    });
    expect(report.missingCharges[0]).toMatchObject({ customerId: us, subscriptionId: 'a', expectedQuantity: 5 });
  });

  it('without a customerId checks every customer of the partner, page by page: one with no line at all is reported for its purchase never billed', async () => {
    const third = '0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f';
    const pc = fakeClient({
      lines: [line(us, 'a', 2), line(us, 'b')],
      customers: {
        [us]: [subscription('a', 2), subscription('b')],
        [gb]: [],
        [third]: [subscription('never-billed', 4)],
      },
    });
    const { run, heartbeats } = environment();
    const report = await run(pc, input, 2, 1);

    expect(pc.customerPages).toEqual([0, 1, 2]);
    expect(report).toMatchObject({
      lines: 2,
      customers: 3,
      matched: 2,
      totals: { unexpectedCharges: 0, missingCharges: 1, quantityMismatches: 0 },
    });
    expect(report.missingCharges[0]).toMatchObject({
      customerId: third,
      subscriptionId: 'never-billed',
      chargeTypes: ['new'],
      expectedQuantity: 4,
      billedQuantity: 0,
    });
    // Customers without lines are counted as their pages are read.
    expect(progressOf(heartbeats).filter((h) => h.phase === 'matching')).toEqual([
      { phase: 'matching', lines: 2, pages: 1, customers: 1, customersMatched: 0 },
      { phase: 'matching', lines: 2, pages: 1, customers: 1, customersMatched: 1 },
      { phase: 'matching', lines: 2, pages: 1, customers: 2, customersMatched: 2 },
      { phase: 'matching', lines: 2, pages: 1, customers: 3, customersMatched: 3 },
    ]);
  });

  it("measures the billing delay on Partner Center's clock (its pages' Date): a purchase younger than it is unverified, an older one missing", async () => {
    // Bought at 11:00 on the 25th; the workflow's asOf is noon.
    const recent = {
      ...subscription('fresh', 3),
      creationDate: '2026-11-25T11:00:00Z',
      effectiveStartDate: '2026-11-25',
    };
    const reconcileAt = (serverTime: string, billingDelayHours?: number) =>
      environment().run(fakeClient({ lines: [], customers: { [us]: [recent] }, serverTime }), {
        ...input,
        ...(billingDelayHours !== undefined ? { billingDelayHours } : {}),
      });

    const justBought = await reconcileAt('2026-11-25T11:30:00Z');
    expect(justBought).toMatchObject({ unverified: 1, totals: { missingCharges: 0 } });
    expect(justBought.unverifiedCharges[0]).toMatchObject({
      customerId: us,
      subscriptionId: 'fresh',
      chargeTypes: ['new'],
      reason: expect.stringContaining('within the 24-hour billing delay'),
    });

    expect(await reconcileAt('2026-11-26T11:30:00Z')).toMatchObject({ unverified: 0, totals: { missingCharges: 1 } });
    expect(await reconcileAt('2026-11-25T11:30:00Z', 0)).toMatchObject({
      unverified: 0,
      totals: { missingCharges: 1 },
    });
    expect(await reconcileAt('2026-11-25T16:00:00Z', 4)).toMatchObject({
      unverified: 0,
      totals: { missingCharges: 1 },
    });
  });

  it('reads 2000-line pages (Partner Center maximum) unless configured', async () => {
    const pc = fakeClient({ lines: [], customers: {} });
    await environment().run(pc, input);
    expect(pc.pageSizes).toEqual([2000]);
  });

  it('reports the charges of a customer Partner Center no longer knows as unexpected', async () => {
    const pc = fakeClient({
      lines: [line(gb, 'c', 4)],
      customers: { [gb]: new PartnerCenterNotFoundError({ status: 404, description: 'Customer not found' }) },
    });
    const report = await environment().run(pc, input);
    expect(report.totals.unexpectedCharges).toBe(1);
    expect(report.unexpectedCharges[0]).toMatchObject({ customerId: gb, subscriptionId: 'c', billedQuantity: 4 });
  });

  it.each([
    {
      name: '429 mid-stream',
      error: new PartnerCenterThrottledError({
        status: 429,
        description: 'Rate limit is exceeded.',
        retryAfterMs: 7000,
      }),
      type: 'PartnerCenterThrottled',
      nonRetryable: false,
      nextRetryDelayMs: 7000,
    },
    {
      name: 'refused credential',
      error: new PartnerCenterUnauthorizedError({ status: 401, description: 'App-only token refused' }),
      type: 'Unauthorized',
      nonRetryable: true,
    },
    {
      name: 'refused read',
      error: new PartnerCenterBusinessError({ status: 400, code: 0, description: 'currencyCode is invalid' }),
      type: 'ReconciliationFailed',
      nonRetryable: true,
    },
  ])('$name → $type', async ({ error, type, nonRetryable, nextRetryDelayMs }) => {
    const pc = fakeClient({ lines: [line(us, 'a'), line(us, 'b')], failOn: { page: 2, error }, customers: {} });
    const failure = await failureOf(environment().run(pc, input, 1));
    expect(failure.type).toBe(type);
    expect(failure.nonRetryable).toBe(nonRetryable);
    if (nextRetryDelayMs !== undefined) expect(failure.nextRetryDelay).toBe(nextRetryDelayMs);
  });
});

describe('reconcileUnbilledCharges resumes a retry from its heartbeat', () => {
  const throttled = () =>
    new PartnerCenterThrottledError({ status: 429, description: 'Rate limit is exceeded.', retryAfterMs: 1000 });

  it('a retry after a failure on page 4 reads only pages 4–6 and reports exactly what an uninterrupted run does', async () => {
    const { lines, customers } = sixPages();
    const clean = await environment().run(fakeClient({ lines, customers }), input, 2);

    const pc = fakeClient({ lines, customers, failOn: { page: 4, error: throttled() } });
    const first = environment();
    expect((await failureOf(first.run(pc, input, 2))).type).toBe('PartnerCenterThrottled');
    expect(pc.requested).toEqual([1, 2, 3]);
    const last = first.heartbeats.at(-1)!;
    expect(last).toMatchObject({
      phase: 'reading-lines',
      pages: 3,
      lines: 6,
      resumeFrom: { pages: 3, next: cursorOf(4) },
    });

    pc.requested.length = 0;
    const retry = environment(last);
    const report = await retry.run(pc, input, 2);
    expect(pc.requested).toEqual([4, 5, 6]);
    expect(report).toEqual(clean);
    expect(report.lines).toBe(11); // no line counted twice
    expect(progressOf(retry.heartbeats)[0]).toEqual({
      phase: 'reading-lines',
      lines: 8,
      pages: 4,
      customers: 0,
      customersMatched: 0,
    });
  });

  it('resumes a scoped run (one customer) with that customer’s totals only', async () => {
    const { lines, customers } = sixPages();
    const scoped = { ...input, customerId: gb };
    const clean = await environment().run(fakeClient({ lines, customers }), scoped, 2);
    const pc = fakeClient({ lines, customers, failOn: { page: 5, error: throttled() } });
    const first = environment();
    await failureOf(first.run(pc, scoped, 2));
    pc.requested.length = 0;
    expect(await environment(first.heartbeats.at(-1)).run(pc, scoped, 2)).toEqual(clean);
    expect(pc.requested).toEqual([5, 6]);
  });

  it("a retry during matching reads no page again, only the customers, on the first attempt's Partner Center clock", async () => {
    const { lines, customers } = sixPages();
    // Bought an hour before the pages' Date: within the billing delay on it, not on a clock a day later.
    const fresh = { ...subscription('fresh'), creationDate: '2026-11-25T10:00:00Z', effectiveStartDate: '2026-11-25' };
    const withFresh = { ...customers, [us]: [...(customers[us] ?? []), fresh] };
    const serverTime = '2026-11-25T11:00:00.000Z';
    const clean = await environment().run(fakeClient({ lines, customers: withFresh, serverTime }), input, 2);
    expect(clean.unverifiedCharges).toEqual([expect.objectContaining({ subscriptionId: 'fresh' })]);
    const failing = fakeClient({ lines, customers: { ...withFresh, [gb]: throttled() }, serverTime });
    const first = environment();
    await failureOf(first.run(failing, input, 2));
    const last = first.heartbeats.at(-1)!;
    expect(last).toMatchObject({ phase: 'matching', pages: 6, resumeFrom: { pages: 6, serverTime } });
    expect(last.resumeFrom?.next).toBeUndefined();

    const pc = fakeClient({ lines, customers: withFresh, serverTime: '2026-11-26T11:00:00Z' });
    expect(await environment(last).run(pc, input, 2)).toEqual(clean);
    expect(pc.requested).toEqual([]);
  });

  it('reads from the first page again when Partner Center refuses the saved continuation', async () => {
    const { lines, customers } = sixPages();
    const clean = await environment().run(fakeClient({ lines, customers }), input, 2);
    const first = environment();
    await failureOf(first.run(fakeClient({ lines, customers, failOn: { page: 4, error: throttled() } }), input, 2));

    const expired = new PartnerCenterBusinessError({
      status: 400,
      code: 0,
      description: 'The continuation token is invalid.',
    });
    const pc = fakeClient({ lines, customers, failOn: { page: 4, error: expired } });
    expect(await environment(first.heartbeats.at(-1)).run(pc, input, 2)).toEqual(clean);
    expect(pc.requested).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it.each([
    ['no details', undefined],
    [
      'details of an older version (progress only)',
      { phase: 'reading-lines', lines: 6, customers: 0, customersMatched: 0 },
    ],
    [
      'an unreadable tally',
      {
        phase: 'reading-lines',
        lines: 6,
        pages: 3,
        customers: 0,
        customersMatched: 0,
        resumeFrom: { pages: 3, next: cursorOf(4), tally: 'bm90IGd6aXA=' },
      },
    ],
  ])('starts from the first page with %s', async (_name, details) => {
    const { lines, customers } = sixPages();
    const clean = await environment().run(fakeClient({ lines, customers }), input, 2);
    const pc = fakeClient({ lines, customers });
    expect(await environment(details as ReconcileProgress | undefined).run(pc, input, 2)).toEqual(clean);
    expect(pc.requested).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('keeps heartbeats within the budget: past it, the last checkpoint that fitted stays, and a retry resumes there', async () => {
    // Thousands of distinct subscriptions (random ids, so compression cannot hide them) outgrow the budget within a few pages.
    const lines = Array.from({ length: 12_000 }, () => line(us, randomUUID()));
    const pc = fakeClient({ lines, customers: { [us]: [] } });
    const first = environment();
    // Fails when matching the customer, after every page is read.
    await failureOf(first.run({ ...pc, listSubscriptions: () => Promise.reject(throttled()) }, input, 2000));
    for (const details of first.heartbeats)
      expect(JSON.stringify(details).length).toBeLessThan(CHECKPOINT_BUDGET_BYTES + 1024);
    const kept = first.heartbeats.at(-1)!.resumeFrom!;
    expect(kept.pages).toBeGreaterThan(0);
    expect(kept.pages).toBeLessThan(6);
    expect(kept.next).toEqual(cursorOf(kept.pages + 1));

    pc.requested.length = 0;
    const report = await environment(first.heartbeats.at(-1)).run(pc, input, 2000);
    expect(pc.requested).toEqual([2, 3, 4, 5, 6].slice(kept.pages - 1));
    expect(report).toMatchObject({ lines: 12_000, subscriptions: 12_000, totals: { unexpectedCharges: 12_000 } });
  });
});

describe('reconcileUnbilledCharges and the key casing of the v1 line items', () => {
  const customers = { [us]: [subscription('a', 2), subscription('b')] };
  /** Lines as Partner Center could send them, read through the client's schema. */
  const received = (lines: object[]) => lines.map((raw) => oneTimeInvoiceLineItemSchema.parse(raw));

  it('reports PascalCase lines exactly as camelCase ones', async () => {
    const camel = await environment().run(fakeClient({ lines: [line(us, 'a', 2), line(us, 'b')], customers }), input);
    const pascal = received([
      { CustomerId: us, SubscriptionId: 'a', OrderId: 'order-a', ChargeType: 'New', Quantity: '2', Subtotal: 12 },
      { CustomerId: us, SubscriptionId: 'b', OrderId: 'order-b', ChargeType: 'New', Quantity: 1, Subtotal: 6 },
    ]);
    expect(pascal[0]).toMatchObject({ subscriptionId: 'a', quantity: 2, chargeType: 'new' });
    const report = await environment().run(fakeClient({ lines: pascal, customers }), input);
    expect(camel).toMatchObject({ lines: 2, matched: 2 });
    expect(report).toEqual(camel);
  });

  it('fails ReconciliationFailed, not retried, naming the fields and the keys found when no line of a page carries a subscription id', async () => {
    const lines = received([
      { customer_id: us, subscription_id: 'a', quantity: 2 },
      { customer_id: us, subscription_id: 'b', quantity: 1 },
    ]);
    const failure = await failureOf(environment().run(fakeClient({ lines, customers }), input, 2));
    expect(failure.type).toBe('ReconciliationFailed');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toBe(
      'Partner Center unbilled line items page 1: none of its 2 lines carries subscriptionId (looked for ' +
        'subscriptionId, quantity in any casing); a report from them would call every charge missing. Keys found: ' +
        'quantity, customer_id, subscription_id',
    );
  });
});
