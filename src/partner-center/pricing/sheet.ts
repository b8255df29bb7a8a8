import { PartnerCenterResponseShapeError } from '../errors';
import { mapHeader, missingColumns, parsePrice, parseTierBound, PRICE_COLUMNS, type PriceColumn } from './columns';
import { readCsv } from './csv-stream';

/**
 * A price sheet read into an index: per product, SKU, term, billing plan and segment (case-insensitive), the rows of
 * its price tiers. Only what a quote needs is kept (numbers, and shared strings for currency and dates), so a market's
 * sheet of hundreds of thousands of rows stays small.
 */

export interface PriceRow {
  currency: string;
  unitPrice: number;
  /** The ERP (list) price, when the sheet gives one. */
  erpPrice?: number;
  tierMin?: number;
  tierMax?: number;
  /** EffectiveEndDate: the end-of-sale date in the `licensebasedeos` view. */
  effectiveEndDate?: string;
}

export interface PriceKey {
  productId: string;
  skuId: string;
  termDuration: string;
  /** The billing cycle (`monthly`, `annual`, …), which the sheet calls its billing plan. */
  billingPlan: string;
  /** `commercial` when absent. */
  segment?: string;
}

export interface PriceSheet {
  /** Rows read into the index. */
  rows: number;
  /** Rows skipped: broken quoting, or no usable product, SKU, term, billing plan or unit price. */
  malformedRows: number;
  /** The tiers of one item, lowest first; empty when the sheet has no row for it. */
  rowsOf(key: PriceKey): readonly PriceRow[];
  /** Every "PRODUCT:SKU" with its first row (the end-of-sale view's offers). */
  offers(): Array<{ productId: string; skuId: string; row: PriceRow }>;
}

const DEFAULT_SEGMENT = 'commercial';
const keyOf = (k: PriceKey) =>
  `${k.productId}:${k.skuId}:${k.termDuration}:${k.billingPlan}:${k.segment ?? DEFAULT_SEGMENT}`.toUpperCase();

/** Reads a CSV price sheet from its chunks into an index; a header without the required columns is an error naming them. */
export async function readPriceSheet(
  chunks: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  source: string,
): Promise<PriceSheet> {
  const index: PriceIndex = new Map();
  const shareCurrency = sharedStrings();
  const shareDate = sharedStrings();
  let columns: Array<PriceColumn | undefined> | undefined;
  let at: ColumnIndexes | undefined;
  let rows = 0;
  let malformedRows = 0;
  await readCsv(chunks, {
    malformed: () => {
      malformedRows += 1;
    },
    record: (fields) => {
      if (columns === undefined) {
        columns = mapHeader(fields);
        const missing = missingColumns(columns);
        if (missing.length > 0)
          throw new PartnerCenterResponseShapeError(
            { description: `the price sheet lacks the columns ${missing.join(', ')}` },
            `${source}: the price sheet lacks the columns ${missing.join(', ')} (its header: ${fields.slice(0, 20).join(', ')})`,
          );
        const mapped = columns;
        at = Object.fromEntries(
          (Object.keys(PRICE_COLUMNS) as PriceColumn[]).map((column) => [column, mapped.indexOf(column)]),
        ) as ColumnIndexes;
        return;
      }
      if (addRow(index, fields, at!, shareCurrency, shareDate)) rows += 1;
      else malformedRows += 1;
    },
  });
  if (columns === undefined)
    throw new PartnerCenterResponseShapeError(
      { description: 'the price sheet is empty' },
      `${source}: the price sheet is empty`,
    );
  for (const tiers of index.values())
    if (Array.isArray(tiers)) tiers.sort((a, b) => (a.tierMin ?? 0) - (b.tierMin ?? 0));
  return {
    rows,
    malformedRows,
    rowsOf: (key) => rowsAt(index, keyOf(key)),
    offers: () => offersOf(index),
  };
}

/**
 * One copy of each repeated value (currency, dates), not a slice of the chunk it was read from (which would keep the
 * chunk alive); rows come grouped, so the previous row's value is checked first.
 */
