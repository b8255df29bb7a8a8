import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  ActivityFailure,
  ChildWorkflowFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  executeChild,
  log,
  patched,
  proxyActivities,
  setHandler,
  setWorkflowOptions,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { SubscriptionActivities } from '../../activities';
import { getWorkerSettings, partnerCenterCall, recordedValidation } from '../common/activity-options';
import { emitEvent, eventsDelivered, type WebhookEventType } from '../common/events';
import { taskPriority } from '../common/priority';
import type { WorkerSettings } from '../common/settings';
import { invalidRequest } from '../common/validation';
import { lifecycleFailureTypes } from './failures';
import { planChangeRequestId, subscriptionChangeWorkflowId } from './ids';
import { endOfSaleAtReview, endOfSaleOf } from './lifecycle-end-of-sale';
import { LifecycleMessages } from './lifecycle-messages';
import { LifecycleProgress } from './lifecycle-progress';
import { readLicences } from './lifecycle-usage';
import { lifecycleStateQuery } from './messages';
import {
  isEnded,
  leadTimeMs,
  leadTimeProblem,
  planIsScheduled,
  planNextTerm,
  reviewAt,
  reviewKind,
  termEndsAt,
  usageRetryDelayMs,
} from './lifecycle-rules';
import type {
  CarriedState,
  LicenceUsage,
  LifecycleInput,
  LifecycleState,
  RenewalReview,
  ValidLifecycleInput,
} from './lifecycle-types';
import type { SubscriptionView } from './types';
import type { changeSubscription } from './workflow';

/**
 * Reads: transient failures retried with backoff until they succeed. Behind buying under the one budget, also for
 * runs started before lifecycles were started with that priority.
 */
const reads = proxyActivities<SubscriptionActivities>({ ...partnerCenterCall, priority: taskPriority('background') });
/** Runs started before a caller's lead time over the term was refused reviewed at once instead. */
const LEAD_TIME_PATCH = 'lifecycle-refuses-lead-time-over-term';

/** Runs started before adoption handed over the subscription as listed read it first, whatever their input. */
const LISTED_PATCH = 'lifecycle-starts-from-listed-subscription';

/** A run continues as new at its next quiet moment past this many history events (or when the server suggests it). */
const HISTORY_BOUND = 2_000;

/**
 * Contract §3: one long-lived run per subscription. Reviews its renewal at `commitmentEndDate − leadTime`, plans the
 * next term's seats from the licences assigned in the customer's tenant, proposes or applies that plan as a scheduled
 * next-term change, applies it again when an immediate change deleted it, and starts over (continue-as-new) for each
 * term. Ends with its last state once the subscription is cancelled, expired or deleted.
 */
export async function subscriptionLifecycle(input: LifecycleInput): Promise<LifecycleState> {
  // Answers at once, before the input is validated (the run's own state replaces it then).
  setHandler(lifecycleStateQuery, () => startingState(input));
  const validation = await recordedValidation.normaliseLifecycleInput(input);
  if (!validation.ok) throw invalidRequest(lifecycleFailureTypes.invalidInput, 'lifecycle input', validation.problems);
  return new LifecycleRun(validation.request, await getWorkerSettings()).run();
}

/**
 * Contract §3h: under Worker Deployment Versioning a lifecycle, unlike the runs that end within hours (PINNED by the
 * worker's default), follows the deployment's current version: its next workflow task after a new version becomes
 * current runs there, replaying this run's history, so changes to this workflow still need patched(). Only a run
 * whose first task ran on a versioned worker says so: the server refuses a behaviour from an unversioned worker (whose
 * version has a build id but no deployment name).
 */
setWorkflowOptions(
  () => ({ versioningBehavior: workflowInfo().currentDeploymentVersion?.deploymentName ? 'AUTO_UPGRADE' : undefined }),
  subscriptionLifecycle,
);

function startingState({ customerId, subscriptionId }: LifecycleInput): LifecycleState {
  const policy = { review: 'propose', headroom: 0, includeMonthly: false } as const;
  const updatedAt = new Date().toISOString();
  return { customerId, subscriptionId, policy, step: 'reading', reviews: [], updatedAt };
}

