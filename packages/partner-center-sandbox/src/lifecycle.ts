import { recordCharge } from './billing';
import { CATALOG_PRODUCTS, TERM_MONTHS, unitPrice, type BillingCycle, type TermDuration } from './catalog';
import { DAY_MS, HOUR_MS } from './clock';
import type { Delays, Order, OrderLine, Subscription, SubscriptionUpdate, World } from './state';

/** Subscriptions through their lives: orders completing (and creating subscriptions), accepted PATCHes landing,
 * terms renewing or expiring; settle.ts applies them as time passes. */

export const CANCELLATION_WINDOW_MS = 168 * HOUR_MS;
const FULL_REFUND_WINDOW_MS = 24 * HOUR_MS;

export function completeOrder(world: World, order: Order, delays: Delays): void {
  order.status = 'completed';
  for (const line of order.lines) {
    const s = subscriptionOf(world, order, line, delays);
    world.subscriptions.set(s.id, s);
    line.subscriptionId = s.id;
    recordCharge(world, s, 'new', s.quantity, order.completesAt);
  }
}

/** The subscription an order line creates when its order completes. */
function subscriptionOf(world: World, order: Order, line: OrderLine, delays: Delays): Subscription {
  const [productId, skuId, availabilityId] = line.offerId.split(':');
  const sku = CATALOG_PRODUCTS.find((p) => p.id === productId)?.skus.find((k) => k.id === skuId);
  const isTrial = sku?.isTrial ?? false;
  const termStart = order.createdAt;
  return {
    id: world.random.guid(),
    customerId: order.customerId,
    orderId: order.id,
    productId,
    skuId,
    availabilityId,
    offerName: sku?.title ?? line.offerId,
    friendlyName: line.friendlyName,
    quantity: line.quantity,
    termDuration: line.termDuration,
    billingCycle: line.billingCycle,
    status: 'active',
    autoRenewEnabled: true,
    isTrial,
    createdAt: order.completesAt,
    termStart,
    commitmentEnd: isTrial
      ? trialEndOf(termStart)
      : line.customTermEndDate
        ? Date.parse(line.customTermEndDate.slice(0, 10))
        : termEndOf(termStart, line.termDuration),
    cancellationAllowedUntil: termStart + CANCELLATION_WINDOW_MS,
    refundableBatches: [{ quantity: line.quantity, allowedUntil: termStart + CANCELLATION_WINDOW_MS }],
    promotionId: line.promotionId,
    unitPrice: line.unitPrice,
    currencyCode: order.currencyCode,
    etag: world.random.token(16),
    provisioning: { readyAt: order.completesAt + delays.subscriptionProvisioningMs },
  };
}

/** A trial lasts 30 days: its last day is the 30th, and it converts (or expires) at the start of day 31. */
function trialEndOf(start: number): number {
  const d = new Date(start);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) + (TRIAL_DAYS - 1) * DAY_MS;
}
const TRIAL_DAYS = 30;

/**
 * A completed order of one line, created now, for what is not bought through a cart: the subscription a
 * transition creates, or one seeded through the control API. Answers the new subscription.
 */
export function createOrderedSubscription(
  world: World,
  at: number,
  delays: Delays,
  item: { customerId: string; currencyCode: string; line: Omit<OrderLine, 'lineItemNumber' | 'provisioningContext'> },
): Subscription {
  const order: Order = {
    id: world.random.hex(12),
    customerId: item.customerId,
    cartId: '',
    createdAt: at,
    completesAt: at,
    listVisibleAt: at,
    status: 'pending',
    billingCycle: item.line.billingCycle,
    currencyCode: item.currencyCode,
    lines: [{ ...item.line, lineItemNumber: 0, provisioningContext: {} }],
  };
  world.orders.set(order.id, order);
  completeOrder(world, order, delays);
  return world.subscriptions.get(order.lines[0].subscriptionId ?? '')!;
}

/** Last day (inclusive, midnight UTC) of a term that starts at `start`. */
export function termEndOf(start: number, term: TermDuration): number {
  const d = new Date(start);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + TERM_MONTHS[term], d.getUTCDate()) - DAY_MS;
}

/** Seats that can still be removed now (added within their 168-hour window). */
export function refundableQuantity(s: Subscription, now: number): number {
  return s.refundableBatches.filter((b) => b.allowedUntil >= now).reduce((sum, b) => sum + b.quantity, 0);
}

export function applyUpdate(world: World, s: Subscription, update: SubscriptionUpdate, at: number): void {
  const delta = update.quantity - s.quantity;
  if (update.status === 'deleted' && s.status !== 'deleted') {
    recordCharge(world, s, 'cancelImmediate', -s.quantity, at, refundFraction(s, at));
    s.status = 'deleted';
    s.autoRenewEnabled = false;
    s.refundableBatches = [];
    s.scheduledNextTerm = undefined;
    s.etag = world.random.token(16);
    return;
  }
  if (delta > 0) {
    s.refundableBatches.push({ quantity: delta, allowedUntil: at + CANCELLATION_WINDOW_MS });
    recordCharge(world, s, 'addQuantity', delta, at);
  } else if (delta < 0) {
    removeFromNewestBatches(s, -delta, at);
    recordCharge(world, s, 'removeQuantity', delta, at, refundFraction(s, at));
  }
  s.quantity = update.quantity;
  s.autoRenewEnabled = update.autoRenewEnabled;
  s.friendlyName = update.friendlyName;
  s.status = update.status;
  s.scheduledNextTerm = update.scheduledNextTerm;
  s.etag = world.random.token(16);
}

