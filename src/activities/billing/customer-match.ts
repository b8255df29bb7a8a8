import { z } from 'zod';
import {
  ReconcileFindingSchema,
  type BilledSubscription,
  type BillingClock,
  type ReconcileFinding,
  type ReconcileInput,
} from '../../workflows/billing/types';
import {
  billedSeats,
  cycleChargeDue,
  round2,
  TERM_START_CHARGES,
  type CustomerFacts,
  type OrderFacts,
  type SubscriptionFacts,
} from './seat-model';

/** More than a day between creation and term start: the term is a renewal (dates may be midnight-only). */
const RENEWAL_GAP_MS = 2 * 24 * 3_600_000;
/** Billing continues while suspended; cancelled, expired and disabled subscriptions have no more cycles. */
const RECURRING_STATUSES = new Set(['active', 'suspended']);
/** Not billed yet: no charge is due. */
const UNBILLED_STATUSES = new Set(['pending', 'none']);
const HOUR_MS = 3_600_000;
/** Seats added to a new-commerce subscription can be reduced for 168 hours: a refundable batch's deadline minus that is when it was added. */
const SEAT_REDUCTION_WINDOW_MS = 168 * HOUR_MS;

/** One customer's findings; a schema because a matching checkpoint (checkpoints.ts) carries them across attempts. */
export const CustomerMatchSchema = z.object({
  unexpectedCharges: z.array(ReconcileFindingSchema),
  missingCharges: z.array(ReconcileFindingSchema),
  quantityMismatches: z.array(ReconcileFindingSchema),
  /** Subscriptions that could not be checked, each with why. */
  unverified: z.array(ReconcileFindingSchema),
  matched: z.number().int(),
});
export type CustomerMatch = z.infer<typeof CustomerMatchSchema>;

type MatchPeriod = Pick<ReconcileInput, 'currency' | 'periodStart' | 'periodEnd' | 'asOf'>;

/** What matching makes of one subscription: a finding of one kind, or matched. */
type Verdict =
  | { kind: 'unexpectedCharges' | 'missingCharges' | 'quantityMismatches' | 'unverified'; finding: ReconcileFinding }
  | { kind: 'matched' };

/** A billed subscription's finding fields, before what was expected and why. */
type BilledFinding = Omit<ReconcileFinding, 'reason'>;

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
  period: MatchPeriod,
  clock: BillingClock,
): CustomerMatch {
  const reconciled = new ReconciledPeriod(period, clock);
  const subscriptions = new Map(facts.subscriptions.map((s) => [s.id.toLowerCase(), s]));
  const orders = new Map(facts.orders.map((o) => [o.id.toLowerCase(), o]));
  const match: CustomerMatch = {
    unexpectedCharges: [],
    missingCharges: [],
    quantityMismatches: [],
    unverified: [],
    matched: 0,
  };
  const record = (verdict: Verdict) => {
    if (verdict.kind === 'matched') match.matched += 1;
    else match[verdict.kind].push(verdict.finding);
  };
  for (const b of billed) record(judgeBilled(reconciled, customerId, b, subscriptions.get(b.subscriptionId)));

  const billedIds = new Set(billed.map((b) => b.subscriptionId));
  for (const s of facts.subscriptions) {
    if (billedIds.has(s.id.toLowerCase()) || s.status === 'deleted' || UNBILLED_STATUSES.has(s.status)) continue;
    const verdict = judgeUnbilled(reconciled, customerId, s, orders);
    if (verdict !== undefined) record(verdict);
  }
  return match;
}

/** The period reconciled and Partner Center's clock: what a subscription's dates are judged by. */
class ReconciledPeriod {
  readonly currency: string;
  private readonly start: number;
  private readonly end: number;
  private readonly asOf: number;
  private readonly now: number;

  constructor(
    period: MatchPeriod,
    private readonly clock: BillingClock,
  ) {
    this.currency = period.currency;
    this.start = Date.parse(period.periodStart);
    this.end = Date.parse(period.periodEnd);
    this.asOf = Date.parse(period.asOf);
    this.now = Date.parse(clock.now);
  }

  inPeriod(date: string | undefined): boolean {
    const at = date === undefined ? NaN : Date.parse(date);
    return at >= this.start && at < this.end;
  }

  termStartedInPeriod(s: SubscriptionFacts): boolean {
    return this.inPeriod(s.effectiveStartDate) || this.inPeriod(s.creationDate);
  }

  /** Renewed after the period (a past period's reconciliation): today's term and seats say nothing about it. */
  termMovedOn(s: SubscriptionFacts): boolean {
    return Date.parse(s.effectiveStartDate ?? '') >= this.end;
  }

