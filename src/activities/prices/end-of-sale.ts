import { isPartnerCenterError } from '../../partner-center';
import type { EndOfSaleInput, EndOfSaleLookup } from '../../workflows/subscription/lifecycle-types';
import { readOptions } from '../common/request-ids';
import type { PriceActivityDeps } from './deps';

/**
 * A subscription's offer on the end-of-sale list of its customer's market (issue 27), for its lifecycle's renewal
 * review: the `licensebasedeos` sheet comes from the worker's cache (one fetch a month per market, whatever the
 * reviews). The review must never wait on it: a refusal (no App+User access to the pricing host, a customer without
 * a country) is an answer saying why the date is unknown; only transient faults throw (the workflow retries them
 * briefly, then records the date as unknown).
 */
export async function readEndOfSale(deps: PriceActivityDeps, input: EndOfSaleInput): Promise<EndOfSaleLookup> {
  if (deps.prices === undefined) return { unknown: 'this worker has no price-sheet client (PARTNER_PRICING_BASE_URL)' };
  const offer = input.catalogItemId.split(':').slice(0, 2).join(':').toUpperCase();
  try {
    const customer = await deps.partnerCenter.getCustomer(input.customerId, readOptions());
    const market = customer.billingProfile?.defaultAddress?.country;
    if (market === undefined) return { unknown: "the customer's billing profile shows no country (market)" };
    const sheet = await deps.prices.sheet({ market, view: 'licensebasedeos' });
    const listed = sheet.offers().find((o) => `${o.productId}:${o.skuId}`.toUpperCase() === offer);
    const date = listed?.row.effectiveEndDate;
    return date === undefined ? {} : { endOfSale: { date } };
  } catch (err) {
    if (!isPartnerCenterError(err) || err.retryable) throw err;
    return { unknown: err.message };
  }
}
