import { isPartnerCenterError } from '../../partner-center';
import type { LifecycleRead } from '../../workflows/subscription/lifecycle-types';
import type { SubscriptionRef } from '../../workflows/subscription/types';
import { classifyChangeError } from './change-failures';
import type { SubscriptionActivityDeps } from './deps';
import { readSubscription, toView } from './view';

/** The subscription a lifecycle watches; a 404 is an answer (Partner Center no longer knows it: the lifecycle ends). */
export async function readSubscriptionForLifecycle(
  deps: SubscriptionActivityDeps,
  ref: SubscriptionRef,
): Promise<LifecycleRead> {
  const readAt = new Date();
  try {
    return { subscription: toView(await readSubscription(deps, ref), readAt), readAt: readAt.toISOString() };
  } catch (err) {
    if (isPartnerCenterError(err) && err.kind === 'not-found') return { readAt: readAt.toISOString() };
    throw classifyChangeError(err);
  }
}
