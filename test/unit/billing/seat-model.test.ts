import { matchCustomer, type CustomerMatch } from '../../../src/activities/billing/customer-match';
import { buildReport, MAX_LISTED_FINDINGS } from '../../../src/activities/billing/report';
import {
  addLine,
  billedSeats,
  cycleChargeDue,
  createTally,
  restoreTally,
  seatsOf,
  snapshotTally,
  type ChargeLine,
  type OrderFacts,
  type SubscriptionFacts,
} from '../../../src/activities/billing/seat-model';
import { periodBounds } from '../../../src/workflows/billing/rules';
import {
  BillingTallySnapshotSchema,
  ReconcileReportSchema,
  type BillingClock,
} from '../../../src/workflows/billing/types';
import { novemberReconcileInput } from '../../support/reconcile';

/** Partner Center's clock at the input's asOf, with the default 24-hour billing delay. */
const clock: BillingClock = { now: novemberReconcileInput.asOf, delayHours: 24 };

const customerId = '4f1b9c7e-2d3a-4c5b-8e6f-0a1b2c3d4e5f';

function subscription(extra: Partial<SubscriptionFacts> = {}): SubscriptionFacts {
  return {
    id: 'sub-a',
    orderId: 'order-a',
    offerId: 'CFQ7TTC0LH18:0001:CFQ7TTC0K971',
    offerName: 'Microsoft 365 Business Basic',
    quantity: 5,
    status: 'active',
    creationDate: '2026-11-10T10:00:00.0000000Z',
    effectiveStartDate: '2026-11-10',
    termDuration: 'P1Y',
    billingCycle: 'monthly',
    ...extra,
  };
}

/** Bought on 15 September, one year billed monthly: its November cycle started on the 15th. */
const olderMonthly = { creationDate: '2026-09-15T09:00:00Z', effectiveStartDate: '2026-09-15' };

function order(extra: Partial<OrderFacts> = {}): OrderFacts {
  return {
    id: 'order-a',
    currencyCode: 'USD',
    lineItems: [
      {
        lineItemNumber: 0,
        offerId: 'CFQ7TTC0LH18:0001:CFQ7TTC0K971',
        quantity: 5,
        subscriptionId: 'sub-a',
        pricing: { price: 6, extendedPrice: 30 },
      },
    ],
    ...extra,
  };
}

/** A line as Partner Center sends it: quantity unsigned, billableQuantity signed (credits negative). */
function charge(chargeType: string, seats: number, extra: Partial<ChargeLine> = {}): ChargeLine {
  return {
    customerId,
    customerName: 'Northwind Traders',
    subscriptionId: 'sub-a',
    orderId: 'order-a',
    productName: 'Microsoft 365 Business Basic',
    skuName: 'Microsoft 365 Business Basic',
    chargeType,
    quantity: Math.abs(seats),
    billableQuantity: seats,
    unitPrice: 6,
    effectiveUnitPrice: 6,
    subtotal: 6 * seats,
    chargeStartDate: '2026-11-10',
    ...extra,
  };
}

function reconcile(
  lines: ChargeLine[],
  subscriptions: SubscriptionFacts[] = [subscription()],
  orders: OrderFacts[] = [order()],
  billingClock: BillingClock = clock,
): CustomerMatch {
  const tally = createTally();
  for (const line of lines) addLine(tally, line);
  return matchCustomer(
    customerId,
    [...tally.bySubscription.values()],
    { subscriptions, orders },
    novemberReconcileInput,
    billingClock,
  );
}

