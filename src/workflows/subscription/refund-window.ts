import type { Refund, SubscriptionChange, SubscriptionView } from './types';

/**
 * The dates and seat batches that decide what a subscription still allows: the cancellation window, the seats
 * removable for a refund, the end of its term. Pure functions of a subscription read at `readAt`.
 */

/**
 * Seats removable now: the refundable batches whose deadline has not passed at `readAt`, or Partner
 * Center's total when it lists no batches. Without refundable-quantity data only a closed cancellation
 * window is conclusive (0); otherwise undefined: Partner Center decides.
 */
export function refundableSeats(view: SubscriptionView): number | undefined {
  const refundable = view.refundableQuantity;
  if (refundable === undefined) return windowPassed(view) ? 0 : undefined;
  if (refundable.details.length === 0) return refundable.totalQuantity;
  const readAt = Date.parse(view.readAt);
  return refundable.details
    .filter((d) => !(Date.parse(d.allowedUntilDateTime) < readAt))
    .reduce((sum, d) => sum + d.quantity, 0);
}

/**
 * Cancellation is allowed within 168 hours of purchase or renewal. Closed when the date has passed, or
 * when no seat is refundable any more: the purchase (or renewal) batch is then past its own 168 hours,
 * which is the cancellation window. The second signal also holds when the server's clock is not ours.
 */
export function cancellationWindowClosed(view: SubscriptionView): boolean {
  return windowPassed(view) || refundableSeats(view) === 0;
}

/** `commitmentEndDate` is the term's last day (inclusive, reference §6.2): the term has ended once that day is over. */
export function termEnded(view: SubscriptionView): boolean {
  const lastDay = view.commitmentEndDate === undefined ? NaN : Date.parse(view.commitmentEndDate.slice(0, 10));
  return Number.isFinite(lastDay) && Date.parse(view.readAt) >= lastDay + DAY_MS;
}
const DAY_MS = 86_400_000;

function windowPassed(view: SubscriptionView): boolean {
  const until = view.cancellationAllowedUntilDate;
  return until !== undefined && Date.parse(until) < Date.parse(view.readAt);
}

/** Refund facts for a seat reduction or a cancellation, from the subscription read before it. */
export function refundOf(before: SubscriptionView, change: SubscriptionChange): Refund | undefined {
  const seatsRemoved =
    change.action === 'cancel'
      ? before.quantity
      : change.action === 'setQuantity'
        ? before.quantity - change.quantity
        : 0;
  if (seatsRemoved <= 0) return undefined;
  return { seatsRemoved, refundableBefore: before.refundableQuantity, refundOptions: before.refundOptions };
}
