import { ApplicationFailure } from '@temporalio/common';
import { isPartnerCenterError, type LicenceUsage as TenantLicenceUsage } from '../../partner-center';
import { lifecycleFailureTypes } from '../../workflows/subscription/failures';
import type {
  LicenceUsage,
  ReadUsageInput,
  SkuSibling,
  TenantLicences,
  TenantLicencesInput,
} from '../../workflows/subscription/lifecycle-types';
import { siblingOf } from '../../workflows/subscription/lifecycle-rules';
import type { SubscriptionActivityDeps } from './deps';
import { skuMinimumQuantity } from './sku-minimum';
import { readSubscription, toView } from './view';

/**
 * The licences of the subscription's SKU in the customer's tenant (Microsoft Graph) and the catalog SKU's minimum. No
 * reader configured: non-retryable. The reader failing (403 without a GDAP role, unreachable): retryable, its status
 * in the message; the workflow retries with backoff and shows why. The rate budget counts activity tasks, not
 * requests: this reads no subscription from Partner Center (the review reads each other subscription of the SKU as
 * an activity of its own), and the catalog only while the process has not cached the customer's market and the SKU.
 */
export async function readTenantLicences(
  deps: SubscriptionActivityDeps,
  input: TenantLicencesInput,
): Promise<TenantLicences> {
  const reading = await tenantReading(deps, input);
  const minimum = await skuMinimumQuantity(deps, input.customerId, input.catalogItemId);
  return tenantLicencesOf(reading, input.subscriptionId, minimum);
}

/**
 * Reviews started before the siblings were read as activities of their own: the subscription, its tenant's licences,
 * the SKU's minimum and every other subscription of the SKU in one activity (kept for those runs).
 */
export async function readLicenceUsage(deps: SubscriptionActivityDeps, input: ReadUsageInput): Promise<LicenceUsage> {
  const reading = await tenantReading(deps, input);
  const own = await readSubscription(deps, input);
  const minimum = await skuMinimumQuantity(deps, input.customerId, own.offerId);
  const { others, ...tenant } = tenantLicencesOf(reading, input.subscriptionId, minimum);
  return { ...tenant, siblings: await Promise.all(others.map((s) => sibling(deps, input.customerId, s))) };
}

function tenantLicencesOf(
  reading: TenantLicenceUsage,
  subscriptionId: string,
  minimum: number | undefined,
): TenantLicences {
  const others = reading.subscriptions
    .map((s) => ({ subscriptionId: s.commerceSubscriptionId ?? s.id, seats: s.totalLicenses ?? 0 }))
    .filter((s) => s.subscriptionId.toLowerCase() !== subscriptionId.toLowerCase());
  return {
    skuId: reading.skuId,
    ...(reading.skuPartNumber !== undefined ? { skuPartNumber: reading.skuPartNumber } : {}),
    assigned: reading.assigned,
    total: reading.total,
    ...(minimum !== undefined ? { skuMinimumQuantity: minimum } : {}),
    others,
    readAt: new Date().toISOString(),
  };
}

/** The tenant's reading of the subscription's SKU, or the failure that says why there is none. */
async function tenantReading(deps: SubscriptionActivityDeps, input: ReadUsageInput): Promise<TenantLicenceUsage> {
  if (deps.licenceUsage === undefined) {
    throw ApplicationFailure.create({
      type: lifecycleFailureTypes.usageUnavailable,
      message:
        "no customer-tenant licence reader is configured on this worker (Microsoft Graph in the customer's tenant)",
      nonRetryable: true,
    });
  }
  let reading: TenantLicenceUsage | undefined;
  try {
    // The customer's tenant id is its Partner Center customer id.
    reading = await deps.licenceUsage.readLicenceUsage(input.customerId, [input.subscriptionId]);
  } catch (err) {
    throw ApplicationFailure.create({ type: lifecycleFailureTypes.usageUnavailable, message: describeFailure(err) });
  }
  if (reading === undefined)
    throw ApplicationFailure.create({
      type: lifecycleFailureTypes.usageUnavailable,
      message: `subscription ${input.subscriptionId} does not show in the customer's tenant yet`,
    });
  return reading;
}

/**
 * Another subscription of the SKU as Partner Center shows it; when it cannot be read (another partner's, gone), the
 * directory's seats alone, counted as kept: the plan then cuts less, never more.
 */
async function sibling(
  deps: SubscriptionActivityDeps,
  customerId: string,
  directory: { subscriptionId: string; seats: number },
): Promise<SkuSibling> {
  try {
    return siblingOf(toView(await readSubscription(deps, { customerId, subscriptionId: directory.subscriptionId })));
  } catch (err) {
    if (!isPartnerCenterError(err) || err.retryable) throw err;
    return { subscriptionId: directory.subscriptionId, seats: directory.seats };
  }
}

/** `403 Forbidden: …`: the status first when the error carries one, so the state says at a glance what is wrong. */
function describeFailure(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const status = typeof err === 'object' && err !== null ? (err as { status?: unknown }).status : undefined;
  return typeof status === 'number' && !message.startsWith(String(status)) ? `${status} ${message}` : message;
}
