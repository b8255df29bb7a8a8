import { ApplicationFailure } from '@temporalio/common';
import type { ChangeFailureType } from './failures';
import { changeFailureTypes } from './failures';
import { invalidRequest, type InvalidField } from '../common/validation';
import type { WorkerSettings } from '../common/settings';
import type {
  ChangeTarget,
  PatchChange,
  Refund,
  SubscriptionChange,
  SubscriptionView,
  TransitionChange,
  TransitionEligibilityRead,
  TransitionEligibilityView,
  TransitionPlan,
} from './types';

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
  const refuse = (type: ChangeFailureType, message: string, details: Record<string, unknown> = {}): ChangeVerdict => ({
    kind: 'refused',
    refusal: { type, message: `Subscription ${view.id}: ${message}`, details: { subscriptionId: view.id, ...details } },
  });
  if (change.action === 'cancel' && view.status === 'deleted') return { kind: 'in-effect' };
  if (change.action === 'suspend' && view.status === 'suspended') return { kind: 'in-effect' };
  if (change.action === 'reactivate') {
    if (view.status === 'active') return { kind: 'in-effect' };
    // The date decides first: once the term is over Partner Center disables a suspended subscription (or it
    // expired), which also tells when Partner Center's clock is ahead of ours.
    if (termEnded(view) || view.status === 'disabled' || view.status === 'expired') {
      return refuse(
        changeFailureTypes.changeRejected,
        `is ${view.status}: its term ended on ${view.commitmentEndDate?.slice(0, 10) ?? '?'}; a suspended subscription can be reactivated only before its term ends`,
        { code: 'TermEnded', commitmentEndDate: view.commitmentEndDate, status: view.status },
      );
    }
    if (view.status !== 'suspended') {
      return refuse(
        changeFailureTypes.changeRejected,
        `is ${view.status}; only a suspended subscription can be reactivated`,
        { code: 'SubscriptionNotSuspended', status: view.status },
      );
    }
    return { kind: 'allowed', target: { status: 'active' } };
  }
  const suspendedCancel = change.action === 'cancel' && view.status === 'suspended';
  if (view.status !== 'active' && !suspendedCancel) {
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
function termEnded(view: SubscriptionView): boolean {
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

// ---- Transitions and trial conversions, checked against the eligibilities read before posting ----

/** One reason a transition is refused: a source-side code (the subscription, the target offer) or a target subscription's. */
export interface TransitionReason {
  side: 'source' | 'target';
  code: number | string;
  description?: string;
}

export type TransitionVerdict =
  | { kind: 'allowed'; plan: TransitionPlan; eligibility: TransitionEligibilityView }
  | { kind: 'refused'; refusal: ChangeRefusal };

/** Trials convert at 25 seats or more (their own seat count, reference §6.10); P1Y monthly by default. */
const DEFAULT_CONVERSION_TERM = 'P1Y';
const DEFAULT_CONVERSION_BILLING = 'monthly';

/**
 * Decides a transition or a trial conversion from the subscription and its eligibilities, read moments ago.
 * Every reason is collected before refusing (`TransitionNotEligible`), so one answer tells the whole story;
 * the seat rules (not more than the subscription has; a trial converts at least its own seats) are `ChangeRejected`.
 */
export function planTransition(
  view: SubscriptionView,
  read: TransitionEligibilityRead,
  change: TransitionChange,
): TransitionVerdict {
  const refuse = (type: ChangeFailureType, message: string, details: Record<string, unknown>): TransitionVerdict => ({
    kind: 'refused',
    refusal: { type, message: `Subscription ${view.id}: ${message}`, details: { subscriptionId: view.id, ...details } },
  });
  const trial = view.isTrial === true;
  if (change.action === 'convertTrial' && !trial) {
    return refuse(
      changeFailureTypes.changeRejected,
      'is not a trial; convertTrial converts trials only (use transition)',
      {
        code: 'NotATrial',
      },
    );
  }
  const quantity = change.quantity ?? view.quantity;
  if (trial && quantity < view.quantity) {
    return refuse(
      changeFailureTypes.changeRejected,
      `a trial converts at least its ${view.quantity} seats (asked ${quantity})`,
      { code: 'TrialMinimumSeats', trialSeats: view.quantity, requested: quantity },
    );
  }
  if (!trial && quantity > view.quantity) {
    return refuse(changeFailureTypes.changeRejected, `has ${view.quantity} seats; cannot move ${quantity}`, {
      code: 'NotEnoughSeats',
      current: view.quantity,
      requested: quantity,
    });
  }
  const eligibility = targetOfTransition(view, read.eligibilities, change);
  const wanted = change.action === 'transition' ? change.toCatalogItemId : (change.toCatalogItemId ?? 'a paid offer');
  if (eligibility === undefined) {
    return refuse(
      changeFailureTypes.transitionNotEligible,
      `cannot transition to ${wanted}: it is not one of its targets`,
      {
        toCatalogItemId: wanted,
        reasons: [{ side: 'source', code: 'NotATarget', description: `${wanted} is not a transition target` }],
        targets: read.eligibilities.map((e) => e.catalogItemId),
      },
    );
  }
  const reasons: TransitionReason[] = [];
  const requestedType = change.action === 'transition' ? change.transitionType : undefined;
  const candidates = eligibility.types.filter((t) => requestedType === undefined || t.transitionType === requestedType);
  // With licence transfer by default: users keep working on the new offer without reassignment.
  const chosen =
    candidates.find((t) => t.isEligible && t.transitionType === 'transition_with_license_transfer') ??
    candidates.find((t) => t.isEligible);
  if (chosen === undefined) {
    if (candidates.length === 0)
      reasons.push({
        side: 'source',
        code: 'TypeNotOffered',
        description: `${requestedType ?? 'no'} transition type offered`,
      });
    for (const t of candidates) for (const e of t.errors) reasons.push({ side: 'source', ...e });
  }
  const toSubscriptionId = change.action === 'transition' ? change.toSubscriptionId : undefined;
  if (toSubscriptionId !== undefined) {
    const into = eligibility.subscriptions.find(
      (s) => s.subscriptionId.toLowerCase() === toSubscriptionId.toLowerCase(),
    );
    if (into === undefined)
      reasons.push({
        side: 'target',
        code: 'NotACandidate',
        description: `${toSubscriptionId} cannot receive these seats`,
      });
    else if (!into.isEligible) for (const e of into.errors) reasons.push({ side: 'target', ...e });
  }
  const unique = reasons.filter(
    (r, i) => reasons.findIndex((o) => o.side === r.side && String(o.code) === String(r.code)) === i,
  );
  if (chosen === undefined || unique.length > 0) {
    return refuse(
      changeFailureTypes.transitionNotEligible,
      `cannot transition to ${eligibility.catalogItemId}${toSubscriptionId !== undefined ? ` into ${toSubscriptionId}` : ''}: ${unique
        .map((r) => `${r.side} ${r.code}${r.description !== undefined ? ` (${r.description})` : ''}`)
        .join('; ')}`,
      { toCatalogItemId: eligibility.catalogItemId, toSubscriptionId, reasons: unique },
    );
  }
  const conversion = change.action === 'convertTrial';
  return {
    kind: 'allowed',
    eligibility,
    plan: {
      toCatalogItemId: eligibility.catalogItemId,
      quantity,
      transitionType:
        chosen.transitionType === 'transition_only' ? 'transition_only' : 'transition_with_license_transfer',
      ...(toSubscriptionId !== undefined ? { toSubscriptionId } : {}),
      ...(conversion
        ? {
            ...(eligibility.termDuration !== undefined ? { termDuration: eligibility.termDuration } : {}),
            billingCycle: change.billingCycle ?? DEFAULT_CONVERSION_BILLING,
          }
        : {}),
    },
  };
}

/** The eligibility of the requested offer; for a conversion without one, the trial's product's paid offer of the term. */
function targetOfTransition(
  view: SubscriptionView,
  eligibilities: readonly TransitionEligibilityView[],
  change: TransitionChange,
): TransitionEligibilityView | undefined {
  const wanted = change.toCatalogItemId?.toUpperCase();
  if (wanted !== undefined) return eligibilities.find((e) => e.catalogItemId.toUpperCase() === wanted);
  const product = `${view.catalogItemId.split(':')[0] ?? ''}:`.toUpperCase();
  const term = change.action === 'convertTrial' ? (change.termDuration ?? DEFAULT_CONVERSION_TERM) : undefined;
  const sameProduct = eligibilities.filter(
    (e) =>
      e.catalogItemId.toUpperCase().startsWith(product) && (e.termDuration === undefined || e.termDuration === term),
  );
  return sameProduct.find((e) => e.types.some((t) => t.isEligible)) ?? sameProduct[0];
}

/** `InvalidChangeRequest`, naming every bad field. */
export function invalidChangeRequest(problems: readonly InvalidField[]) {
  return invalidRequest(changeFailureTypes.invalidRequest, 'change request', problems);
}

/** One line for people: the Temporal UI summary, logs, `pcw change`. */
export function describeChange(change: SubscriptionChange): string {
  switch (change.action) {
    case 'setQuantity':
      return `set quantity to ${change.quantity}`;
    case 'setAutoRenew':
      return `${change.enabled ? 'enable' : 'disable'} auto-renew`;
    case 'rename':
      return `rename to "${change.friendlyName}"`;
    case 'cancel':
      return 'cancel';
    case 'transition':
      return [
        `${change.timing === 'scheduled' ? 'at renewal, ' : ''}transition to ${change.toCatalogItemId}`,
        change.quantity !== undefined ? `${change.quantity} seats` : undefined,
        change.toSubscriptionId !== undefined ? `into ${change.toSubscriptionId}` : undefined,
        change.transitionType,
      ]
        .filter((p) => p !== undefined)
        .join(', ');
    case 'convertTrial':
      return [
        `convert the trial to ${change.toCatalogItemId ?? 'paid'}`,
        change.termDuration !== undefined ? `term ${change.termDuration}` : undefined,
        change.billingCycle !== undefined ? `billed ${change.billingCycle}` : undefined,
        change.quantity !== undefined ? `${change.quantity} seats` : undefined,
      ]
        .filter((p) => p !== undefined)
        .join(', ');
    case 'suspend':
      return 'suspend (still billed while suspended)';
    case 'reactivate':
      return 'reactivate';
    case 'scheduleNextTerm': {
      const parts = [
        change.catalogItemId !== undefined ? `offer ${change.catalogItemId}` : undefined,
        change.termDuration !== undefined ? `term ${change.termDuration}` : undefined,
        change.billingCycle !== undefined ? `billed ${change.billingCycle}` : undefined,
        change.quantity !== undefined ? `${change.quantity} seats` : undefined,
      ].filter((p) => p !== undefined);
      return `at renewal: ${parts.join(', ')}`;
    }
  }
}

/** How long a subscription change waits for a busy subscription or an accepted (202) change. */
export function subscriptionChangeDeadlineMs(settings: WorkerSettings): number {
  return settings.subscriptionChangeDeadlineMs ?? settings.orderVisibilityDeadlineMs;
}