/** Bought three hours before asOf (noon on the 25th), and two days before. */
const boughtThisMorning = { creationDate: '2026-11-25T09:00:00.0000000Z', effectiveStartDate: '2026-11-25' };
const boughtTwoDaysAgo = { creationDate: '2026-11-23T09:00:00.0000000Z', effectiveStartDate: '2026-11-23' };
/** Seats added at 10:00 on the 25th (their reduction window ends 168 hours later), and on the 23rd. */
const seatsAddedThisMorning = {
  refundableQuantity: { totalQuantity: 3, details: [{ quantity: 3, allowedUntilDateTime: '2026-12-02T10:00:00Z' }] },
};
const seatsAddedTwoDaysAgo = {
  refundableQuantity: { totalQuantity: 3, details: [{ quantity: 3, allowedUntilDateTime: '2026-11-30T10:00:00Z' }] },
};
/** One year billed monthly from 25 September: its November cycle started at midnight, twelve hours before asOf. */
const cycleStartedToday = { creationDate: '2026-09-25T08:00:00Z', effectiveStartDate: '2026-09-25' };

type Kind = 'matched' | 'unexpectedCharges' | 'missingCharges' | 'quantityMismatches' | 'unverified' | 'nothing';

const cases: Array<{
  name: string;
  lines: ChargeLine[];
  subscriptions?: SubscriptionFacts[];
  orders?: OrderFacts[];
  clock?: BillingClock;
  kind: Kind;
  finding?: Record<string, unknown>;
}> = [
  { name: 'new purchase billed for its seats', lines: [charge('new', 5)], kind: 'matched' },
  {
    name: 'seat increase billed',
    lines: [charge('new', 5), charge('addQuantity', 3)],
    subscriptions: [subscription({ quantity: 8 })],
    kind: 'matched',
  },
  {
    name: 'seat increase not billed',
    lines: [charge('new', 5)],
    subscriptions: [subscription({ quantity: 8 })],
    kind: 'quantityMismatches',
    finding: {
      subscriptionId: 'sub-a',
      orderId: 'order-a',
      customerName: 'Northwind Traders',
      chargeTypes: ['new'],
      expectedQuantity: 8,
      billedQuantity: 5,
      billedAmount: 30,
      expectedAmount: 48,
    },
  },
  {
    name: 'seat increase billed twice',
    lines: [charge('new', 5), charge('addQuantity', 3), charge('addQuantity', 3)],
    subscriptions: [subscription({ quantity: 8 })],
    kind: 'quantityMismatches',
    finding: { expectedQuantity: 8, billedQuantity: 11, chargeTypes: ['new', 'addQuantity'] },
  },
  {
    name: 'seat reduction credited',
    lines: [charge('new', 8), charge('removeQuantity', -3)],
    subscriptions: [subscription({ quantity: 5 })],
    kind: 'matched',
  },
  {
    name: 'cancellation refunded (negative billable quantity)',
    lines: [charge('new', 5), charge('cancelImmediate', -5)],
    subscriptions: [subscription({ status: 'deleted' })],
    kind: 'matched',
  },
  {
    name: 'cancellation refunded (unsigned quantity only)',
    lines: [charge('new', 5), charge('cancelImmediate', 5, { billableQuantity: undefined, subtotal: -30 })],
    subscriptions: [subscription({ status: 'deleted' })],
    kind: 'matched',
  },
  {
    name: 'prorated cancellation refund still credits every seat',
    lines: [charge('new', 5), charge('cancelImmediate', -5, { subtotal: -21.5 })],
    subscriptions: [subscription({ status: 'deleted' })],
    kind: 'matched',
  },
  {
    name: 'cancelled without a refund',
    lines: [charge('new', 5)],
    subscriptions: [subscription({ status: 'deleted' })],
    kind: 'quantityMismatches',
    finding: { expectedQuantity: 0, billedQuantity: 5, reason: expect.stringContaining('cancelled') },
  },
  {
    name: 'charge for a subscription the customer does not have',
    lines: [charge('new', 2, { subscriptionId: 'sub-x', orderId: 'order-x' })],
    subscriptions: [],
    kind: 'unexpectedCharges',
    finding: {
      subscriptionId: 'sub-x',
      orderId: 'order-x',
      expectedQuantity: 0,
      billedQuantity: 2,
      billedAmount: 12,
      reason: expect.stringContaining('no subscription sub-x'),
    },
  },
  {
    name: "'new' charge for a subscription bought before the period",
    lines: [charge('new', 5)],
    subscriptions: [subscription({ creationDate: '2026-10-02T08:00:00Z', effectiveStartDate: '2026-10-02' })],
    kind: 'unexpectedCharges',
    finding: { chargeTypes: ['new'], reason: expect.stringContaining('2026-10-02') },
  },
  {
    name: 'purchase in the period never billed',
    lines: [],
    kind: 'missingCharges',
    finding: {
      subscriptionId: 'sub-a',
      orderId: 'order-a',
      chargeTypes: ['new'],
      expectedQuantity: 5,
      billedQuantity: 0,
      billedAmount: 0,
      expectedAmount: 30,
    },
  },
  {
    name: 'purchase in the period billed only for added seats',
    lines: [charge('addQuantity', 3)],
    subscriptions: [subscription({ quantity: 8 })],
    kind: 'missingCharges',
    finding: { chargeTypes: ['new'], expectedQuantity: 8, billedQuantity: 3 },
  },
  {
    name: 'renewal billed',
    lines: [charge('renew', 5)],
    subscriptions: [subscription({ creationDate: '2025-11-05T00:00:00Z', effectiveStartDate: '2026-11-05' })],
    kind: 'matched',
  },
  {
    name: 'renewal never billed',
    lines: [],
    subscriptions: [subscription({ creationDate: '2025-11-05T00:00:00Z', effectiveStartDate: '2026-11-05' })],
    kind: 'missingCharges',
    finding: { chargeTypes: ['renew'], expectedQuantity: 5 },
  },
  {
    name: 'seat added to a subscription billed yearly from an earlier period',
    lines: [charge('addQuantity', 2)],
    subscriptions: [subscription({ ...olderMonthly, quantity: 7, billingCycle: 'annual' })],
    kind: 'matched',
  },
  {
    name: 'monthly cycle charge for the current seats',
    lines: [charge('cycleCharge', 5, { chargeStartDate: '2026-11-15' })],
    subscriptions: [subscription(olderMonthly)],
    kind: 'matched',
  },
  {
    name: 'seats added before the cycle charge, which bills them too',
    lines: [
      charge('addQuantity', 3, { chargeStartDate: '2026-11-05' }),
      charge('cycleCharge', 8, { chargeStartDate: '2026-11-15' }),
    ],
    subscriptions: [subscription({ ...olderMonthly, quantity: 8 })],
    kind: 'matched',
  },
  {
    name: 'monthly cycle never billed',
    lines: [],
    subscriptions: [subscription(olderMonthly)],
    kind: 'missingCharges',
    finding: {
      chargeTypes: ['cycleCharge'],
      expectedQuantity: 5,
      billedQuantity: 0,
      expectedAmount: 30,
      reason: expect.stringContaining('2026-11-15'),
    },
  },
  {
    name: 'monthly cycle not billed, only a seat addition',
    lines: [charge('addQuantity', 2)],
    subscriptions: [subscription({ ...olderMonthly, quantity: 7 })],
    kind: 'missingCharges',
    finding: { chargeTypes: ['cycleCharge'], expectedQuantity: 7, billedQuantity: 2 },
  },
  {
    name: 'monthly cycle not due yet (after asOf)',
    lines: [],
    subscriptions: [subscription({ creationDate: '2026-09-28T00:00:00Z', effectiveStartDate: '2026-09-28' })],
    kind: 'nothing',
  },
  {
    name: 'suspended subscription still billed per cycle',
    lines: [],
    subscriptions: [subscription({ ...olderMonthly, status: 'suspended' })],
    kind: 'missingCharges',
  },
  {
    name: 'expired subscription has no more cycles',
    lines: [],
    subscriptions: [subscription({ ...olderMonthly, status: 'expired' })],
    kind: 'nothing',
  },
  {
    name: 'renewal after a seat change late in the previous term',
    lines: [
      charge('addQuantity', 2, { chargeStartDate: '2026-10-30' }),
      charge('renew', 7, { chargeStartDate: '2026-11-05' }),
    ],
    subscriptions: [
      subscription({ quantity: 7, creationDate: '2025-11-05T00:00:00Z', effectiveStartDate: '2026-11-05' }),
    ],
    kind: 'matched',
  },
  {
    name: 'past month: monthly-term renewal of a subscription renewed again since',
    lines: [charge('renew', 5, { chargeStartDate: '2026-11-10' })],
    subscriptions: [
      subscription({ termDuration: 'P1M', creationDate: '2026-09-10T00:00:00Z', effectiveStartDate: '2026-12-10' }),
    ],
    kind: 'unverified',
  },
  {
    name: 'renewal charge while the term did not renew',
    lines: [charge('renew', 5)],
    subscriptions: [subscription(olderMonthly)],
    kind: 'unexpectedCharges',
    finding: { chargeTypes: ['renew'], reason: expect.stringContaining('2026-09-15') },
  },
  {
    name: 'purchase billed twice the same day',
    lines: [charge('new', 5), charge('new', 5)],
    kind: 'quantityMismatches',
    finding: { expectedQuantity: 5, billedQuantity: 10 },
  },
  {
    name: 'unbilled purchase whose order is not listed yet',
    lines: [],
    orders: [],
    kind: 'unverified',
    finding: { reason: expect.stringContaining('not listed yet') },
  },
  {
    name: 'customer with no lines at all but an active subscription bought in the period',
    lines: [],
    subscriptions: [subscription(boughtTwoDaysAgo)],
    kind: 'missingCharges',
    finding: {
      subscriptionId: 'sub-a',
      chargeTypes: ['new'],
      expectedQuantity: 5,
      billedQuantity: 0,
      expectedAmount: 30,
      reason: expect.stringContaining('2026-11-23'),
    },
  },
  {
    name: 'purchase three hours old, within the 24-hour billing delay, not billed yet',
    lines: [],
    subscriptions: [subscription(boughtThisMorning)],
    kind: 'unverified',
    finding: {
      subscriptionId: 'sub-a',
      chargeTypes: ['new'],
      expectedQuantity: 5,
      billedQuantity: 0,
      reason: expect.stringMatching(/bought 2026-11-25 09:00 UTC, within the 24-hour billing delay/),
    },
  },
  {
    name: 'purchase three hours old with no billing delay',
    lines: [],
    subscriptions: [subscription(boughtThisMorning)],
    clock: { ...clock, delayHours: 0 },
    kind: 'missingCharges',
    finding: { chargeTypes: ['new'] },
  },
  {
    name: "no billing delay: a purchase stamped after Partner Center's clock (whole seconds) is missing too",
    lines: [],
    subscriptions: [subscription({ creationDate: '2026-11-25T12:00:00.4000000Z', effectiveStartDate: '2026-11-25' })],
    clock: { ...clock, delayHours: 0 },
    kind: 'missingCharges',
  },
  {
    name: "purchase three hours old by our clock but a day old by Partner Center's",
    lines: [],
    subscriptions: [subscription(boughtThisMorning)],
    clock: { ...clock, now: '2026-11-26T10:00:00Z' },
    kind: 'missingCharges',
  },
  {
    name: 'purchase within the delay billed only for added seats',
    lines: [charge('addQuantity', 3, { chargeStartDate: '2026-11-25' })],
    subscriptions: [subscription({ ...boughtThisMorning, quantity: 8 })],
    kind: 'unverified',
    finding: { chargeTypes: ['new'], expectedQuantity: 8, billedQuantity: 3 },
  },
  {
    name: 'seat increase two hours old, not billed yet',
    lines: [charge('new', 5)],
    subscriptions: [subscription({ quantity: 8, ...seatsAddedThisMorning })],
    kind: 'unverified',
    finding: {
      expectedQuantity: 8,
      billedQuantity: 5,
      reason: expect.stringContaining('seats changed 2026-11-25 10:00 UTC'),
    },
  },
  {
    name: 'seat increase two days old, never billed',
    lines: [charge('new', 5)],
    subscriptions: [subscription({ quantity: 8, ...seatsAddedTwoDaysAgo })],
    kind: 'quantityMismatches',
    finding: { expectedQuantity: 8, billedQuantity: 5 },
  },
  {
    name: 'billing cycle that started twelve hours ago, not billed yet',
    lines: [],
    subscriptions: [subscription(cycleStartedToday)],
    kind: 'unverified',
    finding: {
      chargeTypes: ['cycleCharge'],
      reason: expect.stringContaining('billing cycle started 2026-11-25 00:00 UTC'),
    },
  },
  {
    name: 'billing cycle that started twelve hours ago, with a 6-hour delay',
    lines: [],
    subscriptions: [subscription(cycleStartedToday)],
    clock: { ...clock, delayHours: 6 },
    kind: 'missingCharges',
  },
  {
    name: 'unbilled purchase in another currency',
    lines: [],
    orders: [order({ currencyCode: 'EUR' })],
    kind: 'nothing',
  },
  {
    name: 'purchase within the billing delay in another currency',
    lines: [],
    subscriptions: [subscription(boughtThisMorning)],
    orders: [order({ currencyCode: 'EUR' })],
    kind: 'nothing',
  },
  {
    name: 'purchase completed just after midnight, term dated the day before',
    lines: [],
    subscriptions: [subscription({ creationDate: '2026-11-01T00:00:02Z', effectiveStartDate: '2026-10-31' })],
    kind: 'missingCharges',
    finding: { chargeTypes: ['new'] },
  },
  {
    name: 'pending subscription not billed yet',
    lines: [],
    subscriptions: [subscription({ status: 'pending' })],
    kind: 'nothing',
  },
  {
    name: 'cancelled subscription with no charge at all',
    lines: [],
    subscriptions: [subscription({ status: 'deleted' })],
    kind: 'nothing',
  },
];