  /** Cycle charges are due only for anniversaries already passed. */
  cycleDue(s: SubscriptionFacts): string | undefined {
    return RECURRING_STATUSES.has(s.status) ? cycleChargeDue(s, this.start, Math.min(this.end, this.asOf)) : undefined;
  }

  /**
   * Within the billing delay: Partner Center may not have billed it yet. No delay means none at all, also
   * for a change stamped within the second before `now` (an HTTP Date has whole seconds).
   */
  notBilledYet(at: string | undefined): at is string {
    return at !== undefined && this.clock.delayHours > 0 && this.now - Date.parse(at) < this.clock.delayHours * HOUR_MS;
  }

  waiting(what: string, at: string): string {
    return `${what} ${new Date(Date.parse(at)).toISOString().slice(0, 16).replace('T', ' ')} UTC, within the ${this.clock.delayHours}-hour billing delay: not billed yet`;
  }
}

/** A billed subscription: unexpected, missing its term or cycle charge, billed for other seats, or matched. */
function judgeBilled(
  reconciled: ReconciledPeriod,
  customerId: string,
  b: BilledSubscription,
  s: SubscriptionFacts | undefined,
): Verdict {
  const chargeTypes = Object.keys(b.charges);
  const seats = billedSeats(b);
  const described = billedFinding(customerId, b, s, chargeTypes, seats);
  if (s === undefined) {
    const reason =
      b.subscriptionId === ''
        ? 'the charge names no subscription'
        : `the customer has no subscription ${b.subscriptionId}`;
    return { kind: 'unexpectedCharges', finding: { ...described, expectedQuantity: 0, expectedAmount: 0, reason } };
  }
  const termCharges = chargeTypes.filter((t) => TERM_START_CHARGES.has(t));
  const started = reconciled.termStartedInPeriod(s);
  const expected = s.status === 'deleted' ? 0 : s.quantity;
  if (reconciled.termMovedOn(s) && !reconciled.inPeriod(s.creationDate)) {
    const reason = `renewed ${dateOf(s.effectiveStartDate)}, after the period: today's term and seats say nothing about it`;
    return { kind: 'unverified', finding: { ...described, reason } };
  }
  if (termCharges.length > 0 && !started) {
    const reason = `${termCharges.join('/')} charge, but the subscription's term started ${dateOf(s.effectiveStartDate ?? s.creationDate)}, outside the period`;
    return { kind: 'unexpectedCharges', finding: { ...described, expectedQuantity: 0, expectedAmount: 0, reason } };
  }
  if (termCharges.length === 0 && started) return missingTermCharge(reconciled, described, b, s, expected);
  const cycleStarted = started ? undefined : reconciled.cycleDue(s);
  if (cycleStarted !== undefined && termCharges.length === 0 && b.charges.cycleCharge === undefined) {
    return missingCycleCharge(reconciled, described, b, cycleStarted, expected);
  }
  const comparable = termCharges.length > 0 || b.charges.cycleCharge !== undefined;
  if (comparable && seats !== expected) return seatMismatch(reconciled, described, b, s, expected);
  // Not comparable: seat changes only, on a subscription from an earlier period. Nothing contradicts them.
  return { kind: 'matched' };
}

/** The finding fields of a billed subscription: who, what, which ids, and what was billed. */
function billedFinding(
  customerId: string,
  b: BilledSubscription,
  s: SubscriptionFacts | undefined,
  chargeTypes: string[],
  seats: number,
): BilledFinding {
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
  return { ...finding, ...ids, ...(offer !== undefined ? { offer } : {}) };
}

/** A term that started in the period without its term-start charge: missing, or not billed yet. */
function missingTermCharge(
  reconciled: ReconciledPeriod,
  described: BilledFinding,
  b: BilledSubscription,
  s: SubscriptionFacts,
  expected: number,
): Verdict {
  const expectedCharge = expectedTermCharge(s);
  const termStart = termStartedAt(s);
  if (reconciled.notBilledYet(termStart)) {
    return {
      kind: 'unverified',
      finding: {
        ...described,
        chargeTypes: [expectedCharge],
        expectedQuantity: expected,
        reason: reconciled.waiting(termEvent(expectedCharge), termStart),
      },
    };
  }
  return {
    kind: 'missingCharges',
    finding: {
      ...described,
      chargeTypes: [expectedCharge],
      expectedQuantity: expected,
      ...priced(b.unitPrice, expected),
      reason: `no '${expectedCharge}' charge for a term that started ${dateOf(s.effectiveStartDate ?? s.creationDate)} (billed only ${described.chargeTypes.join(', ')})`,
    },
  };
}

