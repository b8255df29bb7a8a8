import { z } from 'zod';
import type { OneTimeInvoiceLineItem, Order, Subscription } from '../../partner-center';
import {
  ReconcileFindingSchema,
  type BillingClock,
  type BilledSubscription,
  type BillingTallySnapshot,
  type ReconcileFinding,
  type ReconcileInput,
  type ReconcileReport,
} from '../../workflows/billing/types';

/**
 * Pure decisions of the reconciliation activity, apart from Temporal and HTTP so they are unit-tested on tables.
 *
 * The seat model: charges that start a term (`new`, `renew`, `convert`) and the recurring `cycleCharge`
 * bill the seats held on their day; `addQuantity` adds seats; `removeQuantity` and `cancelImmediate`
 * credit them (whatever sign Partner Center gives their quantity). The seats billed are those of the
 * latest such charge plus the changes from its day on (earlier changes belong to the term or cycle
 * before); same-day charges of that kind add up, so a duplicate shows. For a subscription whose term
 * started in the period (or that had a cycle charge), that is the seats it should hold now: its quantity,
 * or 0 once cancelled. Other charge types (credits, moves, billing-plan changes) move money, not seats,
 * and only show in the charge-type totals.
 */

/** Findings listed per kind; the report's `totals` count all of them. Keeps a report far below history limits. */
export const MAX_LISTED_FINDINGS = 50;

const TERM_START_CHARGES = new Set(['new', 'renew', 'convert']);
/** Charges that bill the seats held on their day. */
const SEAT_BILLING_CHARGES = new Set([...TERM_START_CHARGES, 'cycleCharge']);
const SEAT_CHARGES = new Set([...SEAT_BILLING_CHARGES, 'addQuantity']);
const SEAT_CREDITS = new Set(['removeQuantity', 'cancelImmediate']);
/** More than a day between creation and term start: the term is a renewal (dates may be midnight-only). */
const RENEWAL_GAP_MS = 2 * 24 * 3_600_000;
/** Billing continues while suspended; cancelled, expired and disabled subscriptions have no more cycles. */
const RECURRING_STATUSES = new Set(['active', 'suspended']);
const MONTHS: Readonly<Record<string, number>> = { P1M: 1, P1Y: 12, P3Y: 36, monthly: 1, annual: 12, triennial: 36 };
/** Not billed yet: no charge is due. */
const UNBILLED_STATUSES = new Set(['pending', 'none']);
const HOUR_MS = 3_600_000;
/** Seats added to a new-commerce subscription can be reduced for 168 hours: a refundable batch's deadline minus that is when it was added. */
const SEAT_REDUCTION_WINDOW_MS = 168 * HOUR_MS;

/** The fields of a charge line a tally folds; null (an export line's absent field) counts as absent. */
export type ChargeLine = { [Field in keyof ChargeLineFields]?: ChargeLineFields[Field] | null };
type ChargeLineFields = Pick<
  OneTimeInvoiceLineItem,
  | 'customerId'
  | 'customerName'
  | 'subscriptionId'
  | 'orderId'
  | 'productName'
  | 'skuName'
  | 'chargeType'
  | 'quantity'
  | 'billableQuantity'
  | 'subtotal'
  | 'effectiveUnitPrice'
  | 'unitPrice'
  | 'chargeStartDate'
>;
export type SubscriptionFacts = Pick<
  Subscription,
  | 'id'
  | 'orderId'
  | 'offerId'
  | 'offerName'
  | 'quantity'
  | 'status'
  | 'creationDate'
  | 'effectiveStartDate'
  | 'termDuration'
  | 'billingCycle'
  | 'refundableQuantity'
>;
export type OrderFacts = Pick<Order, 'id' | 'currencyCode' | 'lineItems'>;
export interface CustomerFacts {
  subscriptions: readonly SubscriptionFacts[];
  orders: readonly OrderFacts[];
}

