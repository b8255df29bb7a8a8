import { PartnerCenterResponseShapeError } from '../errors';
import { mapHeader, missingColumns, parsePriceIn, PRICE_COLUMNS, type PriceColumn } from './columns';
import { readCsv, type CsvRecord } from './csv-stream';
import { PriceStore, RangeInterner, type PriceRow } from './price-index';

export type { PriceRow } from './price-index';

/**
 * A price sheet read into an index: per product, SKU, term, billing plan and segment (case-insensitive), the rows of
 * its price tiers. Only the columns a quote needs are read, from the cells' bytes (numbers parsed from them, the key's
 * parts compared byte by byte; a string only for a new offer or a new value), into a compact store (price-index.ts),
 * so a market's sheet of hundreds of thousands of rows is read about as fast as it is split and stays small.
 */

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
  /** The currencies its rows are in (a market's sheet has one). */
  currencies: string[];
  /** The tiers of one item, lowest first; empty when the sheet has no row for it. */
  rowsOf(key: PriceKey): readonly PriceRow[];
  /** Every "PRODUCT:SKU" with its first row (the end-of-sale view's offers). */
  offers(): Array<{ productId: string; skuId: string; row: PriceRow }>;
}

const DEFAULT_SEGMENT = 'commercial';
/** An item's key in two parts, as RowReader builds them: its offer and its plan. */
const offerOf = (k: PriceKey) => `${k.productId}:${k.skuId}`.toUpperCase();
const planOf = (k: PriceKey) => `:${k.termDuration}:${k.billingPlan}:${k.segment || DEFAULT_SEGMENT}`.toUpperCase();

/** Reads a CSV price sheet from its chunks into an index; a header without the required columns is an error naming them. */
export async function readPriceSheet(
  chunks: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  source: string,
): Promise<PriceSheet> {
  const store = new PriceStore();
  let rows: RowReader | undefined;
  let malformedRows = 0;
  await readCsv(chunks, {
    malformed: () => {
      malformedRows += 1;
    },
    record: (record) => {
      if (rows === undefined) rows = new RowReader(store, columnsOf(record.fields(), source));
      else if (!rows.add(record)) malformedRows += 1;
    },
  });
  if (rows === undefined)
    throw new PartnerCenterResponseShapeError(
      { description: 'the price sheet is empty' },
      `${source}: the price sheet is empty`,
    );
  return {
    rows: store.rows,
    malformedRows,
    currencies: store.currencyValues.values.filter((currency) => currency !== ''),
    rowsOf: (key) => store.rowsOf(offerOf(key), planOf(key)),
    offers: () => offersOf(store),
  };
}

/** The sheet's column indexes the index reads (-1: the sheet has no such column). */
type ColumnIndexes = Record<PriceColumn, number>;

function columnsOf(header: string[], source: string): ColumnIndexes {
  const mapped = mapHeader(header);
  const missing = missingColumns(mapped);
  if (missing.length > 0)
    throw new PartnerCenterResponseShapeError(
      { description: `the price sheet lacks the columns ${missing.join(', ')}` },
      `${source}: the price sheet lacks the columns ${missing.join(', ')} (its header: ${header.slice(0, 20).join(', ')})`,
    );
  return Object.fromEntries(
    (Object.keys(PRICE_COLUMNS) as PriceColumn[]).map((column) => [column, mapped.indexOf(column)]),
  ) as ColumnIndexes;
}

const upper = (raw: string) => raw.toUpperCase();

/** Reads rows into the store: the key's parts interned, prices read from their cells' bytes. */
class RowReader {
  private readonly terms = new RangeInterner(upper);
  private readonly plans = new RangeInterner(upper);
  private readonly segments = new RangeInterner((raw) => (raw === '' ? DEFAULT_SEGMENT : raw).toUpperCase());
  /** The store's plan id (`:TERM:PLAN:SEGMENT`) per combination of their ids here. */
  private readonly planIds = new Map<number, number>();
  // Rows come grouped by offer: its entry is found once per run of its rows, not per row.
  private lastOfferKey = Buffer.alloc(64);
  /** The last offer's key upper-cased, as the store keeps it. */
  private offerKey = Buffer.alloc(64);
  private lastOfferKeyLength = 0;
  private lastProductLength = 0;
  private lastOffer = -1;

  constructor(
    private readonly store: PriceStore,
    private readonly at: ColumnIndexes,
  ) {}

  /** Adds one row; false when it is malformed (no product, SKU, term, billing plan or unit price; a bad number). */
  add(record: CsvRecord): boolean {
    const { at } = this;
    if (!this.filled(record, at.productId) || !this.filled(record, at.skuId)) return false;
    if (!this.filled(record, at.termDuration) || !this.filled(record, at.billingPlan)) return false;
    const unitPrice = this.number(record, at.unitPrice);
    const erpPrice = this.number(record, at.erpPrice);
    const tierMin = this.number(record, at.tierMin);
    const tierMax = this.number(record, at.tierMax);
    if (Number.isNaN(unitPrice)) return false;
    // NaN in an optional column is fine when the cell is blank (no ERP price, no tier bound), malformed otherwise.
    if (Number.isNaN(erpPrice) && !this.blank(record, at.erpPrice)) return false;
    if (Number.isNaN(tierMin) && !this.blank(record, at.tierMin)) return false;
    if (Number.isNaN(tierMax) && !this.blank(record, at.tierMax)) return false;
    this.store.add(
      this.offer(record),
      this.plan(record),
      unitPrice,
      erpPrice,
      Math.trunc(tierMin),
      Math.trunc(tierMax),
      this.idOf(this.store.currencyValues, record, at.currency),
      this.endDate(record),
    );
    return true;
  }

