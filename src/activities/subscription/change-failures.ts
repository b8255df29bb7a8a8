import { ApplicationFailure } from '@temporalio/common';
import { isPartnerCenterError } from '../../partner-center';
import { internalFailureTypes } from '../../workflows/common/failure-types';
import { subscriptionFailureTypes } from '../../workflows/subscription/failures';
import { toActivityFailure } from '../common/failures';

/** Partner Center's refusals for a closed refundable window: cancellation (900213, 900117) and seat reduction (900214, 900257, 800090). */
const WINDOW_CLOSED_CODES: ReadonlySet<number> = new Set([900213, 900117, 900214, 900257, 800090]);
/** Partner Center's transition refusals: not eligible (900258), a target subscription that cannot take the seats (900260). */
const TRANSITION_NOT_ELIGIBLE_CODES: ReadonlySet<number> = new Set([900258, 900260]);

/**
 * Partner Center failures of a change: busy (409/800082) → SubscriptionBusy, retryable; a stale etag (412)
 * → retryable (the next attempt re-reads); a closed window → OutsideCancellationWindow; other refusals →
 * ChangeRejected with the code. Our own failures pass through.
 */
export function classifyChangeError(err: unknown): unknown {
  if (!isPartnerCenterError(err)) return err;
  const details = [{ status: err.status, code: err.code, description: err.description, requestId: err.requestId }];
  if (err.kind === 'conflict' && err.retryable) {
    return ApplicationFailure.create({
      type: subscriptionFailureTypes.subscriptionBusy,
      message: err.message,
      details,
    });
  }
  if (err.status === 412) {
    return ApplicationFailure.create({ type: internalFailureTypes.partnerCenter, message: err.message, details });
  }
  if (err.kind === 'business' && TRANSITION_NOT_ELIGIBLE_CODES.has(Number(err.code))) {
    return ApplicationFailure.create({
      type: subscriptionFailureTypes.transitionNotEligible,
      message: err.message,
      details,
      nonRetryable: true,
    });
  }
  if (err.kind === 'business' && WINDOW_CLOSED_CODES.has(Number(err.code))) {
    return ApplicationFailure.create({
      type: subscriptionFailureTypes.outsideCancellationWindow,
      message: err.message,
      details,
      nonRetryable: true,
    });
  }
  return toActivityFailure(err, subscriptionFailureTypes.changeRejected);
}
