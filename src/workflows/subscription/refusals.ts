import { ApplicationFailure } from '@temporalio/common';
import type { SubscriptionFailureType } from './failures';
import type { SubscriptionView } from './types';

/** Why a change (or a transition) is refused before anything is sent to Partner Center. */
export interface ChangeRefusal {
  type: SubscriptionFailureType;
  message: string;
  details: Record<string, unknown>;
}

/** The verdict of every rule that refuses: checkChange's and planTransition's alike. */
export interface Refused {
  kind: 'refused';
  refusal: ChangeRefusal;
}

/** A refusal naming the subscription, in its message and its details. */
export function refuse(
  view: SubscriptionView,
  type: SubscriptionFailureType,
  message: string,
  details: Record<string, unknown> = {},
): Refused {
  return {
    kind: 'refused',
    refusal: { type, message: `Subscription ${view.id}: ${message}`, details: { subscriptionId: view.id, ...details } },
  };
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
