import type { OneTimeInvoiceLineItem, Order, Subscription } from '../../partner-center';
import type { BilledSubscription, BillingTallySnapshot } from '../../workflows/billing/types';

/**
 * Pure decisions of the reconciliation activity, apart from Temporal and HTTP so they are unit-tested on tables: the
 * tally and the seat model here, the matching in customer-match.ts, the report in report.ts.
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

export const TERM_START_CHARGES: ReadonlySet<string> = new Set(['new', 'renew', 'convert']);
/** Charges that bill the seats held on their day. */
const SEAT_BILLING_CHARGES = new Set([...TERM_START_CHARGES, 'cycleCharge']);
const SEAT_CHARGES = new Set([...SEAT_BILLING_CHARGES, 'addQuantity']);
const SEAT_CREDITS = new Set(['removeQuantity', 'cancelImmediate']);
const MONTHS: Readonly<Record<string, number>> = { P1M: 1, P1Y: 12, P3Y: 36, monthly: 1, annual: 12, triennial: 36 };

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

export function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