describe('matchCustomer', () => {
  it.each(cases)('$name → $kind', ({ lines, subscriptions, orders, clock: billingClock, kind, finding }) => {
    const match = reconcile(lines, subscriptions, orders, billingClock);
    const findingKinds = ['unexpectedCharges', 'missingCharges', 'quantityMismatches', 'unverified'] as const;
    for (const k of findingKinds) expect(match[k]).toHaveLength(k === kind ? 1 : 0);
    expect(match.matched).toBe(kind === 'matched' ? 1 : 0);
    if (finding !== undefined && kind !== 'matched' && kind !== 'nothing') {
      expect(match[kind][0]).toMatchObject({ customerId, ...finding });
    }
  });

  it('matches subscription ids case-insensitively', () => {
    const match = reconcile([charge('new', 5, { subscriptionId: 'SUB-A' })]);
    expect(match.matched).toBe(1);
  });
});

describe('seatsOf', () => {
  it.each([
    ['new', 5, undefined, 5],
    ['addQuantity', 3, 3, 3],
    ['removeQuantity', 3, -3, -3],
    ['removeQuantity', 3, 3, -3],
    ['cancelImmediate', 5, undefined, -5],
    ['customerCredit', 1, 1, 0],
    ['changeBillingPlan', 5, 5, 0],
  ])('%s quantity %d billable %s → %d seats', (chargeType, quantity, billableQuantity, seats) => {
    expect(seatsOf({ chargeType, quantity, billableQuantity })).toBe(seats);
  });
});

