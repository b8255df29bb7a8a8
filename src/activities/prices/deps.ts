import type { CatalogResolver, PartnerCenterClient, PriceSheetClient } from '../../partner-center';

export interface PriceActivityDeps {
  /** The price sheets, cached in the worker per market, view and month; without it a quote or guard fails saying so. */
  prices?: PriceSheetClient;
  /** For the promotions' discounts. */
  partnerCenter: PartnerCenterClient;
  /** The worker's cached catalog resolver, read cache-only by a quote from the caches. */
  catalog: CatalogResolver;
}

/** The worker's price-sheet client, or the failure saying it has none. */
export function priceSheetsOf(deps: Pick<PriceActivityDeps, 'prices'>): PriceSheetClient {
  if (deps.prices === undefined)
    throw new Error(
      'This worker has no price-sheet client (PARTNER_PRICING_BASE_URL): it cannot quote or guard prices',
    );
  return deps.prices;
}
