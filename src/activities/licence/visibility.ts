import { ApplicationFailure } from '@temporalio/common';
import { internalFailureTypes } from '../../workflows/common/failure-types';
import { LICENCES_NOT_YET_VISIBLE, licenceFailureTypes } from '../../workflows/licence/failures';
import type { LicenceSku, LicenceSubscriptionInput } from '../../workflows/licence/types';
import { notYet, toActivityFailure } from '../common/failures';
import type { LicenceActivityDeps, LicenceTenantClient } from './deps';

/** The tenant client, or a non-retryable failure saying the worker has none. */
export function tenantClientOf(deps: LicenceActivityDeps): LicenceTenantClient {
  if (deps.customerTenants !== undefined) return deps.customerTenants;
  throw ApplicationFailure.create({
    type: internalFailureTypes.partnerCenter,
    message: "no customer-tenant Graph client is configured on this worker (Microsoft Graph in the customer's tenant)",
    nonRetryable: true,
  });
}

/**
 * The subscription's licence SKU as the customer's tenant shows it (directory subscription matched by
 * `commerceSubscriptionId`, the subscribed SKU's seats), or undefined while it does not show yet.
 */
async function readSku(deps: LicenceActivityDeps, input: LicenceSubscriptionInput): Promise<LicenceSku | undefined> {
  const tenants = tenantClientOf(deps);
  try {
    // The customer's tenant id is its Partner Center customer id.
    const usage = await tenants.readLicenceUsage(input.customerId, [input.subscriptionId]);
    return usage === undefined ? undefined : { skuId: usage.skuId, total: usage.total, consumed: usage.assigned };
  } catch (err) {
    throw toActivityFailure(err, internalFailureTypes.partnerCenter);
  }
}

/** Poller (its retry policy waits, up to LICENCE_VISIBILITY_DEADLINE): the SKU once the subscription shows. */
export async function awaitLicencesVisible(
  deps: LicenceActivityDeps,
  input: LicenceSubscriptionInput,
): Promise<LicenceSku> {
  const sku = await readSku(deps, input);
  if (sku === undefined)
    throw notYet(
      LICENCES_NOT_YET_VISIBLE,
      `subscription ${input.subscriptionId} does not show in the directory subscriptions of tenant ${input.customerId} yet`,
    );
  return sku;
}

/** The SKU's figures after the assignments; the subscription showed before, so its absence now is a failure. */
export async function readLicenceSku(deps: LicenceActivityDeps, input: LicenceSubscriptionInput): Promise<LicenceSku> {
  const sku = await readSku(deps, input);
  if (sku === undefined)
    throw ApplicationFailure.create({
      type: licenceFailureTypes.licencesNotVisible,
      message: `subscription ${input.subscriptionId} no longer shows in tenant ${input.customerId}`,
      nonRetryable: true,
    });
  return sku;
}