describe('addLine', () => {
  it('totals lines, amounts and seats per charge type and per subscription', () => {
    const tally = createTally();
    [
      charge('new', 5),
      charge('addQuantity', 3),
      charge('new', 1, { subscriptionId: 'sub-b', subtotal: 0.1 }),
      charge('new', 1, { subscriptionId: 'sub-c', subtotal: 0.2 }),
    ].forEach((l) => addLine(tally, l));
    expect(tally.lines).toBe(4);
    expect(tally.amount).toBe(48.3);
    expect(tally.chargeTypes).toEqual({
      new: { lines: 3, quantity: 7, amount: 30.3 },
      addQuantity: { lines: 1, quantity: 3, amount: 18 },
    });
    expect(tally.bySubscription.size).toBe(3);
    const a = tally.bySubscription.get(`${customerId}|sub-a`)!;
    expect(a).toMatchObject({ amount: 48, lines: 2, charges: { new: 5, addQuantity: 3 }, unitPrice: 6 });
    expect(billedSeats(a)).toBe(8);
  });

  it('keeps seat changes net per day and only from the latest seat-billing day on, so a subscription stays small', () => {
    const tally = createTally();
    const lines = [
      charge('addQuantity', 2, { chargeStartDate: '2026-11-03' }),
      charge('new', 5, { chargeStartDate: '2026-11-10' }),
      charge('addQuantity', 2, { chargeStartDate: '2026-11-05' }), // before the term's start: it does not count
      ...Array.from({ length: 40 }, (_, i) =>
        charge(i % 2 === 0 ? 'addQuantity' : 'removeQuantity', i % 2 === 0 ? 1 : -1, { chargeStartDate: '2026-11-12' }),
      ),
      charge('addQuantity', 3, { chargeStartDate: '2026-11-20' }),
    ];
    for (const l of lines) addLine(tally, l);
    const a = tally.bySubscription.get(`${customerId}|sub-a`)!;
    expect(a.changes).toEqual([
      { day: '2026-11-12', seats: 0 },
      { day: '2026-11-20', seats: 3 },
    ]);
    expect(billedSeats(a)).toBe(8);
    expect(a.lines).toBe(lines.length);

    // A later cycle charge restarts the count: changes before it no longer matter.
    addLine(tally, charge('cycleCharge', 8, { chargeStartDate: '2026-11-25' }));
    expect(a.changes).toEqual([]);
    expect(billedSeats(a)).toBe(8);
  });
});

