import { ApplicationFailure } from '@temporalio/common';
import { isPartnerCenterError, type LicenceUsage as TenantLicenceUsage } from '../../partner-center';
import { lifecycleFailureTypes } from '../../workflows/subscription/failures';
import type { LicenceUsage, ReadUsageInput } from '../../workflows/subscription/lifecycle-types';
import { termEndsAt } from '../../workflows/subscription/lifecycle-rules';
import type { SubscriptionActivityDeps } from './deps';
import { skuMinimumQuantity } from './sku-minimum';
import { readSubscription, toView } from './view';

/**
 * The licences of the subscription's SKU in the customer's tenant, with the SKU's other subscriptions as Partner
 * Center shows them (their seats, when they renew, what their next term keeps). No reader configured: non-retryable.
 * The reader failing (403 without a GDAP role, unreachable): retryable, its status in the message; the workflow
 * retries with backoff and shows why.
 */
export async function readLicenceUsage(deps: SubscriptionActivityDeps, input: ReadUsageInput): Promise<LicenceUsage> {
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
  const own = await readSubscription(deps, input);
  const minimum = await skuMinimumQuantity(deps, input.customerId, own.offerId);
  const others = reading.subscriptions
    .map((s) => ({ subscriptionId: s.commerceSubscriptionId ?? s.id, totalLicenses: s.totalLicenses ?? 0 }))
    .filter((s) => s.subscriptionId.toLowerCase() !== input.subscriptionId.toLowerCase());
  return {
    skuId: reading.skuId,
    ...(reading.skuPartNumber !== undefined ? { skuPartNumber: reading.skuPartNumber } : {}),
    assigned: reading.assigned,
    total: reading.total,
    ...(minimum !== undefined ? { skuMinimumQuantity: minimum } : {}),
    siblings: await Promise.all(others.map((s) => sibling(deps, input.customerId, s))),
    readAt: new Date().toISOString(),
  };
}

/**
 * Another subscription of the SKU as Partner Center shows it; when it cannot be read (another partner's, gone), the
 * directory's seats alone, counted as kept: the plan then cuts less, never more.
 */
async function sibling(
  deps: SubscriptionActivityDeps,
  customerId: string,
  directory: { subscriptionId: string; totalLicenses: number },
): Promise<LicenceUsage['siblings'][number]> {
  try {
    const view = toView(await readSubscription(deps, { customerId, subscriptionId: directory.subscriptionId }));
    const ends = termEndsAt(view);
    return {
      subscriptionId: view.id,
      seats: view.quantity,
      ...(ends !== undefined ? { renewsAt: new Date(ends).toISOString() } : {}),
      nextTermSeats: view.autoRenewEnabled ? (view.scheduledNextTerm?.quantity ?? view.quantity) : 0,
      nextTermSettled: !view.autoRenewEnabled || view.scheduledNextTerm !== undefined,
    };
  } catch (err) {
    if (!isPartnerCenterError(err) || err.retryable) throw err;
    return { subscriptionId: directory.subscriptionId, seats: directory.totalLicenses };
  }
}

/** `403 Forbidden: …`: the status first when the error carries one, so the state says at a glance what is wrong. */
function describeFailure(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const status = typeof err === 'object' && err !== null ? (err as { status?: unknown }).status : undefined;
  return typeof status === 'number' && !message.startsWith(String(status)) ? `${status} ${message}` : message;
}