/** Running totals of a stream of reconciliation lines: memory grows with subscriptions, not lines. */
export interface BillingTally {
  lines: number;
  amount: number;
  chargeTypes: Record<string, { lines: number; quantity: number; amount: number }>;
  bySubscription: Map<string, BilledSubscription>;
}

export function createTally(): BillingTally {
  return { lines: 0, amount: 0, chargeTypes: {}, bySubscription: new Map() };
}

/** The tally as plain data (a checkpoint to resume from); `restoreTally` turns it back. */
export function snapshotTally(tally: BillingTally): BillingTallySnapshot {
  return {
    lines: tally.lines,
    amount: tally.amount,
    chargeTypes: tally.chargeTypes,
    bySubscription: [...tally.bySubscription],
  };
}

export function restoreTally(snapshot: BillingTallySnapshot): BillingTally {
  return {
    lines: snapshot.lines,
    amount: snapshot.amount,
    chargeTypes: snapshot.chargeTypes,
    bySubscription: new Map(snapshot.bySubscription),
  };
}

/** Seats a line adds (+) or credits (−) under the seat model; 0 for money-only charge types. */
export function seatsOf(line: Pick<ChargeLine, 'chargeType' | 'quantity' | 'billableQuantity'>): number {
  const type = line.chargeType ?? '';
  const seats = Math.abs(line.billableQuantity ?? line.quantity ?? 0);
  if (SEAT_CREDITS.has(type)) return -seats;
  return SEAT_CHARGES.has(type) ? seats : 0;
}

export function addLine(tally: BillingTally, line: ChargeLine): void {
  const type = line.chargeType ?? 'unknown';
  const seats = seatsOf(line);
  const amount = line.subtotal ?? 0;
  tally.lines += 1;
  tally.amount = round2(tally.amount + amount);
  const byType = (tally.chargeTypes[type] ??= { lines: 0, quantity: 0, amount: 0 });
  byType.lines += 1;
  byType.quantity += seats;
  byType.amount = round2(byType.amount + amount);

  const customerId = (line.customerId ?? '').toLowerCase();
  const subscriptionId = (line.subscriptionId ?? '').toLowerCase();
  const key = `${customerId}|${subscriptionId || `order:${line.orderId ?? ''}`}`;
  let billed = tally.bySubscription.get(key);
  if (billed === undefined) {
    billed = { customerId, subscriptionId, charges: {}, changes: [], amount: 0, lines: 0 };
    tally.bySubscription.set(key, billed);
  }
  billed.customerName ??= line.customerName ?? undefined;
  billed.orderId ??= line.orderId ?? undefined;
  billed.offer ??= offerName(line);
  billed.charges[type] = (billed.charges[type] ?? 0) + seats;
  const day = (line.chargeStartDate ?? '').slice(0, 10);
  // Changes are kept net per day and only from the latest seat-billing day on (that day only moves
  // later), so a subscription's totals stay small however many lines it has.
  if (SEAT_BILLING_CHARGES.has(type)) {
    if (billed.billedOn === undefined || day > billed.billedOn.day) {
      billed.billedOn = { day, seats };
      billed.changes = billed.changes.filter((c) => c.day >= day);
    } else if (day === billed.billedOn.day) billed.billedOn.seats += seats;
  } else if (seats !== 0 && (billed.billedOn === undefined || day >= billed.billedOn.day)) {
    const sameDay = billed.changes.find((c) => c.day === day);
    if (sameDay !== undefined) sameDay.seats += seats;
    else billed.changes.push({ day, seats });
  }
  billed.amount = round2(billed.amount + amount);
  billed.unitPrice ??= line.effectiveUnitPrice ?? line.unitPrice ?? undefined;
  billed.lines += 1;
}

/** Net seats charged under the seat model: the latest seat-billing charges plus the changes from their day on. */
export function billedSeats(b: Pick<BilledSubscription, 'billedOn' | 'changes'>): number {
  const from = b.billedOn?.day ?? '';
  return (b.billedOn?.seats ?? 0) + b.changes.filter((c) => c.day >= from).reduce((sum, c) => sum + c.seats, 0);
}

