import { bindActivities } from '../common/bind-activities';
import { applySubscriptionChange, awaitSubscriptionChange, readSubscriptionForChange } from './change';
import type { SubscriptionActivityDeps } from './deps';
import { awaitTransition, readTransitionEligibility, startTransition } from './transition';

export type { SubscriptionActivityDeps } from './deps';

/**
 * Activities of `changeSubscription`: read, change (full body, If-Match, stable MS-RequestId), follow a 202
 * (change.ts); for transitions and trial conversions read the eligibilities, post once, follow the events
 * (transition.ts).
 */
export function createSubscriptionActivities(deps: SubscriptionActivityDeps) {
  return bindActivities(deps, {
    readSubscriptionForChange,
    applySubscriptionChange,
    readTransitionEligibility,
    startTransition,
    awaitTransition,
    awaitSubscriptionChange,
  });
}
