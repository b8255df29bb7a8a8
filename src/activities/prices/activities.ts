import { bindActivities } from '../common/bind-activities';
import { checkGuardCurrency, quoteFromCache } from './cached-quote';
import type { PriceActivityDeps } from './deps';
import { readEndOfSale } from './end-of-sale';
import { checkPurchasePrices } from './guard';
import { priceQuote } from './quote';

export type { PriceActivityDeps } from './deps';

/**
 * Activities of the prices (quotes, the purchase's price guard, a lifecycle review's end-of-sale date), bound to the
 * worker's price-sheet client; the cache-only ones (`quoteFromCache`, `checkGuardCurrency`) run as local activities.
 */
export function createPriceActivities(deps: PriceActivityDeps) {
  return bindActivities(deps, {
    priceQuote,
    checkPurchasePrices,
    readEndOfSale,
    quoteFromCache,
    checkGuardCurrency,
  });
}
