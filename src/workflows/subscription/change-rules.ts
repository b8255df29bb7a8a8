import { subscriptionFailureTypes } from './failures';
import { refuse, type Refused } from './refusals';
import { cancellationWindowClosed, refundableSeats, termEnded } from './refund-window';
import type { ChangeTarget, PatchChange, SubscriptionView } from './types';

/**
 * The new-commerce rules checked before any PATCH: one small rule per condition, applied in the order
 * `checkChange` lists them.
 */

export type ChangeVerdict = { kind: 'allowed'; target: ChangeTarget } | { kind: 'in-effect' } | Refused;

/**
 * Decides, from a subscription read moments ago, whether `change` may be sent:
 * - only active subscriptions change (suspended, deleted, expired… → ChangeRejected), except that a
 *   suspended one may be cancelled (inside the window) or reactivated (before its term ends);
 * - a cancellation needs the cancellation window open, a seat reduction enough refundable seats
 *   (→ OutsideCancellationWindow);
 * - scheduled next-term changes need auto-renew (→ ChangeRejected: the request is sound, the
 *   subscription's current state refuses it, exactly as Partner Center would), and a different term
 *   needs the catalogItemId of that term's availability (→ InvalidChangeRequest);
 * - a change the subscription already shows is not sent again.
 */
export function checkChange(view: SubscriptionView, change: PatchChange): ChangeVerdict {
  if (change.action === 'reactivate') return checkReactivation(view);
  if (statusAlreadyReached(view, change)) return { kind: 'in-effect' };
  const refused = refuseUnlessActive(view, change) ?? refuseNewTermWithoutItsOffer(view, change);
  if (refused !== undefined) return refused;
  const target = targetOf(view, change);
  if (isInEffect(view, target)) return { kind: 'in-effect' };
  return refuseByActionRule(view, change) ?? { kind: 'allowed', target };
}

/** A cancel of a deleted subscription, a suspend of a suspended one: nothing to send. */
function statusAlreadyReached(view: SubscriptionView, change: PatchChange): boolean {
  return (
    (change.action === 'cancel' && view.status === 'deleted') ||
    (change.action === 'suspend' && view.status === 'suspended')
  );
}

/** Only a suspended subscription is reactivated, and only before its term ends; an active one already is. */
function checkReactivation(view: SubscriptionView): ChangeVerdict {
  if (view.status === 'active') return { kind: 'in-effect' };
  // The date decides first: once the term is over Partner Center disables a suspended subscription (or it
  // expired), which also tells when Partner Center's clock is ahead of ours.
  if (termEnded(view) || view.status === 'disabled' || view.status === 'expired') {
    return refuse(
      view,
      subscriptionFailureTypes.changeRejected,
      `is ${view.status}: its term ended on ${view.commitmentEndDate?.slice(0, 10) ?? '?'}; a suspended subscription can be reactivated only before its term ends`,
      { code: 'TermEnded', commitmentEndDate: view.commitmentEndDate, status: view.status },
    );
  }
  if (view.status !== 'suspended') {
    return refuse(
      view,
      subscriptionFailureTypes.changeRejected,
      `is ${view.status}; only a suspended subscription can be reactivated`,
      { code: 'SubscriptionNotSuspended', status: view.status },
    );
  }
  return { kind: 'allowed', target: { status: 'active' } };
}

/** Only active subscriptions change; a suspended one may still be cancelled. */
function refuseUnlessActive(view: SubscriptionView, change: PatchChange): Refused | undefined {
  const suspendedCancel = change.action === 'cancel' && view.status === 'suspended';
  if (view.status === 'active' || suspendedCancel) return undefined;
  return refuse(
    view,
    subscriptionFailureTypes.changeRejected,
    `is ${view.status}; only active subscriptions can be changed`,
    {
      code: 'SubscriptionNotActive',
      status: view.status,
    },
  );
}

/** Each term is its own availability: renewing into another term needs that availability's catalogItemId. */
function refuseNewTermWithoutItsOffer(view: SubscriptionView, change: PatchChange): Refused | undefined {
  if (change.action !== 'scheduleNextTerm' || change.termDuration === undefined) return undefined;
  if (change.catalogItemId !== undefined) return undefined;
  const current = view.scheduledNextTerm?.termDuration ?? view.termDuration;
  if (change.termDuration === current) return undefined;
  return refuse(
    view,
    subscriptionFailureTypes.invalidRequest,
    `change.catalogItemId is required to renew into ${change.termDuration} (each term is its own availability; today ${current})`,
    {
      problems: [{ field: 'change.catalogItemId', problem: `is required when termDuration changes from ${current}` }],
    },
  );
}

/** What the subscription's state must allow for a change not yet in effect, per action. */
function refuseByActionRule(view: SubscriptionView, change: PatchChange): Refused | undefined {
  switch (change.action) {
    case 'cancel':
      return refuseClosedCancellationWindow(view);
    case 'setQuantity':
      return refuseUnrefundableSeats(view, change.quantity);
    case 'scheduleNextTerm':
      return refuseWithoutAutoRenew(view);
    default:
      return undefined;
  }
}

function refuseClosedCancellationWindow(view: SubscriptionView): Refused | undefined {
  if (!cancellationWindowClosed(view)) return undefined;
  return refuse(
    view,
    subscriptionFailureTypes.outsideCancellationWindow,
    `the cancellation window has closed${view.cancellationAllowedUntilDate !== undefined ? ` (allowed until ${view.cancellationAllowedUntilDate})` : ''}`,
    { cancellationAllowedUntilDate: view.cancellationAllowedUntilDate },
  );
}

/** A seat reduction removes no more seats than were added within the refundable window. */
function refuseUnrefundableSeats(view: SubscriptionView, quantity: number): Refused | undefined {
  if (quantity >= view.quantity) return undefined;
  const removable = refundableSeats(view);
  const removing = view.quantity - quantity;
  if (removable === undefined || removing <= removable) return undefined;
  return refuse(
    view,
    subscriptionFailureTypes.outsideCancellationWindow,
    `cannot remove ${removing} seats: only ${removable} were added within the refundable window`,
    { requested: quantity, current: view.quantity, refundableQuantity: view.refundableQuantity },
  );
}

function refuseWithoutAutoRenew(view: SubscriptionView): Refused | undefined {
  if (view.autoRenewEnabled) return undefined;
  return refuse(
    view,
    subscriptionFailureTypes.changeRejected,
    'auto-renew is off; scheduled next-term changes apply only at renewal, so enable auto-renew first',
    { code: 'AutoRenewRequired' },
  );
}

/** What the subscription will show after `change`. Scheduled instructions merge over the ones already scheduled. */
export function targetOf(view: SubscriptionView, change: PatchChange): ChangeTarget {
  switch (change.action) {
    case 'suspend':
      return { status: 'suspended' };
    case 'reactivate':
      return { status: 'active' };
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