function offerName(line: ChargeLine): string | undefined {
  if (line.productName && line.skuName && line.skuName !== line.productName)
    return `${line.productName} (${line.skuName})`;
  return line.skuName ?? line.productName ?? undefined;
}

/**
 * The first billing anniversary inside the subscription's term that falls in [from, to) (epoch ms), as
 * a date: a term billed in several cycles (e.g. one year billed monthly) has a `cycleCharge` due then.
 */
export function cycleChargeDue(
  s: Pick<SubscriptionFacts, 'effectiveStartDate' | 'termDuration' | 'billingCycle'>,
  from: number,
  to: number,
): string | undefined {
  const termMonths = MONTHS[s.termDuration ?? ''];
  const cycleMonths = MONTHS[s.billingCycle ?? ''];
  const termStart = new Date(Date.parse(s.effectiveStartDate ?? ''));
  if (termMonths === undefined || cycleMonths === undefined || Number.isNaN(termStart.getTime())) return undefined;
  for (let cycle = 1; cycle * cycleMonths < termMonths; cycle += 1) {
    const due = Date.UTC(
      termStart.getUTCFullYear(),
      termStart.getUTCMonth() + cycle * cycleMonths,
      termStart.getUTCDate(),
    );
    if (due >= to) return undefined;
    if (due >= from) return new Date(due).toISOString().slice(0, 10);
  }
  return undefined;
}

/** One customer's findings; a schema because a matching checkpoint (activities.ts) carries them across attempts. */
export const CustomerMatchSchema = z.object({
  unexpectedCharges: z.array(ReconcileFindingSchema),
  missingCharges: z.array(ReconcileFindingSchema),
  quantityMismatches: z.array(ReconcileFindingSchema),
  /** Subscriptions that could not be checked, each with why. */
  unverified: z.array(ReconcileFindingSchema),
  matched: z.number().int(),
});
export type CustomerMatch = z.infer<typeof CustomerMatchSchema>;

/**
 * One customer's charges against its subscriptions and orders:
 * - a charge for a subscription the customer does not have, or a term-start charge outside the term's
 *   start → unexpected;
 * - a subscription whose term started in the period (bought or renewed) without its term-start charge, or
 *   whose billing cycle started in the period (up to `asOf`) without its `cycleCharge` → missing (only when
 *   its order is listed in the period's currency, else it counts as unverified);
 * - a comparable net seat count that differs from the subscription's seats → quantity mismatch.
 * Seats are today's: a subscription renewed since the period (reconciling a past month) is unverified,
 * and seat changes made since a past period's cycle charge show as a mismatch.
 * Partner Center bills with a delay: a missing charge or seat difference whose cause (purchase, renewal,
 * billing cycle, seat addition) is younger than `clock.delayHours` on Partner Center's clock is unverified.
 */
