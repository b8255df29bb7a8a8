import { patched, proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { PriceActivities } from '../../activities';
import { applicationCause } from '../common/activity-failures';
import { partnerCenterCall, recordedValidation } from '../common/activity-options';
import { calls, resolveItems } from './calls';
import { invalidPurchaseRequest } from './rules';
import type {
  CachedQuote,
  PriceGuardOutcome,
  PurchaseRequest,
  Quote,
  ResolvedItem,
  ValidPurchaseRequest,
} from './types';

/**
 * Quotes and the price guard (contract §3g). A quote is a short workflow on the worker's task queue, so its catalog,
 * promotion and price-sheet reads share the Partner Center rate budget with every purchase, and the sheet cache of
 * the worker serves quotes and guards alike (docs/http-api.md, Quotes).
 */

const prices = proxyActivities<PriceActivities>(partnerCenterCall);
/** The answers from the worker's caches: one attempt, they call nothing that could fail transiently. */
const fromCaches = proxyLocalActivities<PriceActivities>({ startToCloseTimeout: '10s', retry: { maximumAttempts: 1 } });
/** Runs started since first ask the worker's caches (a warm quote is one workflow task, no activity task). */
const QUOTE_FROM_CACHES_PATCH = 'quote-from-caches';
/** Guarded purchases started since refuse a currency their market's cached sheet contradicts before any call. */
export const GUARD_CURRENCY_PATCH = 'purchase-guard-currency-first';

/** `POST /v1/quotes`, `pcw quote`: what a purchase request would cost; nothing is bought, no cart is created. */
export async function quotePurchase(input: PurchaseRequest): Promise<Quote> {
  const { validation, quote } = patched(QUOTE_FROM_CACHES_PATCH)
    ? await quoteFromCaches(input)
    : { validation: await recordedValidation.normalisePurchaseRequest(input), quote: undefined };
  if (!validation.ok) throw invalidPurchaseRequest(validation.problems);
  if (quote !== undefined) return quote;
  const request = validation.request;
  const { customerId, country, segment } = request;
  const items = await resolveItems(request, false);
  const withPromotion = items.filter((i) => i.promotionId !== undefined);
  const promotions =
    withPromotion.length === 0
      ? []
      : await calls.checkPurchasePromotions.executeWithOptions(
          { summary: `Check the promotion eligibility of ${withPromotion.length} item(s)` },
          [{ customerId, country, segment, onIneligiblePromotion: 'buyWithout', items }],
        );
  return prices.priceQuote.executeWithOptions(
    { summary: `Price ${items.length} item(s) from the ${country} price sheet` },
    [{ country, segment, items, promotions }],
  );
}

/**
 * The request validated and, when the worker's caches can answer, quoted, in one local activity. A refusal it gives
 * (not in the catalog, no price) is the quote's; after any other failure the request is validated alone and the
 * activities read what is missing.
 */
async function quoteFromCaches(input: PurchaseRequest): Promise<CachedQuote> {
  try {
    return await fromCaches.quoteFromCache.executeWithOptions(
      {
        summary: `Validate and price ${input.items?.length ?? 0} item(s) from the worker's cached catalog and price sheet`,
      },
      [input],
    );
  } catch (err) {
    if (applicationCause(err)?.nonRetryable) throw err;
    return { validation: await recordedValidation.normalisePurchaseRequest(input) };
  }
}

/** A guarded purchase's currency against its market's cached price sheet: `CurrencyMismatch` before any call. */
export function checkGuardCurrency(request: ValidPurchaseRequest): Promise<void> {
  return fromCaches.checkGuardCurrency.executeWithOptions(
    {
      summary: `Check the guard's currency ${request.currency ?? ''} against the cached ${request.country} price sheet`,
    },
    [{ country: request.country, currency: request.currency ?? '' }],
  );
}

/** Whether the request carries a price guard (a purchase without one never reads the price sheet). */
export function hasPriceGuard(request: ValidPurchaseRequest): boolean {
  return request.maxTotal !== undefined || request.items.some((item) => item.maxUnitPrice !== undefined);
}

/** The guard's activity: `PriceAboveLimit` when a price is above its limit; the prices seen otherwise (recorded). */
export function checkPriceGuard(request: ValidPurchaseRequest, items: ResolvedItem[]): Promise<PriceGuardOutcome> {
  const maxUnitPrices = request.items.flatMap((item, index) =>
    item.maxUnitPrice === undefined ? [] : [{ item: index, limit: item.maxUnitPrice }],
  );
  return prices.checkPurchasePrices.executeWithOptions(
    { summary: `Check ${items.length} item(s) against the price guard (${request.currency ?? ''})` },
    [
      {
        country: request.country,
        segment: request.segment,
        // Validation requires a currency with a guard.
        currency: request.currency ?? '',
        items,
        maxUnitPrices,
        ...(request.maxTotal !== undefined ? { maxTotal: request.maxTotal } : {}),
      },
    ],
  );
}
