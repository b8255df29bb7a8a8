import { isPartnerCenterError } from '../../partner-center';
import { ExpiringCache } from '../common/expiring-cache';
import { readOptions } from '../common/request-ids';
import type { SkuMinimumCache, SubscriptionActivityDeps } from './deps';

/** A catalog SKU's minimum and a customer's country change rarely: a renewal wave reads each once an hour. */
const CATALOG_TTL_MS = 60 * 60_000;
/** Bounded: a worker serving every customer of a large partner keeps the most recent ones only. */
const MAX_SKUS = 2_000;
const MAX_CUSTOMERS = 20_000;

export function createSkuMinimumCache(now?: () => number): SkuMinimumCache {
  return {
    countries: new ExpiringCache({ ttlMs: CATALOG_TTL_MS, maxEntries: MAX_CUSTOMERS, now }),
    minimums: new ExpiringCache({ ttlMs: CATALOG_TTL_MS, maxEntries: MAX_SKUS, now }),
  };
}

/**
 * The minimum quantity of the SKU of `catalogItemId` (`product:sku:availability`) in the catalog of the customer's
 * market: a renewal plan never goes below it. Undefined when the catalog does not say: the customer shows no country,
 * the SKU left the catalog, or a read is refused (Partner Center then refuses a quantity below it when the plan is
 * scheduled). Transient faults throw: the activity is retried. Answered from `deps.skuMinimums` while it holds them.
 */
export async function skuMinimumQuantity(
  deps: SubscriptionActivityDeps,
  customerId: string,
  catalogItemId: string,
): Promise<number | undefined> {
  const [productId, skuId] = catalogItemId.split(':');
  if (!productId || !skuId) return undefined;
  try {
    const { countries, minimums } = deps.skuMinimums ?? createSkuMinimumCache();
    const country = await countries.get(customerId.toLowerCase(), async () => {
      const customer = await deps.partnerCenter.getCustomer(customerId, readOptions());
      return customer.billingProfile?.defaultAddress?.country;
    });
    if (country === undefined) return undefined;
    const key = `${country}|${productId}|${skuId}`.toLowerCase();
    return await minimums.get(key, async () => {
      const sku = await deps.partnerCenter.getSku(productId, skuId, { country }, readOptions());
      return sku.minimumQuantity;
    });
  } catch (err) {
    if (!isPartnerCenterError(err) || err.retryable) throw err;
    return undefined;
  }
}
