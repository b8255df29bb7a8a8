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
import { getWorkerSettings, partnerCenterCall, partnerCenterCallUntilDeadline, poller } from '../common/activity-options';
import { changeStatusQuery } from './messages';
import { describeChange, invalidChangeRequest, validateChangeRequest, type ChangeStatus, type ChangeStep, type SubscriptionChangeRequest, type SubscriptionChangeResult, type SubscriptionView } from './types';
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
  return proxyActivities<SubscriptionActivities>(partnerCenterCallUntilDeadline(subscriptionChangeDeadlineMs(settings)));
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
  const status: ChangeStatus = { step: 'validating', updatedAt: new Date().toISOString() };
  let summary = '';
  const showProgress = () => {
    setCurrentDetails(
      detailLines([
        ['Step', status.step],
        ['Change', summary === '' ? undefined : summary],
        ['Subscription', status.subscriptionId],
        ['Last error', status.lastError],
      ]),
    );
  };
  const setStep = (step: ChangeStep) => {
    status.step = step;
    status.updatedAt = new Date().toISOString();
    // Same PcStep attribute as purchases: one operator query (`PcStep = 'failed'`) finds both; WorkflowType tells them apart.
    upsertSearchAttributes([{ key: PcStep, value: step }]);
    showProgress();
    log.info('change step', { step, subscriptionId: status.subscriptionId });
  };
  setHandler(changeStatusQuery, () => ({ ...status }));

  try {
    const validation = validateChangeRequest(input);
    if (!validation.ok) {
      throw invalidChangeRequest(validation.problems);
    }
    const { requestId, customerId, subscriptionId, change } = validation.request;
    status.customerId = customerId;
    status.subscriptionId = subscriptionId;
    summary = describeChange(change);
    upsertSearchAttributes([
      { key: PcCustomerId, value: customerId },
      { key: PcSubscriptionIds, value: [subscriptionId] },
    ]);
    const ref = { customerId, subscriptionId };
    const settings = await getWorkerSettings();

    setStep('reading');
    const before = await reads.readSubscriptionForChange.executeWithOptions(
      { summary: `Read subscription ${ref.subscriptionId} and check the change against it` },
      [ref],
    );
    const verdict = checkChange(before, change);
    if (verdict.kind === 'refused') throw refusalFailure(verdict.refusal);
    // Nothing to refund when the subscription already showed the change before we did anything.
    const refund = verdict.kind === 'in-effect' ? undefined : refundOf(before, change);
    const finish = (completion: SubscriptionChangeResult['completion'], after: SubscriptionView): SubscriptionChangeResult => {
      setStep('completed');
      return { requestId, customerId, subscriptionId, change, completion, before, after, ...(refund !== undefined ? { refund } : {}) };
    };
    if (verdict.kind === 'in-effect') return finish('already-in-effect', before);

    setStep('updating');
    const applied = await changing(settings).applySubscriptionChange.executeWithOptions(
      { summary: `Send the whole subscription with the change: ${describeChange(change)}` },
      [{ ...ref, change }],
    );
    if (applied.completion !== 'accepted') return finish(applied.completion, applied.subscription);

    setStep('awaiting-change');
    const after = await polling(settings).awaitSubscriptionChange.executeWithOptions(
      { summary: `Wait until subscription ${ref.subscriptionId} shows the accepted change` },
      [{ ...ref, target: applied.target }],
    );
    return finish('accepted', after);
  } catch (err) {
    // Not a Temporal failure means a bug: let it fail the workflow task, which is retried once fixed.
    if (!(err instanceof TemporalFailure)) throw err;
    const failure = toChangeFailure(err);
    status.lastError = failure.message;
    setStep('failed');
    throw failure;
  }
}

/**
 * The workflow fails with the contract failure type itself (not wrapped in an ActivityFailure), so callers
 * read `failure.cause.type`. An activity that ran out of time is judged by its last attempt's failure (the
 * server reports it as a TimeoutFailure's cause, or directly with retry state TIMEOUT): still busy, or an
 * accepted change still not showing, is SubscriptionBusy — retryable by the caller.
 */
function toChangeFailure(err: TemporalFailure): TemporalFailure {
  if (err instanceof ApplicationFailure) return err;
  if (!(err instanceof ActivityFailure)) return err;
  const { timedOut, last } = lastAttempt(err);
  if (last === undefined) {
    return timedOut ? ApplicationFailure.create({ type: changeFailureTypes.subscriptionBusy, message: `Partner Center did not finish the change in time`, cause: err }) : err;
  }
  const stillWaiting = last.type === internalFailureTypes.subscriptionNotReady;
  const busy = stillWaiting || last.type === changeFailureTypes.subscriptionBusy;
  return ApplicationFailure.create({
    type: busy ? changeFailureTypes.subscriptionBusy : (last.type ?? internalFailureTypes.partnerCenter),
    message: stillWaiting ? `Partner Center accepted the change but it had not landed by the deadline (last: ${last.message}); read the subscription before retrying` : last.message,
    details: last.details ?? undefined,
    nonRetryable: !busy,
    cause: err,
  });
}
