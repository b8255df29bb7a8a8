import {
  ActivityFailure,
  ApplicationFailure,
  TemporalFailure,
  log,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { SubscriptionActivities } from '../../activities';
import { lastAttempt } from '../common/activity-failures';
import {
  getWorkerSettings,
  partnerCenterCall,
  partnerCenterCallUntilDeadline,
  poller,
  recordedValidation,
  validationIsRecorded,
} from '../common/activity-options';
import { changeStatusQuery } from './messages';
import {
  describeChange,
  invalidChangeRequest,
  validateChangeRequest,
  type ApplyChangeOutcome,
  type ChangeStatus,
  type ChangeStep,
  type ChangeTarget,
  type SubscriptionChangeRequest,
  type SubscriptionChangeResult,
  type SubscriptionView,
  type ValidChangeRequest,
} from './types';
import { checkChange, refundOf, refusalFailure } from './rules';
import { detailLines } from '../common/details';
import { internalFailureTypes } from '../common/failure-types';
import { changeFailureTypes } from './failures';
import { subscriptionChangeDeadlineMs, type WorkerSettings } from '../common/settings';
import { PcCustomerId, PcStep, PcSubscriptionIds } from '../common/search-attributes';

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
 * Contract §3: change one new-commerce subscription — quantity, auto-renew, friendly name, cancellation or
 * scheduled next-term instructions — after checking the new-commerce rules against a fresh read, sending
 * the full resource with its etag, and following a 202 until the change shows.
 */
export async function changeSubscription(input: SubscriptionChangeRequest): Promise<SubscriptionChangeResult> {
  return new ChangeRun().run(input);
}

/** One subscription change: its state, its status query and one method per step. */
class ChangeRun {
  private readonly status: ChangeStatus = { step: 'validating', updatedAt: new Date().toISOString() };
  private summary?: string;

  constructor() {
    setHandler(changeStatusQuery, () => ({ ...this.status }));
  }

  async run(input: SubscriptionChangeRequest): Promise<SubscriptionChangeResult> {
    try {
      const request = await this.validate(input);
      const settings = await getWorkerSettings();
      const before = await this.read(request);
      const verdict = checkChange(before, request.change);
      if (verdict.kind === 'refused') throw refusalFailure(verdict.refusal);
      // Nothing to refund when the subscription already showed the change before we did anything.
      const refund = verdict.kind === 'in-effect' ? undefined : refundOf(before, request.change);
      const finish = (
        completion: SubscriptionChangeResult['completion'],
        after: SubscriptionView,
      ): SubscriptionChangeResult => {
        this.setStep('completed');
        const { requestId, customerId, subscriptionId, change } = request;
        return {
          requestId,
          customerId,
          subscriptionId,
          change,
          completion,
          before,
          after,
          ...(refund !== undefined ? { refund } : {}),
        };
      };
      if (verdict.kind === 'in-effect') return finish('already-in-effect', before);
      const applied = await this.apply(request, settings);
      if (applied.completion !== 'accepted') return finish(applied.completion, applied.subscription);
      return finish('accepted', await this.awaitAccepted(request, applied.target, settings));
    } catch (err) {
      // Not a Temporal failure means a bug: let it fail the workflow task, which is retried once fixed.
      if (!(err instanceof TemporalFailure)) throw err;
      const failure = failureOfChange(err);
      this.status.lastError = failure.message;
      this.setStep('failed');
      throw failure;
    }
  }

  // ---- Steps ----

  private async validate(input: SubscriptionChangeRequest): Promise<ValidChangeRequest> {
    // Recorded (a local activity), so a schema edit never changes the request a started run works on.
    const validation = validationIsRecorded()
      ? await recordedValidation.normaliseChangeRequest(input)
      : validateChangeRequest(input);
    if (!validation.ok) throw invalidChangeRequest(validation.problems);
    const { customerId, subscriptionId, change } = validation.request;
    this.status.customerId = customerId;
    this.status.subscriptionId = subscriptionId;
    this.summary = describeChange(change);
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
    { customerId, subscriptionId, change }: ValidChangeRequest,
    settings: WorkerSettings,
  ): Promise<ApplyChangeOutcome> {
    this.setStep('updating');
    return changing(settings).applySubscriptionChange.executeWithOptions(
      { summary: `Send the whole subscription with the change: ${describeChange(change)}` },
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

/**
 * The workflow fails with the contract failure type itself (not wrapped in an ActivityFailure), so callers
 * read `failure.cause.type`. An activity that ran out of time is judged by its last attempt's failure (the
 * server reports it as a TimeoutFailure's cause, or directly with retry state TIMEOUT): still busy, or an
 * accepted change still not showing, is SubscriptionBusy — retryable by the caller.
 */
function failureOfChange(err: TemporalFailure): TemporalFailure {
  if (err instanceof ApplicationFailure) return err;
  if (!(err instanceof ActivityFailure)) return err;
  const { timedOut, last } = lastAttempt(err);
  if (last === undefined) {
    return timedOut
      ? ApplicationFailure.create({
          type: changeFailureTypes.subscriptionBusy,
          message: `Partner Center did not finish the change in time`,
          cause: err,
        })
      : err;
  }
  const stillWaiting = last.type === internalFailureTypes.subscriptionNotReady;
  const busy = stillWaiting || last.type === changeFailureTypes.subscriptionBusy;
  return ApplicationFailure.create({
    type: busy ? changeFailureTypes.subscriptionBusy : (last.type ?? internalFailureTypes.partnerCenter),
    message: stillWaiting
      ? `Partner Center accepted the change but it had not landed by the deadline (last: ${last.message}); read the subscription before retrying`
      : last.message,
    details: last.details ?? undefined,
    nonRetryable: !busy,
    cause: err,
  });
}
