import type { InvalidField } from '../common/validation';
import type { WorkerSettings } from '../common/settings';
import { parseLeadTime } from './lead-time';
import { REVIEWS_KEPT } from './lifecycle-bounds';
import type {
  LicenceUsage,
  LifecycleState,
  RenewalPlan,
  RenewalReview,
  SkuSibling,
  ValidRenewalPolicy,
} from './lifecycle-types';
import type { SubscriptionView } from './types';

/**
 * The renewal rules of `subscriptionLifecycle`: pure functions of recorded values (a subscription read, a usage read,
 * the policy, the worker settings), unit-tested on tables (test/unit/subscription/lifecycle-rules.test.ts).
 */

const DAY_MS = 86_400_000;
/** RENEWAL_REVIEW_LEAD's default, for settings recorded before it existed. */
export const DEFAULT_RENEWAL_REVIEW_LEAD_MS = 14 * DAY_MS;

/** Statuses after which the subscription never renews again: its lifecycle ends. */
const ENDED_STATUSES: ReadonlySet<string> = new Set(['deleted', 'expired', 'cancelled']);
/** Terms reviewed by default: only their anniversaries matter (a monthly term simply rolls over). */
const ANNIVERSARY_TERMS: ReadonlySet<string> = new Set(['P1Y', 'P3Y']);

export function isEnded(view: SubscriptionView): boolean {
  return ENDED_STATUSES.has(view.status.toLowerCase());
}

/** `commitmentEndDate` is the term's last day (inclusive): the next term starts the day after. */
export function termEndsAt(view: SubscriptionView): number | undefined {
  const lastDay = view.commitmentEndDate === undefined ? NaN : Date.parse(view.commitmentEndDate);
  return Number.isFinite(lastDay) ? lastDay + DAY_MS : undefined;
}

/** The policy's lead time, else RENEWAL_REVIEW_LEAD. */
export function leadTimeMs(policy: ValidRenewalPolicy, settings: Pick<WorkerSettings, 'renewalReviewLeadMs'>): number {
  const own = policy.leadTime === undefined ? undefined : parseLeadTime(policy.leadTime);
  return own ?? settings.renewalReviewLeadMs ?? DEFAULT_RENEWAL_REVIEW_LEAD_MS;
}

/** The review runs at `commitmentEndDate − leadTime`; undefined without a term end. */
export function reviewAt(view: SubscriptionView, leadMs: number): number | undefined {
  const lastDay = view.commitmentEndDate === undefined ? NaN : Date.parse(view.commitmentEndDate);
  return Number.isFinite(lastDay) ? lastDay - leadMs : undefined;
}

/**
 * What the term's review does: `review` a subscription that renews (auto-renew on) on an annual or triennial term
 * (any term with includeMonthly), `expiring` when auto-renew is off, `none` with review 'off', for trials and other
 * terms, and without a term end.
 */
export function reviewKind(view: SubscriptionView, policy: ValidRenewalPolicy): 'review' | 'expiring' | 'none' {
  if (policy.review === 'off' || view.isTrial === true || termEndsAt(view) === undefined) return 'none';
  if (!policy.includeMonthly && !ANNIVERSARY_TERMS.has(view.termDuration.toUpperCase())) return 'none';
  return view.autoRenewEnabled ? 'review' : 'expiring';
}

/** A term's length in milliseconds (`P1M` 28 days, its shortest; `P1Y` 365; `P3Y` 1095); undefined when unknown. */
export function termLengthMs(termDuration: string): number | undefined {
  const match = /^P(\d+)([MY])$/i.exec(termDuration);
  if (!match) return undefined;
  return Number(match[1]) * (match[2].toUpperCase() === 'Y' ? 365 : 28) * DAY_MS;
}

/** A lead time longer than the subscription's term would review before the term starts: refused, naming the field. */
export function leadTimeProblem(
  policy: ValidRenewalPolicy,
  view: Pick<SubscriptionView, 'termDuration'> | undefined,
  settings: Pick<WorkerSettings, 'renewalReviewLeadMs'>,
): InvalidField | undefined {
  const term = view === undefined ? undefined : termLengthMs(view.termDuration);
  const lead = leadTimeMs(policy, settings);
  if (term === undefined || lead <= term) return undefined;
  return {
    field: 'leadTime',
    problem: `must not be longer than the subscription's term ${view?.termDuration} (got ${policy.leadTime ?? `RENEWAL_REVIEW_LEAD, ${Math.round(lead / DAY_MS)} days`})`,
  };
}

/** Another subscription of the SKU as Partner Center shows it: its seats, when it renews, what its next term keeps. */
export function siblingOf(view: SubscriptionView): SkuSibling {
  const ends = termEndsAt(view);
  return {
    subscriptionId: view.id,
    seats: view.quantity,
    ...(ends !== undefined ? { renewsAt: new Date(ends).toISOString() } : {}),
    nextTermSeats: view.autoRenewEnabled ? (view.scheduledNextTerm?.quantity ?? view.quantity) : 0,
    nextTermSettled: !view.autoRenewEnabled || view.scheduledNextTerm !== undefined,
  };
}

/** Seats another subscription of the SKU carries when ours renews: its next term's when it renews first. */
function siblingSeatsAt(sibling: SkuSibling, renewsAt: number): number {
  const renewsFirst = sibling.renewsAt !== undefined && Date.parse(sibling.renewsAt) <= renewsAt;
  return renewsFirst && sibling.nextTermSeats !== undefined ? sibling.nextTermSeats : sibling.seats;
}