/** One term (or part of one) of a subscription's life: its state, its messages and one method per step. */
class LifecycleRun {
  private readonly progress: LifecycleProgress;
  private readonly messages: LifecycleMessages;

  constructor(
    private readonly input: ValidLifecycleInput,
    private readonly settings: WorkerSettings,
  ) {
    this.progress = new LifecycleProgress(input, input.policy);
    this.messages = new LifecycleMessages(this.progress, settings);
  }

  private get state(): LifecycleState {
    return this.progress.state;
  }

  async run(): Promise<LifecycleState> {
    await this.readFirst();
    this.refuseLeadTimeOverTerm();
    for (;;) {
      const view = this.state.subscription;
      if (view === undefined || isEnded(view)) return this.end();
      const ends = termEndsAt(view);
      if (ends !== undefined && Date.now() >= ends) await this.renew(ends);
      else if (this.messages.changedSources.length > 0) await this.onChanged();
      else if (this.progress.plan?.status === 'approved') await this.apply();
      else if (this.reviewDue(view)) await this.review(view, ends ?? Date.now());
      else if (this.historyIsLong()) await this.continueAsNew(this.carried(true));
      else await this.idle(view, ends);
    }
  }

  // ---- Steps ----

  /** The subscription as adoption listed it when the input carries it (read moments ago), else read now. */
  private async readFirst(): Promise<void> {
    const { listed } = this.input;
    if (listed !== undefined && patched(LISTED_PATCH)) this.progress.setSubscription({ ...listed, refundOptions: [] });
    else await this.read();
  }

  private async read(): Promise<void> {
    const { customerId, subscriptionId } = this.input;
    const read = await reads.readSubscriptionForLifecycle.executeWithOptions(
      { summary: `Read subscription ${subscriptionId}` },
      [{ customerId, subscriptionId }],
    );
    this.progress.setSubscription(read.subscription);
  }

  /**
   * A lead time the caller gave that is longer than the subscription's term would review before the term starts:
   * refused at start, naming the field, before anything is reviewed or changed (setPolicy refuses it the same way). A
   * run continued as new keeps the policy it was handed: its caller was answered when the policy was set.
   */
  private refuseLeadTimeOverTerm(): void {
    const { policy, carried } = this.input;
    if (carried !== undefined || policy.leadTime === undefined) return;
    const tooLong = leadTimeProblem(policy, this.state.subscription, this.settings);
    if (tooLong !== undefined && patched(LEAD_TIME_PATCH))
      throw invalidRequest(lifecycleFailureTypes.invalidPolicy, 'renewal policy', [tooLong]);
  }

  /** Waits until the review, the term's end or a message, whichever comes first. */
  private async idle(view: SubscriptionView, ends: number | undefined): Promise<void> {
    const review = this.pendingReviewAt(view);
    this.progress.setNextReview(review);
    const plan = this.progress.plan;
    const waiting = plan?.status === 'proposed' || plan?.status === 'lost';
    this.progress.setStep(
      waiting ? 'awaiting-renewal-approval' : review !== undefined ? 'awaiting-review' : 'awaiting-renewal',
    );
    const next = Math.min(review ?? Infinity, ends ?? Infinity);
    this.messages.woken = false;
    const woken = () => this.messages.woken;
    if (Number.isFinite(next)) await condition(woken, Math.max(1, next - Date.now()));
    else await condition(woken);
  }

  /** When this term's review runs; undefined when it is done or the subscription is not reviewed. */
  private pendingReviewAt(view: SubscriptionView): number | undefined {
    if (reviewKind(view, this.state.policy) === 'none') return undefined;
    if (!this.messages.reviewAgain && this.state.reviews.some((r) => r.renewsAt === this.state.renewsAt)) {
      return undefined;
    }
    return reviewAt(view, leadTimeMs(this.state.policy, this.settings));
  }

  private reviewDue(view: SubscriptionView): boolean {
    const at = this.pendingReviewAt(view);
    return at !== undefined && Date.now() >= at;
  }

