import { ApplicationFailure } from '@temporalio/common';
import { purchaseFailureTypes } from '../../workflows/purchase/failures';
import type { PriceGuardInput, PriceGuardOutcome } from '../../workflows/purchase/types';
import type { PriceActivityDeps } from './deps';
import { priceQuote } from './quote';

/**
 * The purchase's price guard (contract §3g): the sheet's unit price of each item with a `maxUnitPrice`, and the
 * quote's total per billing period against `maxTotal` (list prices: a promotion is not counted on). Above a limit →
 * `PriceAboveLimit` naming both figures; otherwise the prices seen, recorded in the run's history.
 */
export async function checkPurchasePrices(deps: PriceActivityDeps, input: PriceGuardInput): Promise<PriceGuardOutcome> {
  const quote = await priceQuote(deps, { ...input, promotions: [] });
  const limits = new Map(input.maxUnitPrices.map(({ item, limit }) => [item, limit]));
  const above: Array<{ item: number | 'total'; price: number; limit: number; currency: string }> = [];
  if (quote.currency !== '' && quote.currency !== input.currency) {
    throw ApplicationFailure.create({
      type: purchaseFailureTypes.currencyMismatch,
      message: `currency: the guard's limits are in ${input.currency}, the ${input.country} price sheet in ${quote.currency}`,
      details: [{ field: 'currency', expected: quote.currency, actual: input.currency }],
      nonRetryable: true,
    });
  }
  const items = quote.items.map(({ item, unitPrice }) => {
    const limit = limits.get(item);
    if (limit !== undefined && unitPrice > limit)
      above.push({ item, price: unitPrice, limit, currency: input.currency });
    return { item, price: unitPrice, ...(limit !== undefined ? { limit } : {}) };
  });
  if (input.maxTotal !== undefined && quote.totalPerBillingPeriod > input.maxTotal) {
    above.push({ item: 'total', price: quote.totalPerBillingPeriod, limit: input.maxTotal, currency: input.currency });
  }
  if (above.length > 0) {
    throw ApplicationFailure.create({
      type: purchaseFailureTypes.priceAboveLimit,
      message: `Price above limit: ${above
        .map(
          (a) =>
            `${a.item === 'total' ? 'maxTotal' : `items[${a.item}]`} costs ${a.price} ${a.currency}, above the limit ${a.limit} ${a.currency}`,
        )
        .join('; ')}`,
      details: above,
      nonRetryable: true,
    });
  }
  return { currency: quote.currency, items, total: quote.totalPerBillingPeriod };
}