function removeFromNewestBatches(s: Subscription, seats: number, now: number): void {
  let remaining = seats;
  for (let i = s.refundableBatches.length - 1; i >= 0 && remaining > 0; i -= 1) {
    const batch = s.refundableBatches[i];
    if (batch.allowedUntil < now) continue;
    const taken = Math.min(batch.quantity, remaining);
    batch.quantity -= taken;
    remaining -= taken;
  }
  s.refundableBatches = s.refundableBatches.filter((b) => b.quantity > 0);
}

/** Full refund within 24 hours of the term start, then prorated by the day (billing-basics.md). */
export function refundFraction(s: Subscription, at: number): number {
  if (at - s.termStart <= FULL_REFUND_WINDOW_MS) return 1;
  const termDays = Math.max(1, Math.round((s.commitmentEnd + DAY_MS - s.termStart) / DAY_MS));
  const usedDays = Math.ceil((at - s.termStart) / DAY_MS);
  return Math.max(0, 1 - usedDays / termDays);
}

/** Renewal runs after the term's last day: auto-renew starts a new term (applying scheduled
 * next-term instructions), otherwise the subscription expires; suspended ones become disabled. */
export function renewOrExpire(world: World, s: Subscription, now: number): void {
  if (!Number.isFinite(s.commitmentEnd)) return;
  while (s.status === 'active' || s.status === 'suspended') {
    chargeCycles(world, s, now);
    const nextTermStart = s.commitmentEnd + DAY_MS;
    if (now < nextTermStart) return;
    if (s.status === 'suspended') {
      s.status = 'disabled';
      return;
    }
    if (!s.autoRenewEnabled) {
      s.status = 'expired';
      return;
    }
    const wasTrial = s.isTrial;
    const next = s.scheduledNextTerm;
    if (next) {
      s.productId = next.productId;
      s.skuId = next.skuId;
      s.availabilityId = next.availabilityId;
      s.termDuration = next.termDuration;
      s.billingCycle = next.billingCycle;
      s.quantity = next.quantity;
      s.scheduledNextTerm = undefined;
    } else if (wasTrial) {
      // An NCE trial with auto-renew converts to the paid offer: its seats, one year, billed monthly.
      const paidSku = CATALOG_PRODUCTS.find((p) => p.id === s.productId)?.skus.find((k) => !k.isTrial);
      const country = world.customers.get(s.customerId)?.country ?? 'US';
      const yearly = paidSku
        ? world.catalog.availabilitiesFor(s.productId, paidSku.id, country).find((a) => a.termDuration === 'P1Y')
        : undefined;
      if (paidSku) s.skuId = paidSku.id;
      if (yearly) s.availabilityId = yearly.id;
      s.termDuration = 'P1Y';
      s.billingCycle = 'monthly';
    }
    s.isTrial = false;
    const sku = CATALOG_PRODUCTS.find((p) => p.id === s.productId)?.skus.find((k) => k.id === s.skuId);
    const customer = world.customers.get(s.customerId);
    if (sku && customer) s.unitPrice = unitPrice(sku, customer.country, s.termDuration, s.billingCycle);
    s.termStart = nextTermStart;
    s.commitmentEnd = termEndOf(nextTermStart, s.termDuration);
    s.cancellationAllowedUntil = nextTermStart + CANCELLATION_WINDOW_MS;
    s.refundableBatches = [{ quantity: s.quantity, allowedUntil: nextTermStart + CANCELLATION_WINDOW_MS }];
    s.cyclesBilled = 0;
    s.etag = world.random.token(16);
    recordCharge(world, s, wasTrial ? 'convert' : 'renew', s.quantity, nextTermStart);
  }
}

const BILLING_CYCLE_MONTHS: Partial<Record<BillingCycle, number>> = { monthly: 1, annual: 12, triennial: 36 };

/** A term billed in several cycles (a year billed monthly) is charged again (`cycleCharge`) at each billing anniversary inside it, up to `until`. */
function chargeCycles(world: World, s: Subscription, until: number): void {
  const cycleMonths = BILLING_CYCLE_MONTHS[s.billingCycle];
  if (cycleMonths === undefined) return;
  const start = new Date(s.termStart);
  for (let cycle = (s.cyclesBilled ?? 0) + 1; cycle * cycleMonths < TERM_MONTHS[s.termDuration]; cycle += 1) {
    const due = Date.UTC(
      start.getUTCFullYear(),
      start.getUTCMonth() + cycle * cycleMonths,
      start.getUTCDate(),
      start.getUTCHours(),
      start.getUTCMinutes(),
      start.getUTCSeconds(),
    );
    if (due > until || due > s.commitmentEnd) return;
    recordCharge(world, s, 'cycleCharge', s.quantity, due);
    s.cyclesBilled = cycle;
  }
}
