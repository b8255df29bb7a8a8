/**
 * The columns of a license-based price sheet and how one row becomes a price (partner-center-lifecycle.md, Price
 * sheets). Lenient: a column is found by its name whatever the case, spaces or underscores; numbers in either decimal
 * style (`1,234.50` and `1.234,50`); a row without a usable product, SKU, term, billing plan or unit price is
 * malformed (the caller counts and skips it).
 */
import { textOf } from './csv-stream';

/** The sheet's columns the index reads, by their key (the name lower-cased without spaces or underscores). */
export const PRICE_COLUMNS = {
  productId: 'ProductId',
  skuId: 'SkuId',
  termDuration: 'TermDuration',
  billingPlan: 'BillingPlan',
  unitPrice: 'UnitPrice',
  erpPrice: 'ERP Price',
  currency: 'Currency',
  market: 'Market',
  segment: 'Segment',
  tierMin: 'PricingTierRangeMin',
  tierMax: 'PricingTierRangeMax',
  effectiveEndDate: 'EffectiveEndDate',
} as const;
export type PriceColumn = keyof typeof PRICE_COLUMNS;
/** Without these a sheet cannot price anything: a header lacking one is an error naming them. */
export const REQUIRED_COLUMNS: readonly PriceColumn[] = [
  'productId',
  'skuId',
  'termDuration',
  'billingPlan',
  'unitPrice',
];

const columnKey = (name: string) => name.replace(/[\s_]/g, '').toLowerCase();
const KEY_TO_COLUMN = new Map<string, PriceColumn>(
  (Object.entries(PRICE_COLUMNS) as Array<[PriceColumn, string]>).map(([column, name]) => [columnKey(name), column]),
);

/** Each header cell as the column it is (undefined for a column the index does not read). */
export function mapHeader(header: readonly string[]): Array<PriceColumn | undefined> {
  return header.map((name) => KEY_TO_COLUMN.get(columnKey(name)));
}

/** The required columns the header lacks (empty when it can be read). */
export function missingColumns(mapped: ReadonlyArray<PriceColumn | undefined>): string[] {
  return REQUIRED_COLUMNS.filter((column) => !mapped.includes(column)).map((column) => PRICE_COLUMNS[column]);
}

/**
 * A price in either decimal style: the last of `.` or `,` is the decimal separator when both appear; a lone `,` is
 * one too (`12,50`); thousands separators are dropped. NaN for anything else.
 */
export function parsePrice(text: string | undefined): number {
  if (text === undefined) return NaN;
  // The common case, a plain decimal number, without the separators' analysis (the sheet's hot path).
  const plain = text === '' ? NaN : Number(text);
  if (!Number.isNaN(plain)) return plain;
  const trimmed = text.trim().replace(/[\s\u00A0']/g, '');
  if (trimmed === '' || !/^-?[\d.,]+$/.test(trimmed)) return NaN;
  const lastDot = trimmed.lastIndexOf('.');
  const lastComma = trimmed.lastIndexOf(',');
  const decimal = lastComma > lastDot ? ',' : '.';
  const thousands = decimal === ',' ? /\./g : /,/g;
  const normalised = trimmed.replace(thousands, '').replace(decimal, '.');
  return /^-?\d*\.?\d+$|^-?\d+\.$/.test(normalised) ? Number(normalised) : NaN;
}

const POWERS_OF_TEN = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/**
 * The price in bytes [start, end) (NaN when empty): a plain `-123.45` is read from its bytes without a string (the
 * sheet's hot path; digits ÷ a power of ten is exact, as Number() would read it), anything else by parsePrice.
 */
export function parsePriceIn(bytes: Uint8Array, start: number, end: number): number {
  if (start === end) return NaN;
  const negative = bytes[start] === 45;
  let digits = 0;
  let decimals = -1;
  let at = negative ? start + 1 : start;
  if (at === end || end - at > 15) return parsePrice(textOf(bytes, start, end));
  for (; at < end; at += 1) {
    const code = bytes[at];
    if (code >= 48 && code <= 57) {
      digits = digits * 10 + (code - 48);
      if (decimals >= 0) decimals += 1;
    } else if (code === 46 && decimals < 0 && at + 1 < end) decimals = 0;
    else return parsePrice(textOf(bytes, start, end));
  }
  const value = decimals > 0 ? digits / POWERS_OF_TEN[decimals] : digits;
  return negative ? -value : value;
}
