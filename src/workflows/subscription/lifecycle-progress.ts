import { log, setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import { detailLines } from '../common/details';
import { PcCustomerId, PcRenewalDate, PcStep, PcSubscriptionIds, PcUnusedSeats } from '../common/search-attributes';
import { describeLifecycle, termEndsAt, unusedSeats, withReview } from './lifecycle-rules';
import type {
  EndOfSale,
  LicenceUsage,
  LifecycleState,
  LifecycleStep,
  RenewalPlan,
  RenewalReview,
  ValidLifecycleInput,
  ValidRenewalPolicy,
} from './lifecycle-types';
import type { SubscriptionView } from './types';

/**
 * Where a lifecycle stands, as its `state` query answers; every fact is also set where operators look for it (search
 * attributes, the Temporal UI's current details, the log). Search attributes are upserted only when they change, so
 * a long-lived run's history does not grow with every re-read.
 */
export class LifecycleProgress {
  readonly state: LifecycleState;

  constructor(input: ValidLifecycleInput, policy: ValidRenewalPolicy) {
    const { customerId, subscriptionId, carried } = input;
    this.state = {
      customerId,
      subscriptionId,
      policy,
      step: 'reading',
      reviews: carried?.reviews ?? [],
      ...(carried?.plan !== undefined ? { plan: carried.plan } : {}),
      ...(carried?.usage !== undefined ? { usage: carried.usage } : {}),
      updatedAt: new Date().toISOString(),
    };
    upsertSearchAttributes([
      { key: PcCustomerId, value: customerId },
      { key: PcSubscriptionIds, value: [subscriptionId] },
      { key: PcStep, value: this.state.step },
      ...(carried?.usage !== undefined ? [{ key: PcUnusedSeats, value: unusedSeats(carried.usage) }] : []),
    ]);
  }

  snapshot(): LifecycleState {
    return structuredCloneOf(this.state);
  }

  get plan(): RenewalPlan | undefined {
    return this.state.plan;
  }

  setSubscription(view: SubscriptionView | undefined): void {
    if (view === undefined) delete this.state.subscription;
    else this.state.subscription = view;
    const ends = view === undefined ? undefined : termEndsAt(view);
    const renewsAt = ends === undefined ? undefined : new Date(ends).toISOString();
    if (renewsAt !== this.state.renewsAt && ends !== undefined) {
      upsertSearchAttributes([{ key: PcRenewalDate, value: new Date(ends) }]);
    }
    if (renewsAt === undefined) delete this.state.renewsAt;
    else this.state.renewsAt = renewsAt;
    this.touch();
  }

  setPolicy(policy: ValidRenewalPolicy): void {
    this.state.policy = policy;
    this.touch();
  }

  setNextReview(at: number | undefined): void {
    if (at === undefined) delete this.state.nextReviewAt;
    else this.state.nextReviewAt = new Date(at).toISOString();
    this.touch();
  }

  setUsage(usage: LicenceUsage): void {
    const before = this.state.usage === undefined ? undefined : unusedSeats(this.state.usage);
    this.state.usage = usage;
    const unused = unusedSeats(usage);
    if (unused !== before) upsertSearchAttributes([{ key: PcUnusedSeats, value: unused }]);
    this.touch();
  }

  setPlan(plan: RenewalPlan | undefined): void {
    if (plan === undefined) delete this.state.plan;
    else this.state.plan = plan;
    this.touch();
  }

  updatePlan(changes: Partial<RenewalPlan>): void {
    if (this.state.plan !== undefined) this.setPlan({ ...this.state.plan, ...changes });
  }

  /** The offer's end of sale as this term's review found it (none: not on the list, or unknown). */
  setEndOfSale(endOfSale: EndOfSale | undefined): void {
    if (endOfSale === undefined) delete this.state.endOfSale;
    else this.state.endOfSale = endOfSale;
    this.touch();
  }

  addReview(review: RenewalReview): void {
    this.state.reviews = withReview(this.state.reviews, review);
    this.touch();
  }

  noteError(message: string | undefined): void {
    if (message === this.state.lastError) return;
    if (message === undefined) delete this.state.lastError;
    else this.state.lastError = message;
    this.touch();
  }

  setStep(step: LifecycleStep): void {
    if (step !== this.state.step) {
      upsertSearchAttributes([{ key: PcStep, value: step }]);
      log.info('lifecycle step', { step, subscriptionId: this.state.subscriptionId });
    }
    this.state.step = step;
    this.touch();
  }

  private touch(): void {
    this.state.updatedAt = new Date().toISOString();
    setCurrentDetails(
      [
        describeLifecycle(this.state),
        detailLines([
          ['Step', this.state.step],
          ['Next review', this.state.nextReviewAt?.slice(0, 16).replace('T', ' ')],
          ['Plan', this.state.plan?.reason],
          ['Last error', this.state.lastError],
        ]),
      ].join('\n\n'),
    );
  }
}

/** A deep copy (JSON values only), so a query's answer never aliases the run's state. */
function structuredCloneOf<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