export function matchCustomer(
  customerId: string,
  billed: readonly BilledSubscription[],
  facts: CustomerFacts,
  period: Pick<ReconcileInput, 'currency' | 'periodStart' | 'periodEnd' | 'asOf'>,
  clock: BillingClock,
): CustomerMatch {
  const start = Date.parse(period.periodStart);
  const end = Date.parse(period.periodEnd);
  /** Cycle charges are due only for anniversaries already passed. */
  const cycleDue = (s: SubscriptionFacts) =>
    RECURRING_STATUSES.has(s.status) ? cycleChargeDue(s, start, Math.min(end, Date.parse(period.asOf))) : undefined;
  const inPeriod = (date: string | undefined) => {
    const at = date === undefined ? NaN : Date.parse(date);
    return at >= start && at < end;
  };
  const termStartedInPeriod = (s: SubscriptionFacts) => inPeriod(s.effectiveStartDate) || inPeriod(s.creationDate);
  /** Renewed after the period (a past period's reconciliation): today's term and seats say nothing about it. */
  const termMovedOn = (s: SubscriptionFacts) => Date.parse(s.effectiveStartDate ?? '') >= end;
  const subscriptions = new Map(facts.subscriptions.map((s) => [s.id.toLowerCase(), s]));
  const orders = new Map(facts.orders.map((o) => [o.id.toLowerCase(), o]));
  const match: CustomerMatch = {
    unexpectedCharges: [],
    missingCharges: [],
    quantityMismatches: [],
    unverified: [],
    matched: 0,
  };
  const now = Date.parse(clock.now);
  /**
   * Within the billing delay: Partner Center may not have billed it yet. No delay means none at all, also
   * for a change stamped within the second before `now` (an HTTP Date has whole seconds).
   */
  const notBilledYet = (at: string | undefined): at is string =>
    at !== undefined && clock.delayHours > 0 && now - Date.parse(at) < clock.delayHours * HOUR_MS;
  const waiting = (what: string, at: string) =>
    `${what} ${new Date(Date.parse(at)).toISOString().slice(0, 16).replace('T', ' ')} UTC, within the ${clock.delayHours}-hour billing delay: not billed yet`;

  for (const b of billed) {
    const s = subscriptions.get(b.subscriptionId);
    const chargeTypes = Object.keys(b.charges);
    const seats = billedSeats(b);
    const finding = {
      customerId,
      ...(b.customerName !== undefined ? { customerName: b.customerName } : {}),
      chargeTypes,
      billedQuantity: seats,
      billedAmount: b.amount,
    };
    const ids = {
      subscriptionId: s?.id ?? b.subscriptionId,
      ...((b.orderId ?? s?.orderId) ? { orderId: b.orderId ?? s?.orderId } : {}),
    };
    const offer = b.offer ?? s?.offerName ?? s?.offerId;
    const described = { ...finding, ...ids, ...(offer !== undefined ? { offer } : {}) };
    if (s === undefined) {
      const reason =
        b.subscriptionId === ''
          ? 'the charge names no subscription'
          : `the customer has no subscription ${b.subscriptionId}`;
      match.unexpectedCharges.push({ ...described, expectedQuantity: 0, expectedAmount: 0, reason });
      continue;
    }
    const termCharges = chargeTypes.filter((t) => TERM_START_CHARGES.has(t));
    const started = termStartedInPeriod(s);
    const expected = s.status === 'deleted' ? 0 : s.quantity;
    if (termMovedOn(s) && !inPeriod(s.creationDate)) {
      match.unverified.push({
        ...described,
        reason: `renewed ${dateOf(s.effectiveStartDate)}, after the period: today's term and seats say nothing about it`,
      });
      continue;
    }
    if (termCharges.length > 0 && !started) {
      match.unexpectedCharges.push({
        ...described,
        expectedQuantity: 0,
        expectedAmount: 0,
        reason: `${termCharges.join('/')} charge, but the subscription's term started ${dateOf(s.effectiveStartDate ?? s.creationDate)}, outside the period`,
      });
      continue;
    }
    if (termCharges.length === 0 && started) {
      const expectedCharge = expectedTermCharge(s);
      const termStart = termStartedAt(s);
      if (notBilledYet(termStart)) {
        match.unverified.push({
          ...described,
          chargeTypes: [expectedCharge],
          expectedQuantity: expected,
          reason: waiting(termEvent(expectedCharge), termStart),
        });
        continue;
      }
      match.missingCharges.push({
        ...described,
        chargeTypes: [expectedCharge],
        expectedQuantity: expected,
        ...priced(b.unitPrice, expected),
        reason: `no '${expectedCharge}' charge for a term that started ${dateOf(s.effectiveStartDate ?? s.creationDate)} (billed only ${chargeTypes.join(', ')})`,
      });
      continue;
    }
    const cycleStarted = started ? undefined : cycleDue(s);
    if (cycleStarted !== undefined && termCharges.length === 0 && b.charges.cycleCharge === undefined) {
      if (notBilledYet(cycleStarted)) {
        match.unverified.push({
          ...described,
          chargeTypes: ['cycleCharge'],
          expectedQuantity: expected,
          reason: waiting('billing cycle started', cycleStarted),
        });
        continue;
      }
      match.missingCharges.push({
        ...described,
        chargeTypes: ['cycleCharge'],
        expectedQuantity: expected,
        ...priced(b.unitPrice, expected),
        reason: `no 'cycleCharge' for the billing cycle that started on ${cycleStarted} (billed only ${chargeTypes.join(', ')})`,
      });
      continue;
    }
    const comparable = termCharges.length > 0 || b.charges.cycleCharge !== undefined;
    if (comparable && seats !== expected) {
      const changed = latestSeatChange(s);
      if (notBilledYet(changed)) {
        match.unverified.push({
          ...described,
          expectedQuantity: expected,
          reason: `charged for ${seats} seat(s) net, the subscription has ${expected}: ${waiting('seats changed', changed)}`,
        });
        continue;
      }
      match.quantityMismatches.push({
        ...described,
        expectedQuantity: expected,
        ...priced(b.unitPrice, expected),
        reason:
          s.status === 'deleted'
            ? `charged for ${seats} seat(s) net, but the subscription was cancelled (its refund should cancel the charges)`
            : `charged for ${seats} seat(s) net, but the subscription has ${expected}`,
      });
      continue;
    }
    // Not comparable: seat changes only, on a subscription from an earlier period. Nothing contradicts them.
    match.matched += 1;
  }

  const billedIds = new Set(billed.map((b) => b.subscriptionId));
  for (const s of facts.subscriptions) {
    if (billedIds.has(s.id.toLowerCase()) || s.status === 'deleted' || UNBILLED_STATUSES.has(s.status)) continue;
    const started = termStartedInPeriod(s);
    const cycleStarted = started ? undefined : cycleDue(s);
    if (!started && cycleStarted === undefined) continue;
    const termCharge = expectedTermCharge(s);
    const expectedCharge = started ? termCharge : 'cycleCharge';
    const unbilled = {
      customerId,
      subscriptionId: s.id,
      ...(s.orderId !== undefined ? { orderId: s.orderId } : {}),
      ...((s.offerName ?? s.offerId) ? { offer: s.offerName ?? s.offerId } : {}),
      chargeTypes: [expectedCharge],
      expectedQuantity: s.quantity,
      billedQuantity: 0,
      billedAmount: 0,
    };
    const order = s.orderId === undefined ? undefined : orders.get(s.orderId.toLowerCase());
    // Billed in another currency: another reconciliation's concern.
    if (order?.currencyCode !== undefined && order.currencyCode.toUpperCase() !== period.currency) continue;
    const due = started ? termStartedAt(s) : cycleStarted;
    if (notBilledYet(due)) {
      match.unverified.push({
        ...unbilled,
        reason: waiting(started ? termEvent(termCharge) : 'billing cycle started', due),
      });
      continue;
    }
    if (order === undefined) {
      match.unverified.push({
        ...unbilled,
        reason: `its order ${s.orderId ?? '(none named)'} is not listed yet, so its currency is unknown`,
      });
      continue;
    }
    const pricing = order.lineItems.find((l) => l.subscriptionId?.toLowerCase() === s.id.toLowerCase())?.pricing;
    const unitPrice = pricing?.price ?? pricing?.discountedPrice ?? pricing?.listPrice;
    // The order's prices are those of the purchase: a guide for it and its cycles, not for a renewal.
    const expectedAmount =
      expectedCharge === 'new'
        ? (pricing?.extendedPrice ?? priced(unitPrice, s.quantity).expectedAmount)
        : expectedCharge === 'cycleCharge'
          ? priced(unitPrice, s.quantity).expectedAmount
          : undefined;
    match.missingCharges.push({
      ...unbilled,
      ...(expectedAmount !== undefined ? { expectedAmount } : {}),
      reason: started
        ? `no charge at all for a term that started ${dateOf(s.effectiveStartDate ?? s.creationDate)}`
        : `no charge for the billing cycle that started on ${cycleStarted}`,
    });
  }
  return match;
}