/** A billing cycle that started in the period without its `cycleCharge`: missing, or not billed yet. */
function missingCycleCharge(
  reconciled: ReconciledPeriod,
  described: BilledFinding,
  b: BilledSubscription,
  cycleStarted: string,
  expected: number,
): Verdict {
  if (reconciled.notBilledYet(cycleStarted)) {
    return {
      kind: 'unverified',
      finding: {
        ...described,
        chargeTypes: ['cycleCharge'],
        expectedQuantity: expected,
        reason: reconciled.waiting('billing cycle started', cycleStarted),
      },
    };
  }
  return {
    kind: 'missingCharges',
    finding: {
      ...described,
      chargeTypes: ['cycleCharge'],
      expectedQuantity: expected,
      ...priced(b.unitPrice, expected),
      reason: `no 'cycleCharge' for the billing cycle that started on ${cycleStarted} (billed only ${described.chargeTypes.join(', ')})`,
    },
  };
}

/** Net seats charged that differ from the subscription's: a mismatch, or seats changed too recently to be billed. */
function seatMismatch(
  reconciled: ReconciledPeriod,
  described: BilledFinding,
  b: BilledSubscription,
  s: SubscriptionFacts,
  expected: number,
): Verdict {
  const seats = described.billedQuantity;
  const changed = latestSeatChange(s);
  if (reconciled.notBilledYet(changed)) {
    return {
      kind: 'unverified',
      finding: {
        ...described,
        expectedQuantity: expected,
        reason: `charged for ${seats} seat(s) net, the subscription has ${expected}: ${reconciled.waiting('seats changed', changed)}`,
      },
    };
  }
  return {
    kind: 'quantityMismatches',
    finding: {
      ...described,
      expectedQuantity: expected,
      ...priced(b.unitPrice, expected),
      reason:
        s.status === 'deleted'
          ? `charged for ${seats} seat(s) net, but the subscription was cancelled (its refund should cancel the charges)`
          : `charged for ${seats} seat(s) net, but the subscription has ${expected}`,
    },
  };
}

/**
 * A subscription without a charge whose term or billing cycle started in the period: missing (priced from its
 * order), or unverified while within the billing delay or while its order is not listed; none for a subscription
 * with nothing due, or billed in another currency (another reconciliation's concern).
 */
function judgeUnbilled(
  reconciled: ReconciledPeriod,
  customerId: string,
  s: SubscriptionFacts,
  orders: ReadonlyMap<string, OrderFacts>,
): Verdict | undefined {
  const started = reconciled.termStartedInPeriod(s);
  const cycleStarted = started ? undefined : reconciled.cycleDue(s);
  if (!started && cycleStarted === undefined) return undefined;
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
  if (order?.currencyCode !== undefined && order.currencyCode.toUpperCase() !== reconciled.currency) return undefined;
  const due = started ? termStartedAt(s) : cycleStarted;
  if (reconciled.notBilledYet(due)) {
    const reason = reconciled.waiting(started ? termEvent(termCharge) : 'billing cycle started', due);
    return { kind: 'unverified', finding: { ...unbilled, reason } };
  }
  if (order === undefined) {
    const reason = `its order ${s.orderId ?? '(none named)'} is not listed yet, so its currency is unknown`;
    return { kind: 'unverified', finding: { ...unbilled, reason } };
  }
  const expectedAmount = orderedAmount(order, s, expectedCharge);
  return {
    kind: 'missingCharges',
    finding: {
      ...unbilled,
      ...(expectedAmount !== undefined ? { expectedAmount } : {}),
      reason: started
        ? `no charge at all for a term that started ${dateOf(s.effectiveStartDate ?? s.creationDate)}`
        : `no charge for the billing cycle that started on ${cycleStarted}`,
    },
  };
}

/** The order's prices are those of the purchase: a guide for it and its cycles, not for a renewal. */
function orderedAmount(order: OrderFacts, s: SubscriptionFacts, expectedCharge: string): number | undefined {
  const pricing = order.lineItems.find((l) => l.subscriptionId?.toLowerCase() === s.id.toLowerCase())?.pricing;
  const unitPrice = pricing?.price ?? pricing?.discountedPrice ?? pricing?.listPrice;
  if (expectedCharge === 'new') return pricing?.extendedPrice ?? priced(unitPrice, s.quantity).expectedAmount;
  return expectedCharge === 'cycleCharge' ? priced(unitPrice, s.quantity).expectedAmount : undefined;
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