/**
 * Whether `sibling` takes the SKU's reduction before ours: it renews earlier, or at the same time with a smaller id
 * (a fixed order, so two reviews running at once never both cut), and its next term is not decided yet.
 */
function cutsFirst(sibling: SkuSibling, renewsAt: number, subscriptionId: string): boolean {
  if (sibling.renewsAt === undefined || sibling.nextTermSettled === true) return false;
  const theirs = Date.parse(sibling.renewsAt);
  return (
    theirs < renewsAt || (theirs === renewsAt && sibling.subscriptionId.toLowerCase() < subscriptionId.toLowerCase())
  );
}

/**
 * The next term's quantity: the seats assigned (of the whole licence SKU) plus the headroom, less what the SKU's
 * other subscriptions will carry then, and never below minSeats, the catalog SKU's minimum or 1. Undefined when that does not lower the
 * quantity (nothing to cut), and while another subscription of the SKU that renews first may still cut: the reduction
 * lands on one subscription at a time, so reviews running at once never cut the same seats twice.
 */
export function planNextTerm(
  view: SubscriptionView,
  usage: LicenceUsage,
  policy: ValidRenewalPolicy,
  renewsAt: number,
): Pick<RenewalPlan, 'quantity' | 'reason'> | undefined {
  if (usage.siblings.some((s) => cutsFirst(s, renewsAt, view.id))) return undefined;
  const others = usage.siblings.reduce((sum, s) => sum + siblingSeatsAt(s, renewsAt), 0);
  const needed = usage.assigned + policy.headroom - others;
  const floors: Array<[number, string]> = [
    [needed, describeNeed(usage, policy.headroom, others)],
    [policy.minSeats ?? 0, `minSeats ${policy.minSeats}`],
    [usage.skuMinimumQuantity ?? 0, `the SKU's minimum ${usage.skuMinimumQuantity}`],
    [1, 'at least 1 seat'],
  ];
  const [quantity, reason] = floors.reduce((best, floor) => (floor[0] > best[0] ? floor : best));
  if (quantity >= view.quantity) return undefined;
  return { quantity, reason: reason === floors[0][1] ? reason : `${floors[0][1]}; raised to ${reason}` };
}

function describeNeed(usage: LicenceUsage, headroom: number, others: number): string {
  const parts = [`${usage.assigned} assigned`];
  if (headroom > 0) parts.push(`+ ${headroom} headroom`);
  if (others > 0) {
    const n = usage.siblings.length;
    parts.push(`- ${others} on ${n} other subscription${n === 1 ? '' : 's'} of the SKU`);
  }
  return parts.join(' ');
}

/** Whether the subscription shows the plan as its scheduled next term. */
export function planIsScheduled(view: SubscriptionView, plan: RenewalPlan): boolean {
  return view.scheduledNextTerm?.quantity === plan.quantity;
}

/** Seats of the SKU nobody is assigned: PcUnusedSeats. */
export function unusedSeats(usage: LicenceUsage): number {
  return Math.max(0, usage.total - usage.assigned);
}

/** The reviews with `review` added, the last REVIEWS_KEPT kept. */
export function withReview(reviews: readonly RenewalReview[], review: RenewalReview): RenewalReview[] {
  return [...reviews, review].slice(-REVIEWS_KEPT);
}

/** How long to wait before the `attempt`-th retry of a failed usage read: the poll interval, growing 4× to its maximum. */
export function usageRetryDelayMs(attempt: number, settings: WorkerSettings): number {
  const max = settings.orderPollMaxIntervalMs ?? settings.orderPollIntervalMs;
  return Math.min(max, settings.orderPollIntervalMs * 4 ** Math.max(0, attempt - 1));
}

const PLAN_PHRASES: Record<RenewalPlan['status'], string> = {
  proposed: 'awaiting approval',
  approved: 'approved, being scheduled',
  applied: 'scheduled',
  rejected: 'rejected',
  lost: 'its scheduled change was lost, awaiting approval',
};

/** One sentence for the Temporal UI: `renews 2027-03-01 · 10 seats, 6 assigned · plan: 6 next term, awaiting approval`. */
export function describeLifecycle(state: LifecycleState): string {
  const view = state.subscription;
  if (view === undefined) return state.step === 'ended' ? 'ended: Partner Center no longer knows it' : 'not read yet';
  const ends = termEndsAt(view);
  const when = isEnded(view)
    ? `${view.status}`
    : ends === undefined
      ? 'no term end'
      : `${view.autoRenewEnabled ? 'renews' : 'expires'} ${new Date(ends).toISOString().slice(0, 10)}`;
  const seats = `${view.quantity} seats${state.usage !== undefined ? `, ${state.usage.assigned} assigned` : ''}`;
  const endOfSale = state.endOfSale && `end of sale ${state.endOfSale.date.slice(0, 10)}`;
  return [when, seats, planPhrase(state), endOfSale].filter((part) => part !== undefined).join(' · ');
}

function planPhrase(state: LifecycleState): string | undefined {
  const { plan } = state;
  if (plan !== undefined) return `plan: ${plan.quantity} next term, ${PLAN_PHRASES[plan.status]}`;
  const last = state.reviews.at(-1);
  if (last?.outcome === 'nothing-to-cut' && last.renewsAt === state.renewsAt) return 'reviewed: nothing to cut';
  return undefined;
}