describe('snapshotTally / restoreTally', () => {
  it('a tally taken through JSON and its schema folds the remaining lines to the same report as one never interrupted', () => {
    const lines = [
      charge('new', 5),
      charge('addQuantity', 3, { chargeStartDate: '2026-11-12' }),
      charge('new', 1, { subscriptionId: 'sub-b', subtotal: 0.1 }),
      charge('removeQuantity', -1, { chargeStartDate: '2026-11-13' }),
      charge('new', 2, { subscriptionId: '', orderId: 'order-x', subtotal: 12 }),
      charge('addQuantity', 1, { subscriptionId: 'sub-b', chargeStartDate: '2026-11-14', subtotal: 0.1 }),
    ];
    const whole = createTally();
    for (const l of lines) addLine(whole, l);

    const before = createTally();
    for (const l of lines.slice(0, 3)) addLine(before, l);
    const resumed = restoreTally(BillingTallySnapshotSchema.parse(JSON.parse(JSON.stringify(snapshotTally(before)))));
    for (const l of lines.slice(3)) addLine(resumed, l);

    expect(resumed).toEqual(whole);
    const report = (tally: typeof whole) =>
      buildReport(
        novemberReconcileInput,
        tally,
        [
          matchCustomer(
            customerId,
            [...tally.bySubscription.values()],
            { subscriptions: [subscription()], orders: [order()] },
            novemberReconcileInput,
            clock,
          ),
        ],
        1,
      );
    expect(report(resumed)).toEqual(report(whole));
  });
});

