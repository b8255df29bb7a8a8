import { bindActivities } from '../common/bind-activities';
import type { PriceActivityDeps } from './deps';
import { checkPurchasePrices } from './guard';
import { priceQuote } from './quote';

export type { PriceActivityDeps } from './deps';

/** Activities of the prices (quotes and the purchase's price guard), bound to the worker's price-sheet client. */
export function createPriceActivities(deps: PriceActivityDeps) {
  return bindActivities(deps, { priceQuote, checkPurchasePrices });
}