  /** Whether the record has the cell, not blank (trimmed). */
  private filled(record: CsvRecord, column: number): boolean {
    if (column >= record.count) return false;
    record.trim(column);
    return record.starts[column] !== record.ends[column];
  }

  /** A cell's number (trimmed); NaN when the cell is absent, blank or not a finite number (always a number: no boxing). */
  private number(record: CsvRecord, column: number): number {
    if (column < 0 || column >= record.count) return NaN;
    record.trim(column);
    const value = parsePriceIn(record.bytes, record.starts[column], record.ends[column]);
    return Number.isFinite(value) ? value : NaN;
  }

  /** Whether a trimmed cell is absent or blank. */
  private blank(record: CsvRecord, column: number): boolean {
    return column < 0 || column >= record.count || record.starts[column] === record.ends[column];
  }

  private idOf(values: RangeInterner, record: CsvRecord, column: number): number {
    if (column < 0 || column >= record.count) return values.idOf(record.bytes, 0, 0);
    record.trim(column);
    return values.idOf(record.bytes, record.starts[column], record.ends[column]);
  }

  private endDate(record: CsvRecord): number {
    const column = this.at.effectiveEndDate;
    if (column < 0 || column >= record.count) return -1;
    record.trim(column);
    const { bytes, starts, ends } = record;
    const start = starts[column];
    if (start === ends[column] || isYear9999(bytes, start, ends[column])) return -1;
    return this.store.dateValues.idOf(bytes, start, ends[column]);
  }

  private offer(record: CsvRecord): number {
    const { bytes, starts, ends } = record;
    const productStart = starts[this.at.productId];
    const productLength = ends[this.at.productId] - productStart;
    const skuStart = starts[this.at.skuId];
    const skuLength = ends[this.at.skuId] - skuStart;
    const key = this.lastOfferKey;
    if (
      this.lastOffer !== -1 &&
      productLength === this.lastProductLength &&
      productLength + 1 + skuLength === this.lastOfferKeyLength &&
      sameAt(key, 0, bytes, productStart, productLength) &&
      sameAt(key, productLength + 1, bytes, skuStart, skuLength)
    )
      return this.lastOffer;
    // The key's raw bytes, `PRODUCT:SKU`, copied (the reader's buffer is reused), then upper-cased for the store.
    if (productLength + 1 + skuLength > key.length) {
      this.lastOfferKey = Buffer.alloc(2 * (productLength + 1 + skuLength));
      this.offerKey = Buffer.alloc(this.lastOfferKey.length);
    }
    copyAt(this.lastOfferKey, 0, bytes, productStart, productLength);
    this.lastOfferKey[productLength] = 0x3a;
    copyAt(this.lastOfferKey, productLength + 1, bytes, skuStart, skuLength);
    this.lastProductLength = productLength;
    this.lastOfferKeyLength = productLength + 1 + skuLength;
    const upper = upperCased(this.lastOfferKey, this.lastOfferKeyLength, this.offerKey);
    this.lastOffer = this.store.offerOf(upper, 0, upper === this.offerKey ? this.lastOfferKeyLength : upper.length);
    return this.lastOffer;
  }

  private plan(record: CsvRecord): number {
    const term = this.idOf(this.terms, record, this.at.termDuration);
    const plan = this.idOf(this.plans, record, this.at.billingPlan);
    const segment = this.idOf(this.segments, record, this.at.segment);
    // Sheets have a handful of each; past 1,024 of one the store is asked each time rather than through the cache.
    const code = term < 1024 && plan < 1024 && segment < 1024 ? (term * 1024 + plan) * 1024 + segment : -1;
    let id = this.planIds.get(code);
    if (id === undefined) {
      id = this.store.planOf(`:${this.terms.values[term]}:${this.plans.values[plan]}:${this.segments.values[segment]}`);
      if (code !== -1) this.planIds.set(code, id);
    }
    return id;
  }
}

/** Whether bytes [start, start + length) equal raw's from rawStart on. */
function sameAt(raw: Uint8Array, rawStart: number, bytes: Uint8Array, start: number, length: number): boolean {
  for (let at = 0; at < length; at += 1) if (raw[rawStart + at] !== bytes[start + at]) return false;
  return true;
}

/** Copies bytes [start, start + length) to `to` from toStart on (short runs: a loop, no view allocated). */
function copyAt(to: Uint8Array, toStart: number, bytes: Uint8Array, start: number, length: number): void {
  for (let at = 0; at < length; at += 1) to[toStart + at] = bytes[start + at];
}

/** Raw's first `length` bytes upper-cased: ASCII into `into`; anything else as String.toUpperCase does, in a new buffer. */
function upperCased(raw: Buffer, length: number, into: Buffer): Buffer {
  for (let at = 0; at < length; at += 1) {
    const code = raw[at];
    if (code > 0x7f) return Buffer.from(raw.toString('utf8', 0, length).toUpperCase(), 'utf8');
    into[at] = code >= 0x61 && code <= 0x7a ? code - 0x20 : code;
  }
  return into;
}

/** Whether a date's bytes start with the year 9999 (no end date). */
function isYear9999(bytes: Uint8Array, start: number, end: number): boolean {
  if (end - start < 4) return false;
  for (let at = start; at < start + 4; at += 1) if (bytes[at] !== 0x39) return false;
  return true;
}

function offersOf(store: PriceStore): Array<{ productId: string; skuId: string; row: PriceRow }> {
  const offers = new Map<string, { productId: string; skuId: string; row: PriceRow }>();
  for (const [offer, row] of store.entries()) {
    const [productId, skuId] = offer.split(':');
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
