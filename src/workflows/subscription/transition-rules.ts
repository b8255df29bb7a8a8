import { subscriptionFailureTypes } from './failures';
import { refuse, type Refused } from './refusals';
import type {
  SubscriptionView,
  TransitionChange,
  TransitionEligibilityRead,
  TransitionEligibilityView,
  TransitionPlan,
} from './types';

/** Transitions and trial conversions, checked against the eligibilities read before posting: one rule per check. */

/** One reason a transition is refused: a source-side code (the subscription, the target offer) or a target subscription's. */
export interface TransitionReason {
  side: 'source' | 'target';
  code: number | string;
  description?: string;
}

export type TransitionVerdict =
  { kind: 'allowed'; plan: TransitionPlan; eligibility: TransitionEligibilityView } | Refused;

type TransitionTypeEligibility = TransitionEligibilityView['types'][number];

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
  const quantity = change.quantity ?? view.quantity;
  const refused = refuseConversionOfNonTrial(view, change) ?? refuseSeatCount(view, quantity);
  if (refused !== undefined) return refused;
  const eligibility = targetOfTransition(view, read.eligibilities, change);
  if (eligibility === undefined) return refuseUnlistedTarget(view, read, change);
  const toSubscriptionId = change.action === 'transition' ? change.toSubscriptionId : undefined;
  const { chosen, reasons: typeReasons } = chooseTransitionType(eligibility, change);
  const reasons = uniqueReasons([...typeReasons, ...receivingSubscriptionReasons(eligibility, toSubscriptionId)]);
  if (chosen === undefined || reasons.length > 0) {
    return refuse(
      view,
      subscriptionFailureTypes.transitionNotEligible,
      `cannot transition to ${eligibility.catalogItemId}${toSubscriptionId !== undefined ? ` into ${toSubscriptionId}` : ''}: ${reasons
        .map((r) => `${r.side} ${r.code}${r.description !== undefined ? ` (${r.description})` : ''}`)
        .join('; ')}`,
      { toCatalogItemId: eligibility.catalogItemId, toSubscriptionId, reasons },
    );
  }
  return { kind: 'allowed', eligibility, plan: planOf(eligibility, chosen, quantity, toSubscriptionId, change) };
}

function refuseConversionOfNonTrial(view: SubscriptionView, change: TransitionChange): Refused | undefined {
  if (change.action !== 'convertTrial' || view.isTrial === true) return undefined;
  return refuse(
    view,
    subscriptionFailureTypes.changeRejected,
    'is not a trial; convertTrial converts trials only (use transition)',
    {
      code: 'NotATrial',
    },
  );
}

/** A trial converts at least its own seats; any other subscription moves no more seats than it has. */
function refuseSeatCount(view: SubscriptionView, quantity: number): Refused | undefined {
  const trial = view.isTrial === true;
  if (trial && quantity < view.quantity) {
    return refuse(
      view,
      subscriptionFailureTypes.changeRejected,
      `a trial converts at least its ${view.quantity} seats (asked ${quantity})`,
      { code: 'TrialMinimumSeats', trialSeats: view.quantity, requested: quantity },
    );
  }
  if (!trial && quantity > view.quantity) {
    return refuse(
      view,
      subscriptionFailureTypes.changeRejected,
      `has ${view.quantity} seats; cannot move ${quantity}`,
      {
        code: 'NotEnoughSeats',
        current: view.quantity,
        requested: quantity,
      },
    );
  }
  return undefined;
}

function refuseUnlistedTarget(
  view: SubscriptionView,
  read: TransitionEligibilityRead,
  change: TransitionChange,
): Refused {
  const wanted = change.action === 'transition' ? change.toCatalogItemId : (change.toCatalogItemId ?? 'a paid offer');
  return refuse(
    view,
    subscriptionFailureTypes.transitionNotEligible,
    `cannot transition to ${wanted}: it is not one of its targets`,
    {
      toCatalogItemId: wanted,
      reasons: [{ side: 'source', code: 'NotATarget', description: `${wanted} is not a transition target` }],
      targets: read.eligibilities.map((e) => e.catalogItemId),
    },
  );
}

/** The requested transition type, or the best eligible one; without one, the reasons none is. */
function chooseTransitionType(
  eligibility: TransitionEligibilityView,
  change: TransitionChange,
): { chosen?: TransitionTypeEligibility; reasons: TransitionReason[] } {
  const requestedType = change.action === 'transition' ? change.transitionType : undefined;
  const candidates = eligibility.types.filter((t) => requestedType === undefined || t.transitionType === requestedType);
  // With licence transfer by default: users keep working on the new offer without reassignment.
  const chosen =
    candidates.find((t) => t.isEligible && t.transitionType === 'transition_with_license_transfer') ??
    candidates.find((t) => t.isEligible);
  if (chosen !== undefined) return { chosen, reasons: [] };
  const reasons: TransitionReason[] = [];
  if (candidates.length === 0)
    reasons.push({
      side: 'source',
      code: 'TypeNotOffered',
      description: `${requestedType ?? 'no'} transition type offered`,
    });
  for (const t of candidates) for (const e of t.errors) reasons.push({ side: 'source', ...e });
  return { reasons };
}

/** Why the subscription named to receive the seats cannot (none when no subscription is named). */
function receivingSubscriptionReasons(
  eligibility: TransitionEligibilityView,
  toSubscriptionId: string | undefined,
): TransitionReason[] {
  if (toSubscriptionId === undefined) return [];
  const into = eligibility.subscriptions.find((s) => s.subscriptionId.toLowerCase() === toSubscriptionId.toLowerCase());
  if (into === undefined)
    return [{ side: 'target', code: 'NotACandidate', description: `${toSubscriptionId} cannot receive these seats` }];
  return into.isEligible ? [] : into.errors.map((e) => ({ side: 'target', ...e }));
}

/** Each side's code once, so the refusal reads as one list. */
function uniqueReasons(reasons: readonly TransitionReason[]): TransitionReason[] {
  return reasons.filter(
    (r, i) => reasons.findIndex((o) => o.side === r.side && String(o.code) === String(r.code)) === i,
  );
}

function planOf(
  eligibility: TransitionEligibilityView,
  chosen: TransitionTypeEligibility,
  quantity: number,
  toSubscriptionId: string | undefined,
  change: TransitionChange,
): TransitionPlan {
  return {
    toCatalogItemId: eligibility.catalogItemId,
    quantity,
    transitionType:
      chosen.transitionType === 'transition_only' ? 'transition_only' : 'transition_with_license_transfer',
    ...(toSubscriptionId !== undefined ? { toSubscriptionId } : {}),
    ...(change.action === 'convertTrial'
      ? {
          ...(eligibility.termDuration !== undefined ? { termDuration: eligibility.termDuration } : {}),
          billingCycle: change.billingCycle ?? DEFAULT_CONVERSION_BILLING,
        }
      : {}),
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
