import { ApplicationFailure } from '@temporalio/common';
import { CatalogNotCachedError, type CachedPriceSheet, type PriceSheetView } from '../../partner-center';
import { purchaseFailureTypes } from '../../workflows/purchase/failures';
import { validatePurchaseRequest, type CachedQuote, type GuardCurrencyInput } from '../../workflows/purchase/types';
import { resolvePurchaseItems } from '../purchase/resolve-items';
import type { PriceActivityDeps } from './deps';
import { priceItems } from './quote';

/**
 * What a quote or a price guard can answer from the worker's caches alone, as local activities (no task round trip):
 * they call neither Partner Center nor the pricing host, so they spend nothing of the rate budget. When answering
 * would need a call, they say so and the workflow takes its activities (docs/http-api.md, Quotes).
 */

/** The market's sheet when it is cached and read: one still downloading or failed is as good as none here. */
async function readSheet(
  deps: PriceActivityDeps,
  market: string,
  view: PriceSheetView,
): Promise<CachedPriceSheet | undefined> {
  const cached = deps.prices?.cached({ market, view });
  // An already read promise settles first in a race; a pending one loses to the resolved undefined.
  return cached && Promise.race([cached, Promise.resolve(undefined)]).catch(() => undefined);
}

/**
 * A purchase request validated (as `normalisePurchaseRequest` does, so the run records the request it works on) and,
 * when it is valid, quoted from the cached catalog and price sheets: no `quote` when a read is not cached or an item
 * carries a promotion (its eligibility is the customer's, always read). Refusals (an item not in the catalog, no
 * price) are the ones the activities would give. One local activity, so a warm quote is one workflow task.
 */
export async function quoteFromCache(deps: PriceActivityDeps, input: unknown): Promise<CachedQuote> {
  const validation = validatePurchaseRequest(input);
  if (!validation.ok) return { validation };
  const { country, segment, currency, items } = validation.request;
  const catalog = deps.catalog.cacheOnly?.();
  const sheet = await readSheet(deps, country, 'updatedlicensebased');
  const endOfSale = await readSheet(deps, country, 'licensebasedeos');
  if (!catalog || !sheet || !endOfSale || items.some((item) => item.promotionId !== undefined)) return { validation };
  try {
    const resolved = await resolvePurchaseItems(
      { catalog },
      { country, segment, ...(currency !== undefined ? { currency } : {}), items, refresh: false },
    );
    return { validation, quote: priceItems(sheet, endOfSale, { country, segment, items: resolved, promotions: [] }) };
  } catch (err) {
    if (err instanceof CatalogNotCachedError) return { validation };
    throw err;
  }
}

/**
 * A guarded purchase's currency against its market's, when the market's cached price sheet tells it: refused before
 * any call (`CurrencyMismatch` naming `currency`); nothing known, nothing refused (the guard checks it later).
 */
export async function checkGuardCurrency(deps: PriceActivityDeps, input: GuardCurrencyInput): Promise<void> {
  const sheet = await readSheet(deps, input.country, 'updatedlicensebased');
  if (sheet?.currencies.length !== 1 || sheet.currencies[0] === input.currency) return;
  throw ApplicationFailure.create({
    type: purchaseFailureTypes.currencyMismatch,
    message: `currency: the guard's limits are in ${input.currency}, but ${input.country} is priced in ${sheet.currencies[0]} (its price sheet of ${sheet.month}); nothing was called`,
    details: [{ field: 'currency', expected: sheet.currencies[0], actual: input.currency }],
    nonRetryable: true,
  });
}
