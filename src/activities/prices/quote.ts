import { ApplicationFailure } from '@temporalio/common';
import { tierFor, type CachedPriceSheet } from '../../partner-center';
import { purchaseFailureTypes } from '../../workflows/purchase/failures';
import type { PriceItemsInput, Quote, QuoteItem, ResolvedItem } from '../../workflows/purchase/types';
import { toActivityFailure } from '../common/failures';
import { readOptions } from '../common/request-ids';
import { promotionDiscountOf } from '../purchase/promotions';
import { priceSheetsOf, type PriceActivityDeps } from './deps';

/** Months of a term or of a billing period ('none', a trial, bills its one month once). */
const MONTHS: Record<string, number> = { P1M: 1, P1Y: 12, P3Y: 36, monthly: 1, annual: 12, triennial: 36, none: 1 };
const cents = (value: number) => Math.round(value * 100) / 100;

/**
 * Prices a purchase's resolved items from the market's license-based price sheet and its end-of-sale list (both
 * cached in the worker: one fetch a month per market): the row of the item's term, billing plan and segment whose
 * tier holds its quantity, less the discount of the promotion the purchase would apply.
 */
export async function priceQuote(deps: PriceActivityDeps, input: PriceItemsInput): Promise<Quote> {
  try {
    const prices = priceSheetsOf(deps);
    const [sheet, endOfSale] = await Promise.all([
      prices.sheet({ market: input.country, view: 'updatedlicensebased' }),
      prices.sheet({ market: input.country, view: 'licensebasedeos' }),
    ]);
    return priceItems(sheet, endOfSale, input, await promotionDiscounts(deps, input));
  } catch (err) {
    throw toActivityFailure(err, purchaseFailureTypes.priceNotFound);
  }
}

/** The quote of resolved items from the market's two sheets. */
export function priceItems(
  sheet: CachedPriceSheet,
  endOfSale: CachedPriceSheet,
  input: PriceItemsInput,
  discounts: ReadonlyMap<number, { promotionId: string; percent: number }> = new Map(),
): Quote {
  const items = input.items.map((item) => quoteItem(sheet, endOfSale, input, item, discounts.get(item.item)));
  const currency = items.length > 0 ? currencyOf(sheet, input, input.items[0]) : '';
  return {
    market: input.country,
    currency,
    items: items.map(({ quote }) => quote),
    totalPerBillingPeriod: cents(items.reduce((sum, { quote }) => sum + quote.pricePerBillingPeriod, 0)),
  };
}

/** Per item index, the promotion applied and its percent (listed only when some item has one). */
async function promotionDiscounts(
  deps: PriceActivityDeps,
  input: PriceItemsInput,
): Promise<Map<number, { promotionId: string; percent: number }>> {
  const applied = input.promotions.filter((p) => p.promotionId !== undefined);
  const discounts = new Map<number, { promotionId: string; percent: number }>();
  if (applied.length === 0) return discounts;
  const market = await deps.partnerCenter.listProductPromotions(
    { country: input.country, segment: input.segment },
    readOptions(),
  );
  for (const { item, promotionId } of applied) {
    const promotion = market.find((p) => p.id.toLowerCase() === promotionId!.toLowerCase());
    if (promotion) discounts.set(item, { promotionId: promotion.id, percent: promotionDiscountOf(promotion) });
  }
  return discounts;
}

function rowsOf(sheet: CachedPriceSheet, input: PriceItemsInput, item: ResolvedItem) {
  const [productId, skuId] = item.catalogItemId.split(':');
  return sheet.rowsOf({
    productId,
    skuId,
    termDuration: item.termDuration,
    billingPlan: item.billingCycle,
    segment: input.segment,
  });
}

function currencyOf(sheet: CachedPriceSheet, input: PriceItemsInput, item: ResolvedItem): string {
  return rowsOf(sheet, input, item)[0]?.currency ?? '';
}

function quoteItem(
  sheet: CachedPriceSheet,
  endOfSale: CachedPriceSheet,
  input: PriceItemsInput,
  item: ResolvedItem,
  discount: { promotionId: string; percent: number } | undefined,
): { quote: QuoteItem } {
  const row = tierFor(rowsOf(sheet, input, item), item.quantity);
  if (row === undefined) {
    throw ApplicationFailure.create({
      type: purchaseFailureTypes.priceNotFound,
      message: `items[${item.item}]: the ${input.country} price sheet of ${sheet.month} has no price for ${item.catalogItemId} ${item.termDuration} ${item.billingCycle} (${input.segment}, ${item.quantity} seat(s))`,
      details: [{ item: item.item, catalogItemId: item.catalogItemId, market: input.country, month: sheet.month }],
      nonRetryable: true,
    });
  }
  const pricePerBillingPeriod = cents(row.unitPrice * item.quantity * (1 - (discount?.percent ?? 0) / 100));
  const eos = tierFor(rowsOf(endOfSale, input, item), item.quantity)?.effectiveEndDate;
  return {
    quote: {
      item: item.item,
      catalogItemId: item.catalogItemId,
      termDuration: item.termDuration,
      billingCycle: item.billingCycle,
      quantity: item.quantity,
      unitPrice: row.unitPrice,
      erpUnitPrice: row.erpPrice ?? row.unitPrice,
      ...(discount !== undefined ? { promotionDiscount: discount } : {}),
      pricePerBillingPeriod,
      priceForTerm: cents((pricePerBillingPeriod * MONTHS[item.termDuration]) / MONTHS[item.billingCycle]),
      ...(eos !== undefined ? { endOfSale: { date: eos } } : {}),
    },
  };
}