/** When the current term's charge became due: the purchase itself (a full timestamp), or a renewal's term start. */
function termStartedAt(s: SubscriptionFacts): string | undefined {
  return expectedTermCharge(s) === 'renew' ? s.effectiveStartDate : (s.creationDate ?? s.effectiveStartDate);
}

function termEvent(charge: 'new' | 'renew'): string {
  return charge === 'new' ? 'bought' : 'renewed';
}

/** When seats were last added: the latest refundable batch's deadline less the 168-hour window; else the term's start. */
function latestSeatChange(s: SubscriptionFacts): string | undefined {
  const added = (s.refundableQuantity?.details ?? [])
    .map((d) => Date.parse(d.allowedUntilDateTime) - SEAT_REDUCTION_WINDOW_MS)
    .filter((at) => !Number.isNaN(at));
  return added.length > 0 ? new Date(Math.max(...added)).toISOString() : termStartedAt(s);
}

/** A term that starts well after the subscription was created is a renewal; otherwise the purchase itself. */
function expectedTermCharge(s: SubscriptionFacts): 'new' | 'renew' {
  const created = Date.parse(s.creationDate ?? '');
  const termStart = Date.parse(s.effectiveStartDate ?? '');
  return termStart - created > RENEWAL_GAP_MS ? 'renew' : 'new';
}