describe('buildReport', () => {
  it('counts every finding, lists the largest amounts first and at most MAX_LISTED_FINDINGS per kind', () => {
    const tally = createTally();
    const unexpected = MAX_LISTED_FINDINGS + 7;
    for (let i = 0; i < unexpected; i += 1)
      addLine(tally, charge('new', 1, { subscriptionId: `stray-${i}`, subtotal: i }));
    const match = matchCustomer(
      customerId,
      [...tally.bySubscription.values()],
      { subscriptions: [], orders: [] },
      novemberReconcileInput,
      clock,
    );
    const report = buildReport(novemberReconcileInput, tally, [match], 1);

    expect(report.totals).toEqual({ unexpectedCharges: unexpected, missingCharges: 0, quantityMismatches: 0 });
    expect(report.unexpectedCharges).toHaveLength(MAX_LISTED_FINDINGS);
    expect(report.unexpectedCharges[0]).toMatchObject({
      subscriptionId: `stray-${unexpected - 1}`,
      billedAmount: unexpected - 1,
    });
    expect(report).toMatchObject({
      period: 'current',
      currency: 'USD',
      periodStart: '2026-11-01',
      periodEnd: '2026-12-01',
      lines: unexpected,
      matched: 0,
      customers: 1,
      subscriptions: unexpected,
    });
    // A capped report stays small whatever the number of findings.
    expect(JSON.stringify(report).length).toBeLessThan(64 * 1024);
  });
});

