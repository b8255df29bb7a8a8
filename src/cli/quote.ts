import { quotePurchaseRequest, type Quote } from '../client';
import type { Action } from './action';
import { UsageError } from './errors';
import type { Values } from './flags';
import { table } from './output';
import { purchaseRequestFromFlags } from './purchase-flags';

/** `pcw quote --file purchase.json`: what the purchase would cost (contract §3g); nothing is bought. */
export function planQuote(values: Values): Action {
  if (values.file === undefined) throw new UsageError(['--file is required: the purchase request to quote']);
  const request = purchaseRequestFromFlags(values);
  return async ({ client, taskQueue, out }) => {
    const quote = await quotePurchaseRequest(client, request, { taskQueue });
    out.emit(quote, describeQuote(quote));
  };
}

function describeQuote(quote: Quote): string {
  const money = (value: number) => `${value.toFixed(2)} ${quote.currency}`;
  const rows = quote.items.map((item) => [
    String(item.item),
    item.catalogItemId,
    `${item.termDuration} ${item.billingCycle}`,
    String(item.quantity),
    money(item.unitPrice),
    money(item.erpUnitPrice),
    item.promotionDiscount ? `${item.promotionDiscount.percent}% (${item.promotionDiscount.promotionId})` : '',
    money(item.pricePerBillingPeriod),
    money(item.priceForTerm),
    item.endOfSale ? `end of sale ${item.endOfSale.date.slice(0, 10)}` : '',
  ]);
  const headers = [
    'item',
    'catalog item',
    'term',
    'seats',
    'unit',
    'ERP unit',
    'promotion',
    'per period',
    'term total',
    '',
  ];
  return `${table(headers, rows)}\nTotal per billing period (${quote.market}): ${money(quote.totalPerBillingPeriod)}`;
}
