import { ActivityFailure, ApplicationFailure, patched, proxyActivities } from '@temporalio/workflow';
import type { SubscriptionActivities } from '../../activities';
import { partnerCenterCall } from '../common/activity-options';
import { taskPriority } from '../common/priority';
import type { LicenceUsage, SkuSibling, TenantLicences } from './lifecycle-types';
import { siblingOf } from './lifecycle-rules';
import type { SubscriptionRef, SubscriptionView } from './types';

/**
 * Runs whose reviews started before read every other subscription of the SKU inside the one licence-read activity;
 * the rate budget (PARTNER_CENTER_REQUESTS_PER_MINUTE) counts activity tasks, so a wave of those overshot Partner
 * Center's own limit.
 */
const SIBLING_TASKS_PATCH = 'lifecycle-review-reads-siblings-as-tasks';

/** The licence reads give up after two tries: the review retries them on its own clock, saying why in its state. */
const usageReads = proxyActivities<SubscriptionActivities>({
  ...partnerCenterCall,
  priority: taskPriority('background'),
  retry: { ...partnerCenterCall.retry, maximumAttempts: 2 },
});

/**
 * The licences of `view`'s SKU at review time: the tenant's reading (Graph) and the SKU's minimum, then every other
 * subscription of the SKU read from Partner Center as an activity task of its own, in parallel, so the rate budget
 * (which counts tasks) counts each of those requests. The subscription itself is not read again: the review plans
 * from `view`, read before it.
 * Fails (ActivityFailure) when a read fails for good or after its two tries; the caller retries on its clock.
 */
export async function readLicences(ref: SubscriptionRef, view: SubscriptionView): Promise<LicenceUsage> {
  const { customerId, subscriptionId } = ref;
  if (!patched(SIBLING_TASKS_PATCH)) {
    return usageReads.readLicenceUsage.executeWithOptions(
      { summary: `Read the licences of ${subscriptionId}'s SKU in the customer's tenant` },
      [{ customerId, subscriptionId }],
    );
  }
  const { others, ...tenant } = await usageReads.readTenantLicences.executeWithOptions(
    { summary: `Read the licences of ${subscriptionId}'s SKU in the customer's tenant` },
    [{ customerId, subscriptionId, catalogItemId: view.catalogItemId }],
  );
  const siblings = await Promise.all(others.map((other) => readSibling(customerId, other)));
  return { ...tenant, siblings };
}

/**
 * Another subscription of the SKU as Partner Center shows it; when Partner Center does not know it (404) or refuses
 * it for good (another partner's), the directory's seats alone, counted as kept: the plan then cuts less, never more.
 */
async function readSibling(customerId: string, other: TenantLicences['others'][number]): Promise<SkuSibling> {
  const kept = { subscriptionId: other.subscriptionId, seats: other.seats };
  try {
    const read = await usageReads.readSubscriptionForLifecycle.executeWithOptions(
      { summary: `Read subscription ${other.subscriptionId}, of the same SKU` },
      [{ customerId, subscriptionId: other.subscriptionId }],
    );
    return read.subscription !== undefined ? siblingOf(read.subscription) : kept;
  } catch (err) {
    const refused = err instanceof ActivityFailure && err.cause instanceof ApplicationFailure && err.cause.nonRetryable;
    if (!refused) throw err;
    return kept;
  }
}
