import type { Subscription } from '../../partner-center';
import type { SubscriptionRef } from '../../workflows/subscription/types';
import { readOptions } from '../common/request-ids';
import type { SubscriptionActivityDeps } from './deps';

/** The subscription as it is now; a read gets a fresh MS-RequestId per attempt (a poll must never get a replayed answer). */
export async function readSubscription(deps: SubscriptionActivityDeps, ref: SubscriptionRef): Promise<Subscription> {
  return deps.partnerCenter.getSubscription(ref.customerId, ref.subscriptionId, readOptions());
}

export { toView } from '../../workflows/subscription/subscription-view';