describe('ReconcileReportSchema', () => {
  it("lists the unverified with their reasons, and reads an older worker's report (no list) as none listed", () => {
    const tally = createTally();
    const match = matchCustomer(
      customerId,
      [],
      { subscriptions: [subscription(boughtThisMorning)], orders: [order()] },
      novemberReconcileInput,
      clock,
    );
    const report = ReconcileReportSchema.parse(buildReport(novemberReconcileInput, tally, [match], 1));
    expect(report.unverified).toBe(1);
    expect(report.unverifiedCharges).toEqual([
      expect.objectContaining({ subscriptionId: 'sub-a', reason: expect.stringContaining('billing delay') }),
    ]);

    const { unverifiedCharges: _listed, ...older } = report;
    expect(ReconcileReportSchema.parse(older).unverifiedCharges).toEqual([]);
  });
});

describe('cycleChargeDue', () => {
  const from = Date.parse('2026-11-01T00:00:00Z');
  const to = Date.parse('2026-12-01T00:00:00Z');
  it.each([
    ['P1Y', 'monthly', '2026-09-15', '2026-11-15'],
    ['P1Y', 'monthly', '2026-11-03', undefined], // the term itself started in November
    ['P1Y', 'annual', '2026-03-01', undefined],
    ['P3Y', 'annual', '2025-11-20', '2026-11-20'],
    ['P3Y', 'annual', '2023-11-20', undefined], // the third year would be the next term
    ['P1M', 'monthly', '2026-10-20', undefined],
    ['P1Y', 'monthly', '2025-11-20', undefined], // renewal month, not a cycle
    ['P1Y', 'none', '2026-09-15', undefined],
  ] as const)('%s billed %s from %s → %s', (termDuration, billingCycle, effectiveStartDate, due) => {
    expect(cycleChargeDue({ termDuration, billingCycle, effectiveStartDate }, from, to)).toBe(due);
  });
});

describe('periodBounds', () => {
  it.each([
    ['current', '2026-11-25T14:00:00Z', '2026-11-01T00:00:00.000Z', '2026-12-01T00:00:00.000Z'],
    ['previous', '2026-11-25T14:00:00Z', '2026-10-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z'],
    ['previous', '2027-01-01T00:00:00Z', '2026-12-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z'],
    ['current', '2026-12-31T23:59:59Z', '2026-12-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z'],
  ] as const)('%s at %s is [%s, %s)', (period, now, periodStart, periodEnd) => {
    expect(periodBounds(period, new Date(now))).toEqual({ periodStart, periodEnd });
  });
});