function sharedStrings(): (value: string) => string {
  const shared = new Map<string, string>();
  let last = '';
  let lastShared = '';
  return (value) => {
    if (value === last) return lastShared;
    let copy = shared.get(value);
    if (copy === undefined) {
      copy = Buffer.from(value, 'utf8').toString('utf8');
      shared.set(copy, copy);
    }
    last = value;
    lastShared = copy;
    return copy;
  };
}

/** The sheet's column indexes the index reads (-1: the sheet has no such column). */
type ColumnIndexes = Record<PriceColumn, number>;

/** A cell without surrounding spaces (trimmed only when it has some: the common cell is taken as it is). */
function cell(fields: string[], at: number): string | undefined {
  if (at < 0) return undefined;
  const value = fields[at];
  if (value === undefined || value === '') return value;
  return value.charCodeAt(0) === 32 || value.charCodeAt(value.length - 1) === 32 ? value.trim() : value;
}

/** Adds one row (false when it is malformed); one object of one shape per row, tiers only where there are some. */
function addRow(
  index: PriceIndex,
  fields: string[],
  at: ColumnIndexes,
  shareCurrency: (value: string) => string,
  shareDate: (value: string) => string,
): boolean {
  const productId = cell(fields, at.productId);
  const skuId = cell(fields, at.skuId);
  const termDuration = cell(fields, at.termDuration);
  const billingPlan = cell(fields, at.billingPlan);
  const unitPrice = parsePrice(cell(fields, at.unitPrice));
  if (!productId || !skuId || !termDuration || !billingPlan || !Number.isFinite(unitPrice)) return false;
  const erp = cell(fields, at.erpPrice);
  const erpPrice = erp === undefined || erp === '' ? undefined : parsePrice(erp);
  const tierMin = parseTierBound(cell(fields, at.tierMin));
  const tierMax = parseTierBound(cell(fields, at.tierMax));
  if (Number.isNaN(erpPrice) || Number.isNaN(tierMin) || Number.isNaN(tierMax)) return false;
  const endDate = cell(fields, at.effectiveEndDate);
  const row: PriceRow = {
    currency: shareCurrency((cell(fields, at.currency) ?? '').toUpperCase()),
    unitPrice,
    erpPrice,
    tierMin,
    tierMax,
    effectiveEndDate: endDate && !endDate.startsWith('9999') ? shareDate(endDate) : undefined,
  };
  const key =
    `${productId}:${skuId}:${termDuration}:${billingPlan}:${cell(fields, at.segment) || DEFAULT_SEGMENT}`.toUpperCase();
  const known = index.get(key);
  if (known === undefined) index.set(key, row);
  else if (Array.isArray(known)) known.push(row);
  else index.set(key, [known, row]);
  return true;
}

/** Per key, its one row, or its tiers. */
type PriceIndex = Map<string, PriceRow | PriceRow[]>;

function rowsAt(index: PriceIndex, key: string): readonly PriceRow[] {
  const rows = index.get(key);
  return rows === undefined ? [] : Array.isArray(rows) ? rows : [rows];
}

function offersOf(index: PriceIndex): Array<{ productId: string; skuId: string; row: PriceRow }> {
  const offers = new Map<string, { productId: string; skuId: string; row: PriceRow }>();
  for (const [key, rows] of index) {
    const [productId, skuId] = key.split(':');
    const row = Array.isArray(rows) ? rows[0] : rows;
    if (!offers.has(`${productId}:${skuId}`)) offers.set(`${productId}:${skuId}`, { productId, skuId, row });
  }
  return [...offers.values()];
}

/** The row whose tier holds `quantity` (the only row when the item has no tiers); undefined when none does. */
export function tierFor(rows: readonly PriceRow[], quantity: number): PriceRow | undefined {
  return rows.find(
    (row) =>
      (row.tierMin === undefined || quantity >= row.tierMin) && (row.tierMax === undefined || quantity <= row.tierMax),
  );
}
