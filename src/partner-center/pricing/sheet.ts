import { PartnerCenterResponseShapeError } from '../errors';
import { mapHeader, missingColumns, parsePrice, parseTierBound, type PriceColumn } from './columns';
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
  const index = new Map<string, PriceRow[]>();
  const shared = new Map<string, string>();
  // One copy of each repeated value (currency, dates), not a slice of the chunk it was read from.
  const share = (value: string) => {
    const known = shared.get(value);
    if (known !== undefined) return known;
    const copy = Buffer.from(value, 'utf8').toString('utf8');
    shared.set(copy, copy);
    return copy;
  };
  let columns: Array<PriceColumn | undefined> | undefined;
  let at: Record<PriceColumn, number> | undefined;
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
        at = Object.fromEntries(columns.map((c, i) => [c, i]).filter(([c]) => c !== undefined)) as typeof at;
        return;
      }
      if (addRow(index, fields, at!, share)) rows += 1;
      else malformedRows += 1;
    },
  });
  if (columns === undefined)
    throw new PartnerCenterResponseShapeError(
      { description: 'the price sheet is empty' },
      `${source}: the price sheet is empty`,
    );
  for (const tiers of index.values()) if (tiers.length > 1) tiers.sort((a, b) => (a.tierMin ?? 0) - (b.tierMin ?? 0));
  return {
    rows,
    malformedRows,
    rowsOf: (key) => index.get(keyOf(key)) ?? [],
    offers: () => offersOf(index),
  };
}

function addRow(
  index: Map<string, PriceRow[]>,
  fields: string[],
  at: Partial<Record<PriceColumn, number>>,
  share: (value: string) => string,
): boolean {
  const field = (column: PriceColumn) => (at[column] === undefined ? undefined : fields[at[column]]?.trim());
  const [productId, skuId, termDuration, billingPlan] = [
    field('productId'),
    field('skuId'),
    field('termDuration'),
    field('billingPlan'),
  ];
  const unitPrice = parsePrice(field('unitPrice'));
  const erp = field('erpPrice');
  const erpPrice = erp === undefined || erp === '' ? undefined : parsePrice(erp);
  const tierMin = parseTierBound(field('tierMin'));
  const tierMax = parseTierBound(field('tierMax'));
  if (!productId || !skuId || !termDuration || !billingPlan || !Number.isFinite(unitPrice)) return false;
  if ([erpPrice, tierMin, tierMax].some((n) => n !== undefined && !Number.isFinite(n))) return false;
  const endDate = field('effectiveEndDate');
  const row: PriceRow = {
    currency: share((field('currency') ?? '').toUpperCase()),
    unitPrice,
    ...(erpPrice !== undefined ? { erpPrice } : {}),
    ...(tierMin !== undefined ? { tierMin } : {}),
    ...(tierMax !== undefined ? { tierMax } : {}),
    ...(endDate && !endDate.startsWith('9999') ? { effectiveEndDate: share(endDate) } : {}),
  };
  const segment = field('segment') || DEFAULT_SEGMENT;
  const key = keyOf({ productId, skuId, termDuration, billingPlan, segment });
  const tiers = index.get(key);
  if (tiers) tiers.push(row);
  else index.set(key, [row]);
  return true;
}

function offersOf(index: Map<string, PriceRow[]>): Array<{ productId: string; skuId: string; row: PriceRow }> {
  const offers = new Map<string, { productId: string; skuId: string; row: PriceRow }>();
  for (const [key, tiers] of index) {
    const [productId, skuId] = key.split(':');
    if (!offers.has(`${productId}:${skuId}`)) offers.set(`${productId}:${skuId}`, { productId, skuId, row: tiers[0] });
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
