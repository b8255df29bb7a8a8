import { billingCyclesFor, COUNTRIES, unitPrice, type BillingCycle, type CatalogSku, type Country } from './catalog';
import type { World } from './state';

/**
 * The license-based price sheets of the pricing host (docs/sandbox.md, Price sheets): one row per catalog item the
 * sandbox sells (product, SKU, segment, term and billing plan) in a market, priced as checkout charges it, with the
 * ERP (list) price 20% above; tiered prices for Office 365 E1; Microsoft Teams Essentials on the end-of-sale list.
 * Price changes (`POST /_sandbox/prices`) belong to the world, so a reset forgets them.
 */

export const PRICE_SHEET_COLUMNS = [
  'ProductTitle',
  'ProductId',
  'SkuId',
  'SkuTitle',
  'Publisher',
  'SkuDescription',
  'UnitOfMeasure',
  'TermDuration',
  'BillingPlan',
  'Market',
  'Currency',
  'UnitPrice',
  'PricingTierRangeMin',
  'PricingTierRangeMax',
  'EffectiveStartDate',
  'EffectiveEndDate',
  'Tags',
  'ERP Price',
  'Segment',
] as const;

export type PriceSheetView = 'updatedlicensebased' | 'licensebasedeos';

/** The offer with tiered prices: seats above 2,400 cost 5% less (the tier a quantity falls in prices every seat). */
export const TIERED_OFFER = {
  productId: 'CFQ7TTC0LF8Q',
  skuId: '0001',
  tiers: [
    { min: 1, max: 2400, factor: 1 },
    { min: 2401, max: 10000, factor: 0.95 },
  ],
};
interface Tier {
  min?: number;
  max?: number;
  factor: number;
}
const UNTIERED: Tier[] = [{ factor: 1 }];
/** The offer on the end-of-sale list: it leaves the catalog on the first day of the third month after this one. */
export const END_OF_SALE_OFFER = { productId: 'CFQ7TTC0RM8K', skuId: '0001', monthsAhead: 3 };
const ERP_MARKUP = 1.2;
const NO_END = '9999-12-31T23:59:59Z';

const BILLING_PLANS: Record<BillingCycle, string> = {
  monthly: 'Monthly',
  annual: 'Annual',
  triennial: 'Triennial',
  none: 'None',
};

/** Monthly USD list prices set by the control, per "PRODUCT:SKU", per world (a reset starts a new world). */
const priceChanges = new WeakMap<World, Map<string, number>>();

export function changePrice(world: World, productId: string, skuId: string, monthlyPriceUsd: number): void {
  const changes = priceChanges.get(world) ?? new Map<string, number>();
  changes.set(`${productId.toUpperCase()}:${skuId}`, monthlyPriceUsd);
  priceChanges.set(world, changes);
}

function pricedSku(world: World, productId: string, sku: CatalogSku): CatalogSku {
  const changed = priceChanges.get(world)?.get(`${productId.toUpperCase()}:${sku.id}`);
  return changed === undefined ? sku : { ...sku, monthlyPriceUsd: changed };
}

/** The first day of the month `monthsAhead` after `now`'s, as an ISO timestamp. */
export function endOfSaleDate(now: number, monthsAhead = END_OF_SALE_OFFER.monthsAhead): string {
  const date = new Date(now);
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + monthsAhead, 1)).toISOString();
}

/** YYYYMM of `now`, or the month asked for. */
export function monthOf(now: number): string {
  return new Date(now).toISOString().slice(0, 7).replace('-', '');
}

const isEndOfSale = (productId: string, skuId: string) =>
  productId === END_OF_SALE_OFFER.productId && skuId === END_OF_SALE_OFFER.skuId;

/** The rows of one view for one market and month, as arrays in PRICE_SHEET_COLUMNS order. */
export function* priceSheetRows(
  world: World,
  view: PriceSheetView,
  market: Country,
  month: string,
  now: number,
): Generator<string[]> {
  const { currency } = COUNTRIES[market];
  const start = `${month.slice(0, 4)}-${month.slice(4, 6)}-01T00:00:00Z`;
  for (const product of world.catalog.products) {
    for (const catalogSku of product.skus) {
      const endOfSale = isEndOfSale(product.id, catalogSku.id);
      if (view === 'licensebasedeos' && !endOfSale) continue;
      const sku = pricedSku(world, product.id, catalogSku);
      const tiers: Tier[] =
        product.id === TIERED_OFFER.productId && sku.id === TIERED_OFFER.skuId ? TIERED_OFFER.tiers : UNTIERED;
      for (const segment of sku.segments) {
        for (const term of sku.terms) {
          for (const cycle of billingCyclesFor(sku, term)) {
            const price = unitPrice(sku, market, term, cycle);
            for (const { min, max, factor } of tiers) {
              const partnerPrice = round(price * factor);
              yield [
                product.title,
                product.id,
                sku.id,
                sku.title,
                'Microsoft Corporation',
                sku.description,
                'Licenses',
                term,
                BILLING_PLANS[cycle],
                market,
                currency,
                partnerPrice.toFixed(2),
                min === undefined ? '' : String(min),
                max === undefined ? '' : String(max),
                start,
                endOfSale ? endOfSaleDate(now) : NO_END,
                sku.isAddon ? 'AddOn' : '',
                round(partnerPrice * ERP_MARKUP).toFixed(2),
                segment.charAt(0).toUpperCase() + segment.slice(1),
              ];
            }
          }
        }
      }
    }
  }
}

const round = (value: number) => Math.round(value * 100) / 100;

/** One CSV line: fields with a comma, quote or line break quoted, quotes doubled. */
export function csvLine(fields: readonly string[]): string {
  return `${fields.map((f) => (/[",\r\n]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f)).join(',')}\r\n`;
}

export function priceSheetCsv(world: World, view: PriceSheetView, market: Country, month: string, now: number): string {
  let text = csvLine(PRICE_SHEET_COLUMNS);
  for (const row of priceSheetRows(world, view, market, month, now)) text += csvLine(row);
  return text;
}
