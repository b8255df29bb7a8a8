import { isPartnerCenterError } from '../../partner-center';
import { readOptions } from '../common/request-ids';
import type { SubscriptionActivityDeps } from './deps';

/**
 * The minimum quantity of the SKU of `catalogItemId` (`product:sku:availability`) in the catalog of the customer's
 * market: a renewal plan never goes below it. Undefined when the catalog does not say: the customer shows no country,
 * the SKU left the catalog, or a read is refused (Partner Center then refuses a quantity below it when the plan is
 * scheduled). Transient faults throw: the activity is retried.
 */
export async function skuMinimumQuantity(
  deps: SubscriptionActivityDeps,
  customerId: string,
  catalogItemId: string,
): Promise<number | undefined> {
  const [productId, skuId] = catalogItemId.split(':');
  if (!productId || !skuId) return undefined;
  try {
    const customer = await deps.partnerCenter.getCustomer(customerId, readOptions());
    const country = customer.billingProfile?.defaultAddress?.country;
    if (country === undefined) return undefined;
    const sku = await deps.partnerCenter.getSku(productId, skuId, { country }, readOptions());
    return sku.minimumQuantity;
  } catch (err) {
    if (!isPartnerCenterError(err) || err.retryable) throw err;
    return undefined;
  }
}
