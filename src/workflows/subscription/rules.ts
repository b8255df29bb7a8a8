import { ApplicationFailure } from '@temporalio/common';
import type { ChangeFailureType } from './failures';
import { changeFailureTypes } from './failures';
import type { ChangeTarget, Refund, SubscriptionChange, SubscriptionView } from './types';

/**
 * The new-commerce rules `changeSubscription` enforces before calling Partner Center: pure functions of
 * recorded values, shared by the workflow's check and the activity's re-check.
 */

// ---- New-commerce rules, checked before any PATCH ----

export interface ChangeRefusal {
  type: ChangeFailureType;
  message: string;
  details: Record<string, unknown>;
}

/** A refused change as the non-retryable failure the workflow ends with (the same from the workflow's check and the activity's re-check). */
export function refusalFailure(refusal: ChangeRefusal): ApplicationFailure {
  return ApplicationFailure.create({
    type: refusal.type,
    message: refusal.message,
    details: [refusal.details],
    nonRetryable: true,
  });
}

export type ChangeVerdict =
  { kind: 'allowed'; target: ChangeTarget } | { kind: 'in-effect' } | { kind: 'refused'; refusal: ChangeRefusal };

/**
 * Decides, from a subscription read moments ago, whether `change` may be sent:
 * - only active subscriptions change (suspended, deleted, expired… → ChangeRejected);
 * - a cancellation needs the cancellation window open, a seat reduction enough refundable seats
 *   (→ OutsideCancellationWindow);
 * - scheduled next-term changes need auto-renew (→ ChangeRejected: the request is sound, the
 *   subscription's current state refuses it, exactly as Partner Center would), and a different term
 *   needs the catalogItemId of that term's availability (→ InvalidChangeRequest);
 * - a change the subscription already shows is not sent again.
 */
export function checkChange(view: SubscriptionView, change: SubscriptionChange): ChangeVerdict {
  const refuse = (type: ChangeFailureType, message: string, details: Record<string, unknown> = {}): ChangeVerdict => ({
    kind: 'refused',
    refusal: { type, message: `Subscription ${view.id}: ${message}`, details: { subscriptionId: view.id, ...details } },
  });
  if (change.action === 'cancel' && view.status === 'deleted') return { kind: 'in-effect' };
  if (view.status !== 'active') {
    return refuse(changeFailureTypes.changeRejected, `is ${view.status}; only active subscriptions can be changed`, {
      code: 'SubscriptionNotActive',
      status: view.status,
    });
  }
  if (change.action === 'scheduleNextTerm' && change.termDuration !== undefined && change.catalogItemId === undefined) {
    const current = view.scheduledNextTerm?.termDuration ?? view.termDuration;
    if (change.termDuration !== current) {
      return refuse(
        changeFailureTypes.invalidRequest,
        `change.catalogItemId is required to renew into ${change.termDuration} (each term is its own availability; today ${current})`,
        {
          problems: [
            { field: 'change.catalogItemId', problem: `is required when termDuration changes from ${current}` },
          ],
        },
      );
    }
  }
  const target = targetOf(view, change);
  if (isInEffect(view, target)) return { kind: 'in-effect' };

  if (change.action === 'cancel' && cancellationWindowClosed(view)) {
    return refuse(
      changeFailureTypes.outsideCancellationWindow,
      `the cancellation window has closed${view.cancellationAllowedUntilDate !== undefined ? ` (allowed until ${view.cancellationAllowedUntilDate})` : ''}`,
      {
        cancellationAllowedUntilDate: view.cancellationAllowedUntilDate,
      },
    );
  }
  if (change.action === 'setQuantity' && change.quantity < view.quantity) {
    const removable = refundableSeats(view);
    const removing = view.quantity - change.quantity;
    if (removable !== undefined && removing > removable) {
      return refuse(
        changeFailureTypes.outsideCancellationWindow,
        `cannot remove ${removing} seats: only ${removable} were added within the refundable window`,
        {
          requested: change.quantity,
          current: view.quantity,
          refundableQuantity: view.refundableQuantity,
        },
      );
    }
  }
  if (change.action === 'scheduleNextTerm' && !view.autoRenewEnabled) {
    return refuse(
      changeFailureTypes.changeRejected,
      'auto-renew is off; scheduled next-term changes apply only at renewal, so enable auto-renew first',
      { code: 'AutoRenewRequired' },
    );
  }
  return { kind: 'allowed', target };
}

/** What the subscription will show after `change`. Scheduled instructions merge over the ones already scheduled. */
export function targetOf(view: SubscriptionView, change: SubscriptionChange): ChangeTarget {
  switch (change.action) {
    case 'setQuantity':
      return { quantity: change.quantity };
    case 'setAutoRenew':
      return { autoRenewEnabled: change.enabled };
    case 'rename':
      return { friendlyName: change.friendlyName };
    case 'cancel':
      return { status: 'deleted' };
    case 'scheduleNextTerm': {
      const scheduled = view.scheduledNextTerm;
      return {
        scheduledNextTerm: {
          catalogItemId: change.catalogItemId ?? scheduled?.catalogItemId ?? view.catalogItemId,
          termDuration: change.termDuration ?? scheduled?.termDuration ?? view.termDuration,
          billingCycle: change.billingCycle ?? scheduled?.billingCycle ?? view.billingCycle,
          quantity: change.quantity ?? scheduled?.quantity ?? view.quantity,
        },
      };
    }
  }
}

export function isInEffect(view: SubscriptionView, target: ChangeTarget): boolean {
  const same = (a: string | undefined, b: string | undefined) => (a ?? '').toLowerCase() === (b ?? '').toLowerCase();
  const wanted = target.scheduledNextTerm;
  const scheduled = view.scheduledNextTerm;
  return (
    (target.quantity === undefined || view.quantity === target.quantity) &&
    (target.autoRenewEnabled === undefined || view.autoRenewEnabled === target.autoRenewEnabled) &&
    (target.friendlyName === undefined || view.friendlyName === target.friendlyName) &&
    (target.status === undefined || view.status === target.status) &&
    (wanted === undefined ||
      (scheduled !== undefined &&
        same(scheduled.catalogItemId, wanted.catalogItemId) &&
        same(scheduled.termDuration, wanted.termDuration) &&
        same(scheduled.billingCycle, wanted.billingCycle) &&
        scheduled.quantity === wanted.quantity))
  );
}

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
