import {
  log,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { SubscriptionActivities } from '../../activities';
import { runFailure } from '../common/run-failure';
import {
  getWorkerSettings,
  partnerCenterCall,
  partnerCenterCallUntilDeadline,
  poller,
  recordedValidation,
  validationIsRecorded,
} from '../common/activity-options';
import { subscriptionChangeStatusQuery } from './messages';
import type {
  ApplyChangeOutcome,
  SubscriptionChangeStatus,
  ChangeStep,
  ChangeTarget,
  PatchChange,
  Refund,
  SubscriptionChangeRequest,
  SubscriptionChangeResult,
  SubscriptionView,
  TransitionChange,
  TransitionEligibilityView,
  TransitionPlan,
  ValidChangeRequest,
} from './types';
import { describeSubscriptionChange, invalidChangeRequest, subscriptionChangeDeadlineMs } from './rules';
import { checkChange } from './change-rules';
import { planTransition } from './transition-rules';
import { refundOf } from './refund-window';
import { refusalFailure } from './refusals';
import { detailLines } from '../common/details';
import { subscriptionRunFailures } from './failures';
import type { WorkerSettings } from '../common/settings';
import { PcCustomerId, PcStep, PcSubscriptionIds } from '../common/search-attributes';
import { withWebhookEvents } from '../common/events';
import { subscriptionSchemas } from '../common/schemas';
import { noticeLifecycle } from './lifecycle-notice';

/** Marks the histories of transitions and trial conversions (patched ids are unique across the project). */
const TRANSITIONS_PATCH = 'subscription-transitions';

/** Reads: transient failures retried with backoff until they succeed. */
const reads = proxyActivities<SubscriptionActivities>(partnerCenterCall);

/** The PATCH: a busy subscription (409/800082) is retried with backoff, but only until SUBSCRIPTION_CHANGE_DEADLINE. */
function changing(settings: WorkerSettings) {
  return proxyActivities<SubscriptionActivities>(
    partnerCenterCallUntilDeadline(subscriptionChangeDeadlineMs(settings)),
  );
}

/** After a 202 the subscription is polled until the change shows, as long as SUBSCRIPTION_CHANGE_DEADLINE. */
function polling(settings: WorkerSettings) {
  return proxyActivities<SubscriptionActivities>(poller(settings, subscriptionChangeDeadlineMs(settings)));
}

/**
 * Contract §3: change one new-commerce subscription — quantity, auto-renew, friendly name, cancellation,
 * scheduled next-term instructions, suspension and reactivation — after checking the new-commerce rules
 * against a fresh read, sending the full resource with its etag, and following a 202 until the change shows;
 * or move it to another offer (transition, trial conversion) after checking its eligibilities.
 */
export async function changeSubscription(input: SubscriptionChangeRequest): Promise<SubscriptionChangeResult> {
  const run = async () => {
    const result = await new ChangeRun().run(input);
    await noticeLifecycle(result.subscriptionId);
    return result;
  };
  return withWebhookEvents(run, {
    succeeded: () => 'subscription-change.completed',
    failed: 'subscription-change.failed',
  });
}

/** One subscription change: its state, its status query and one method per step. */
class ChangeRun {
  private readonly status: SubscriptionChangeStatus = { step: 'validating', updatedAt: new Date().toISOString() };
  private summary?: string;

  constructor() {
    setHandler(subscriptionChangeStatusQuery, () => ({ ...this.status }));
  }

  async run(input: SubscriptionChangeRequest): Promise<SubscriptionChangeResult> {
    try {
      const request = await this.validate(input);
      const settings = await getWorkerSettings();
      const before = await this.read(request);
      const { change } = request;
      const finish = (
        completion: SubscriptionChangeResult['completion'],
        after: SubscriptionView,
        extra: Pick<SubscriptionChangeResult, 'refund' | 'transition'> = {},
      ): SubscriptionChangeResult => {
        this.setStep('completed');
        const { requestId, customerId, subscriptionId } = request;
        return { requestId, customerId, subscriptionId, change, completion, before, after, ...extra };
      };
      if (change.action === 'transition' || change.action === 'convertTrial') {
        return await this.transition(request, change, before, settings, finish);
      }
      const { completion, after, refund } = await this.patch(request, change, before, settings);
      return finish(completion, after, refund !== undefined ? { refund } : {});
    } catch (err) {
      const failure = runFailure(err, subscriptionRunFailures);
      this.status.lastError = failure.message;
      this.setStep('failed');
      throw failure;
    }
  }

  /** A change sent as a PATCH of the subscription: rules checked on the read, sent, a 202 followed. */
  private async patch(
    request: ValidChangeRequest,
    change: PatchChange,
    before: SubscriptionView,
    settings: WorkerSettings,
  ): Promise<{ completion: SubscriptionChangeResult['completion']; after: SubscriptionView; refund?: Refund }> {
    const verdict = checkChange(before, change);
    if (verdict.kind === 'refused') throw refusalFailure(verdict.refusal);
    // Nothing to refund when the subscription already showed the change before we did anything.
    if (verdict.kind === 'in-effect') return { completion: 'already-in-effect', after: before };
    const refund = refundOf(before, change);
    const applied = await this.apply(request, change, settings);
    const after =
      applied.completion === 'accepted'
        ? await this.awaitAccepted(request, applied.target, settings)
        : applied.subscription;
    return { completion: applied.completion, after, ...(refund !== undefined ? { refund } : {}) };
  }

  /**
   * An upgrade or a trial conversion: eligibilities read and checked (every reason named), then either a
   * scheduled transition (next-term instructions, a PATCH) or a posted transition followed until its
   * events complete; `after` is the source subscription, `transition.target` the one that got the seats.
   */
  private async transition(
    request: ValidChangeRequest,
    change: TransitionChange,
    before: SubscriptionView,
    settings: WorkerSettings,
    finish: (
      completion: SubscriptionChangeResult['completion'],
      after: SubscriptionView,
      extra?: Pick<SubscriptionChangeResult, 'refund' | 'transition'>,
    ) => SubscriptionChangeResult,
  ): Promise<SubscriptionChangeResult> {
    // Marks the histories of this path (no recorded history reaches it: the actions are new).
    patched(TRANSITIONS_PATCH);
    const { customerId, subscriptionId } = request;
    const scheduled = change.action === 'transition' && change.timing === 'scheduled';
    this.setStep('checking-eligibility');
    const eligibility = await reads.readTransitionEligibility.executeWithOptions(
      { summary: `Read the ${scheduled ? 'scheduled' : 'immediate'} transition eligibilities of ${subscriptionId}` },
      [{ customerId, subscriptionId, eligibilityType: scheduled ? 'scheduled' : 'immediate' }],
    );
    const verdict = planTransition(before, eligibility, change);
    if (verdict.kind === 'refused') throw refusalFailure(verdict.refusal);
    const { plan } = verdict;
    if (scheduled) {
      const { completion, after } = await this.patch(
        request,
        scheduledTransition(plan, verdict.eligibility),
        before,
        settings,
      );
      return finish(completion, after);
    }
    this.setStep('updating');
    const started = await changing(settings).startTransition.executeWithOptions(
      { summary: `Post the transition of ${plan.quantity} seats to ${plan.toCatalogItemId} (${plan.transitionType})` },
      [{ customerId, subscriptionId, plan, existingTransitionIds: eligibility.existingTransitionIds }],
    );
    this.setStep('awaiting-change');
    const done = await polling(settings).awaitTransition.executeWithOptions(
      { summary: `Wait until the transition of ${subscriptionId} to ${plan.toCatalogItemId} completes` },
      [
        {
          customerId,
          subscriptionId,
          plan,
          existingTransitionIds: eligibility.existingTransitionIds,
          ...(started.transitionId !== undefined ? { transitionId: started.transitionId } : {}),
        },
      ],
    );
    if (done.outcome.target !== undefined) {
      upsertSearchAttributes([{ key: PcSubscriptionIds, value: [subscriptionId, done.outcome.target.id] }]);
    }
    return finish('accepted', done.source, { transition: done.outcome });
  }

  // ---- Steps ----

  private async validate(input: SubscriptionChangeRequest): Promise<ValidChangeRequest> {
    // Recorded (a local activity), so a schema edit never changes the request a started run works on.
    const validation = validationIsRecorded()
      ? await recordedValidation.normaliseChangeRequest(input)
      : subscriptionSchemas().validateSubscriptionChangeRequest(input);
    if (!validation.ok) throw invalidChangeRequest(validation.problems);
    const { customerId, subscriptionId, change } = validation.request;
    this.status.customerId = customerId;
    this.status.subscriptionId = subscriptionId;
    this.summary = describeSubscriptionChange(change);
    upsertSearchAttributes([
      { key: PcCustomerId, value: customerId },
      { key: PcSubscriptionIds, value: [subscriptionId] },
    ]);
    return validation.request;
  }

  private read({ customerId, subscriptionId }: ValidChangeRequest): Promise<SubscriptionView> {
    this.setStep('reading');
    return reads.readSubscriptionForChange.executeWithOptions(
      { summary: `Read subscription ${subscriptionId} and check the change against it` },
      [{ customerId, subscriptionId }],
    );
  }

  private apply(
    { customerId, subscriptionId }: ValidChangeRequest,
    change: PatchChange,
    settings: WorkerSettings,
  ): Promise<ApplyChangeOutcome> {
    this.setStep('updating');
    return changing(settings).applySubscriptionChange.executeWithOptions(
      { summary: `Send the whole subscription with the change: ${describeSubscriptionChange(change)}` },
      [{ customerId, subscriptionId, change }],
    );
  }

  /** After a 202: poll until the subscription shows the accepted change. */
  private awaitAccepted(
    { customerId, subscriptionId }: ValidChangeRequest,
    target: ChangeTarget,
    settings: WorkerSettings,
  ): Promise<SubscriptionView> {
    this.setStep('awaiting-change');
    return polling(settings).awaitSubscriptionChange.executeWithOptions(
      { summary: `Wait until subscription ${subscriptionId} shows the accepted change` },
      [{ customerId, subscriptionId, target }],
    );
  }

  // ---- Progress ----

  private setStep(step: ChangeStep): void {
    this.status.step = step;
    this.status.updatedAt = new Date().toISOString();
    // Same PcStep attribute as purchases: one operator query (`PcStep = 'failed'`) finds both; WorkflowType tells them apart.
    upsertSearchAttributes([{ key: PcStep, value: step }]);
    setCurrentDetails(
      detailLines([
        ['Step', this.status.step],
        ['Change', this.summary],
        ['Subscription', this.status.subscriptionId],
        ['Last error', this.status.lastError],
      ]),
    );
    log.info('change step', { step, subscriptionId: this.status.subscriptionId });
  }
}

/** A scheduled transition is next-term instructions for the target offer, applied at renewal (reference §6.7, §6.9). */
function scheduledTransition(plan: TransitionPlan, eligibility: TransitionEligibilityView): PatchChange {
  const term = eligibility.termDuration;
  return {
    action: 'scheduleNextTerm',
    catalogItemId: plan.toCatalogItemId,
    quantity: plan.quantity,
    ...(term === 'P1M' || term === 'P1Y' || term === 'P3Y' ? { termDuration: term } : {}),
  };
}
