import { internalFailureTypes, MFA_REQUIRED, UNAUTHORIZED } from '../common/failure-types';
import type { RunEnd, RunFailurePolicy } from '../common/run-failure';

/** `ApplicationFailure` types a `changeSubscription` caller may see (contract §3). */
export const subscriptionFailureTypes = {
  /** Names every bad field; also a term change without the new term's catalogItemId. */
  invalidRequest: 'InvalidChangeRequest',
  /** Seat reduction or cancellation after the refundable (168-hour) window; nothing was sent. */
  outsideCancellationWindow: 'OutsideCancellationWindow',
  /** The subscription cannot move to the requested offer or subscription now; details list every reason (source and target codes). */
  transitionNotEligible: 'TransitionNotEligible',
  /** Partner Center kept answering 409/800082, or an accepted (202) change did not land in time. Retryable. */
  subscriptionBusy: 'SubscriptionBusy',
  /** The subscription's state or Partner Center refused the change (each refusal names its rule and the date that decides it); details carry the code. */
  changeRejected: 'ChangeRejected',
  unauthorized: UNAUTHORIZED,
  mfaRequired: MFA_REQUIRED,
} as const;
export type SubscriptionFailureType = (typeof subscriptionFailureTypes)[keyof typeof subscriptionFailureTypes];

/**
 * How a change ends (runFailure): an activity that ran out of time is judged by its last attempt. Still busy, or an
 * accepted change still not showing, is SubscriptionBusy — retryable by the caller; anything else keeps the type the
 * activity decided, or PartnerCenterError.
 */
export const subscriptionRunFailures: RunFailurePolicy = {
  fallbackType: internalFailureTypes.partnerCenter,
  rule: ({ last, timedOut }: RunEnd) => {
    const busy = { type: subscriptionFailureTypes.subscriptionBusy, retryable: true };
    if (last === undefined)
      return timedOut ? { ...busy, message: 'Partner Center did not finish the change in time' } : undefined;
    if (last.type === internalFailureTypes.subscriptionNotReady) {
      return {
        ...busy,
        message: `Partner Center accepted the change but it had not landed by the deadline (last: ${last.message}); read the subscription before retrying`,
      };
    }
    return last.type === subscriptionFailureTypes.subscriptionBusy ? busy : undefined;
  },
};

/** `ApplicationFailure` types of `subscriptionLifecycle` (contract §3): a start or an update refused, nothing changed. */
export const lifecycleFailureTypes = {
  /** The input names a bad field (every one listed); the run does not start its work. */
  invalidInput: 'InvalidLifecycleInput',
  /** setPolicy refused: an unknown field, a negative minSeats, a lead time over the term… (every field named). */
  invalidPolicy: 'InvalidRenewalPolicy',
  /** approvePlan/rejectPlan refused: bad arguments (by, reason). */
  invalidDecision: 'InvalidPlanDecision',
  /** approvePlan/rejectPlan when no plan waits for a decision. */
  noPlanWaiting: 'NoPlanWaiting',
  /** Between the usage activity and the workflow: the licences could not be read (the review retries with backoff). */
  usageUnavailable: 'LicenceUsageUnavailable',
} as const;
export type LifecycleFailureType = (typeof lifecycleFailureTypes)[keyof typeof lifecycleFailureTypes];
