import { proxyActivities } from '@temporalio/workflow';
import type { PriceActivities } from '../../activities';
import { partnerCenterCall, recordedValidation } from '../common/activity-options';
import { calls, resolveItems } from './calls';
import { invalidPurchaseRequest } from './rules';
import type { PriceGuardOutcome, PurchaseRequest, Quote, ResolvedItem, ValidPurchaseRequest } from './types';

/**
 * Quotes and the price guard (contract §3g). A quote is a short workflow on the worker's task queue, so its catalog,
 * promotion and price-sheet reads share the Partner Center rate budget with every purchase, and the sheet cache of
 * the worker serves quotes and guards alike (docs/http-api.md, Quotes).
 */

const prices = proxyActivities<PriceActivities>(partnerCenterCall);

/** `POST /v1/quotes`, `pcw quote`: what a purchase request would cost; nothing is bought, no cart is created. */
export async function quotePurchase(input: PurchaseRequest): Promise<Quote> {
  const validation = await recordedValidation.normalisePurchaseRequest(input);
  if (!validation.ok) throw invalidPurchaseRequest(validation.problems);
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