  /** Auto-renew off: the `expiring` event. Else the licences, then a plan when it lowers the quantity. */
  private async review(view: SubscriptionView, ends: number): Promise<void> {
    this.messages.reviewAgain = false;
    this.progress.setNextReview(undefined);
    this.progress.setStep('reviewing');
    const renewsAt = this.state.renewsAt ?? new Date(ends).toISOString();
    const endOfSale = await endOfSaleAtReview(this.input.customerId, view);
    this.progress.setEndOfSale(endOfSale.endOfSale);
    const found = { reviewedAt: new Date().toISOString(), renewsAt, currentQuantity: view.quantity, ...endOfSale };
    if (reviewKind(view, this.state.policy) === 'expiring') {
      const expiring = { expiresAt: renewsAt, quantity: view.quantity, ...endOfSaleOf(endOfSale) };
      this.emit('subscription.expiring', expiring, renewsAt);
      this.progress.addReview({
        ...found,
        outcome: 'expiring',
        note: 'auto-renew is off: it expires when its term ends',
      });
      return;
    }
    const usage = await this.readUsage(view, ends);
    if (usage === undefined) {
      const note = `the term ended before the licences could be read (${this.state.lastError ?? 'unknown'})`;
      this.progress.addReview({ ...found, outcome: 'usage-unavailable', note });
      return;
    }
    this.progress.setUsage(usage);
    const planned = planNextTerm(view, usage, this.state.policy, ends);
    const measured = { ...found, assigned: usage.assigned };
    if (planned === undefined) {
      this.progress.setPlan(undefined);
      const note = `${usage.assigned} of ${usage.total} seats of the SKU assigned: nothing to cut`;
      this.progress.addReview({ ...measured, outcome: 'nothing-to-cut', note });
      return;
    }
    this.propose(view, usage, measured, planned);
  }

  private propose(
    view: SubscriptionView,
    usage: LicenceUsage,
    measured: Omit<RenewalReview, 'outcome' | 'note'>,
    planned: { quantity: number; reason: string },
  ): void {
    const apply = this.state.policy.review === 'apply';
    const earlier = this.progress.plan?.renewsAt === measured.renewsAt ? this.progress.plan.attempts : 0;
    this.progress.setPlan({
      ...planned,
      currentQuantity: view.quantity,
      assigned: usage.assigned,
      renewsAt: measured.renewsAt,
      status: apply ? 'approved' : 'proposed',
      attempts: earlier,
    });
    const reviewsThisTerm = this.state.reviews.filter((r) => r.renewsAt === measured.renewsAt).length;
    this.progress.addReview({
      ...measured,
      outcome: apply ? 'plan-applied' : 'plan-proposed',
      plannedQuantity: planned.quantity,
      note: planned.reason,
    });
    if (apply) return;
    this.progress.setStep('awaiting-renewal-approval');
    const again = reviewsThisTerm === 0 ? undefined : reviewsThisTerm + 1;
    const review = { plan: this.progress.plan, usage, ...endOfSaleOf(measured) };
    this.emit('subscription.renewal-review', review, measured.renewsAt, again);
  }

