import { bindActivities } from '../common/bind-activities';
import { applySubscriptionChange, awaitSubscriptionChange, readSubscriptionForChange } from './change';
import type { SubscriptionActivityDeps } from './deps';
import { readLicenceUsage, readTenantLicences } from './licence-usage';
import { readSubscriptionForLifecycle } from './lifecycle-read';
import { createSkuMinimumCache } from './sku-minimum';
import { awaitTransition, readTransitionEligibility, startTransition } from './transition';

export type { SubscriptionActivityDeps } from './deps';
export type { LicenceUsageReader } from './deps';

/**
 * Activities of `changeSubscription`: read, change (full body, If-Match, stable MS-RequestId), follow a 202
 * (change.ts); for transitions and trial conversions read the eligibilities, post once, follow the events
 * (transition.ts). Of `subscriptionLifecycle`: read the subscription and the SKU's other subscriptions
 * (lifecycle-read.ts), the licences of its SKU in the customer's tenant with the SKU's minimum (licence-usage.ts).
 */
export function createSubscriptionActivities(deps: SubscriptionActivityDeps) {
  const withCache = { ...deps, skuMinimums: deps.skuMinimums ?? createSkuMinimumCache() };
  return bindActivities(withCache, {
    readSubscriptionForChange,
    applySubscriptionChange,
    readTransitionEligibility,
    startTransition,
    awaitTransition,
    awaitSubscriptionChange,
    readSubscriptionForLifecycle,
    readLicenceUsage,
    readTenantLicences,
  });
}