function priced(unitPrice: number | undefined, seats: number): { expectedAmount?: number } {
  return unitPrice === undefined ? {} : { expectedAmount: round2(unitPrice * seats) };
}

function dateOf(timestamp: string | undefined): string {
  return timestamp === undefined ? 'at an unknown date' : `on ${timestamp.slice(0, 10)}`;
}

/** The report: totals of every finding, the largest (by amount at stake) listed up to MAX_LISTED_FINDINGS per kind. */
export function buildReport(
  input: ReconcileInput,
  tally: BillingTally,
  matches: readonly CustomerMatch[],
  customers: number,
): ReconcileReport {
  const all = (kind: 'unexpectedCharges' | 'missingCharges' | 'quantityMismatches' | 'unverified') =>
    matches.flatMap((m) => m[kind]);
  const listed = (findings: ReconcileFinding[]) => [...findings].sort(byAmountAtStake).slice(0, MAX_LISTED_FINDINGS);
  const unexpectedCharges = all('unexpectedCharges');
  const missingCharges = all('missingCharges');
  const quantityMismatches = all('quantityMismatches');
  const unverified = all('unverified');
  return {
    period: input.period,
    currency: input.currency,
    ...(input.customerId !== undefined ? { customerId: input.customerId } : {}),
    periodStart: input.periodStart.slice(0, 10),
    periodEnd: input.periodEnd.slice(0, 10),
    lines: tally.lines,
    matched: matches.reduce((sum, m) => sum + m.matched, 0),
    unexpectedCharges: listed(unexpectedCharges),
    missingCharges: listed(missingCharges),
    quantityMismatches: listed(quantityMismatches),
    unverifiedCharges: listed(unverified),
    totals: {
      unexpectedCharges: unexpectedCharges.length,
      missingCharges: missingCharges.length,
      quantityMismatches: quantityMismatches.length,
    },
    customers,
    subscriptions: tally.bySubscription.size,
    unverified: unverified.length,
    billedAmount: tally.amount,
    chargeTypes: tally.chargeTypes,
  };
}

function amountAtStake(f: ReconcileFinding): number {
  return Math.abs(f.billedAmount - (f.expectedAmount ?? 0));
}

function byAmountAtStake(a: ReconcileFinding, b: ReconcileFinding): number {
  return amountAtStake(b) - amountAtStake(a) || a.subscriptionId.localeCompare(b.subscriptionId);
}

export function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