  /** The licences, retried on the run's own clock (the poll interval, growing) until the term ends; state says why. */
  private async readUsage(view: SubscriptionView, ends: number): Promise<LicenceUsage | undefined> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        const usage = await readLicences(this.input, view);
        this.progress.noteError(undefined);
        return usage;
      } catch (err) {
        if (!(err instanceof ActivityFailure)) throw err;
        this.progress.noteError(`usage unavailable: ${err.cause?.message ?? err.message}`);
        const wait = usageRetryDelayMs(attempt, this.settings);
        if (Date.now() + wait >= ends) return undefined;
        await sleep(wait);
        // Days of retries: the next run starts the review over (it is not recorded yet).
        if (this.historyIsLong()) await this.continueAsNew(this.carried(true));
      }
    }
  }

  /**
   * The plan as a scheduled next-term change, by a child changeSubscription run whose id names the subscription, the
   * term and the attempt: a replayed or restarted run finds its own child instead of sending the change twice.
   */
  private async apply(): Promise<void> {
    const plan = this.progress.plan;
    if (plan === undefined) return;
    const attempt = plan.attempts + 1;
    this.progress.updatePlan({ attempts: attempt });
    this.progress.setStep('applying');
    const { customerId, subscriptionId } = this.input;
    const requestId = planChangeRequestId(subscriptionId, plan.renewsAt, attempt);
    try {
      const result = await executeChild<typeof changeSubscription>('changeSubscription', {
        workflowId: subscriptionChangeWorkflowId(requestId),
        args: [
          { requestId, customerId, subscriptionId, change: { action: 'scheduleNextTerm', quantity: plan.quantity } },
        ],
        priority: taskPriority('background', customerId),
        staticSummary: `Renewal plan of ${subscriptionId}: ${plan.quantity} seats next term (was ${plan.currentQuantity})`,
      });
      this.progress.setSubscription(result.after);
      this.progress.updatePlan({ status: 'applied' });
      this.progress.noteError(undefined);
      this.emit('subscription.renewal-planned', { plan: this.progress.plan }, plan.renewsAt, attempt);
    } catch (err) {
      // Failed, or a run of that id still open (started by an earlier run of this lifecycle that was terminated).
      if (!(err instanceof ChildWorkflowFailure || err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      // The plan waits for an operator: approving it again tries once more.
      this.progress.noteError(`plan not applied: ${err.cause?.message ?? err.message}`);
      this.progress.updatePlan({ status: 'proposed' });
    }
  }

  /** After any change: re-read; a plan it had applied that vanished is applied again (apply) or proposed again. */
  private async onChanged(): Promise<void> {
    const sources = this.messages.changedSources.splice(0);
    log.info('subscription changed', { sources });
    await this.read();
    const plan = this.progress.plan;
    const view = this.state.subscription;
    if (plan?.status !== 'applied' || view === undefined || isEnded(view)) return;
    if (plan.renewsAt !== this.state.renewsAt || planIsScheduled(view, plan)) return;
    this.emit('subscription.scheduled-change-lost', { plan, sources }, plan.renewsAt, plan.attempts);
    const reapply = this.state.policy.review === 'apply' && view.autoRenewEnabled;
    this.progress.updatePlan({ status: reapply ? 'approved' : 'lost' });
    if (!view.autoRenewEnabled) this.progress.noteError('auto-renew is off: the lost scheduled change cannot apply');
  }

  /** After the term's end: read until the renewed term shows (then start over) or the subscription ended. */
  private async renew(ends: number): Promise<void> {
    this.progress.setNextReview(undefined);
    this.progress.setStep('renewing');
    for (let attempt = 1; ; attempt += 1) {
      await this.read();
      const view = this.state.subscription;
      if (view === undefined || isEnded(view)) return;
      const next = termEndsAt(view);
      if (next !== undefined && next > ends) return this.continueAsNew(this.carried(false));
      await sleep(usageRetryDelayMs(attempt, this.settings));
      if (this.historyIsLong()) await this.continueAsNew(this.carried(true));
    }
  }

  private async end(): Promise<LifecycleState> {
    this.progress.setNextReview(undefined);
    this.progress.setStep('ended');
    await eventsDelivered();
    await condition(allHandlersFinished);
    return this.progress.snapshot();
  }

  // ---- Continue-as-new ----

  private historyIsLong(): boolean {
    const info = workflowInfo();
    return info.continueAsNewSuggested || info.historyLength > HISTORY_BOUND;
  }

  /** The reviews always; the plan and usage only within the same term. */
  private carried(sameTerm: boolean): CarriedState {
    const { reviews, plan, usage } = this.state;
    return { reviews, ...(sameTerm && plan !== undefined ? { plan } : {}), ...(sameTerm && usage ? { usage } : {}) };
  }

  private async continueAsNew(carried: CarriedState): Promise<never> {
    await eventsDelivered();
    await condition(allHandlersFinished);
    const { customerId, subscriptionId } = this.input;
    return continueAsNew<typeof subscriptionLifecycle>({
      customerId,
      subscriptionId,
      policy: this.state.policy,
      carried,
    });
  }

  /** An event of this term: its id ends with the term's end date (and `n` when the term emits the type again). */
  private emit(type: WebhookEventType, data: Record<string, unknown>, renewsAt: string, n?: number): void {
    const { customerId, subscriptionId } = this.input;
    const key = `${renewsAt.slice(0, 10)}${n === undefined ? '' : `-${n}`}`;
    emitEvent(type, { customerId, subscriptionId, ...data }, key);
  }
}
