/**
 * The compact store behind a price sheet (sheet.ts): rows kept column by column in typed arrays (no object per row),
 * repeated strings (currency, dates, terms, plans, segments) kept once, and one map from an item's key to its first
 * row, with each row pointing to the next tier of the same item. A row becomes a PriceRow only when it is looked up.
 */
import { sameBytes, textOf } from './csv-stream';
import { OfferTable } from './offer-table';

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

/** One value per distinct text, found from the text's bytes without decoding them (sheets repeat a few values). */
export class RangeInterner {
  readonly values: string[] = [];
  private readonly raws: Uint8Array[] = [];
  private readonly byRaw = new Map<string, number>();

  /** Stores `normalise(raw)` of each raw text. */
  constructor(private readonly normalise: (raw: string) => string = (raw) => raw) {}

  /** The id of the text in bytes [start, end). */
  idOf(bytes: Uint8Array, start: number, end: number): number {
    // A linear scan while there are few values (the common case) beats decoding and hashing.
    const scan = Math.min(this.raws.length, 16);
    for (let id = 0; id < scan; id += 1) if (sameBytes(this.raws[id], bytes, start, end)) return id;
    const raw = textOf(bytes, start, end);
    const known = this.byRaw.get(raw);
    if (known !== undefined) return known;
    const id = this.raws.length;
    // A copy: a view would keep (and see the reuse of) the reader's buffer.
    this.raws.push(new Uint8Array(bytes.subarray(start, end)));
    this.values.push(this.normalise(raw));
    this.byRaw.set(raw, id);
    return id;
  }
}

const NONE = -1;
/** Rows per block (a power of two): a block's columns are allocated together and never copied. */
const BLOCK_BITS = 13;
const BLOCK_ROWS = 1 << BLOCK_BITS;
const IN_BLOCK = BLOCK_ROWS - 1;

/** BLOCK_ROWS rows, column by column (NaN: no ERP price, no tier bound; -1: no end date, no next row). */
class RowBlock {
  readonly unitPrices = new Float64Array(BLOCK_ROWS);
  readonly erpPrices = new Float64Array(BLOCK_ROWS);
  readonly tierMins = new Float64Array(BLOCK_ROWS);
  readonly tierMaxes = new Float64Array(BLOCK_ROWS);
  readonly currencies = new Int32Array(BLOCK_ROWS);
  readonly endDates = new Int32Array(BLOCK_ROWS);
  readonly plans = new Int32Array(BLOCK_ROWS);
  readonly nextRows = new Int32Array(BLOCK_ROWS);
}

/**
 * Rows column by column in blocks of BLOCK_ROWS (growing by copying into arrays twice as long cost ~10% of reading a
 * sheet: allocations and the GC they prompt). An item's key is split in two: its offer (`PRODUCT:SKU`, one entry per
 * offer in an OfferTable, found once per run of rows since sheets group an offer's rows) and its plan
 * (`:TERM:PLAN:SEGMENT`, a handful per sheet); an offer's rows are chained in sheet order and filtered by plan when
 * looked up.
 */
export class PriceStore {
  rows = 0;
  private readonly blocks: RowBlock[] = [];
  private readonly offers = new OfferTable();
  private readonly planIds = new Map<string, number>();
  readonly currencyValues = new RangeInterner((raw) => raw.toUpperCase());
  readonly dateValues = new RangeInterner();

  /** The id of the offer whose key (`PRODUCT:SKU`, upper-cased) is bytes [start, end), made on its first row. */
  offerOf(bytes: Uint8Array, start: number, end: number): number {
    return this.offers.idOf(bytes, start, end);
  }

  /** The plan's id. */
  planOf(plan: string): number {
    let id = this.planIds.get(plan);
    if (id === undefined) {
      id = this.planIds.size;
      this.planIds.set(plan, id);
    }
    return id;
  }

  /** Adds a row (NaN: no ERP price, no tier bound; -1: no end date). */
  // Positional numbers rather than an object: this runs once per row of the sheet.
  add(
    offer: number,
    plan: number,
    unitPrice: number,
    erpPrice: number,
    tierMin: number,
    tierMax: number,
    currency: number,
    endDate: number,
  ): void {
    const row = this.rows;
    const at = row & IN_BLOCK;
    if (at === 0) this.blocks.push(new RowBlock());
    const block = this.blocks[row >>> BLOCK_BITS];
    block.unitPrices[at] = unitPrice;
    block.erpPrices[at] = erpPrice;
    block.tierMins[at] = tierMin;
    block.tierMaxes[at] = tierMax;
    block.currencies[at] = currency;
    block.endDates[at] = endDate;
    block.plans[at] = plan;
    block.nextRows[at] = NONE;
    const { firsts, lasts } = this.offers;
    const last = lasts[offer];
    if (last === NONE) firsts[offer] = row;
    else this.blocks[last >>> BLOCK_BITS].nextRows[last & IN_BLOCK] = row;
    lasts[offer] = row;
    this.rows += 1;
  }

  /** The rows of an offer's plan, lowest tier first. */
  rowsOf(offer: string, plan: string): PriceRow[] {
    const planId = this.planIds.get(plan);
    const rows: PriceRow[] = [];
    if (planId === undefined) return rows;
    const id = this.offers.find(offer);
    for (let row = id === NONE ? NONE : this.offers.firsts[id]; row !== NONE;) {
      const block = this.blocks[row >>> BLOCK_BITS];
      if (block.plans[row & IN_BLOCK] === planId) rows.push(this.row(row));
      row = block.nextRows[row & IN_BLOCK];
    }
    return rows.sort((a, b) => (a.tierMin ?? 0) - (b.tierMin ?? 0));
  }

  /** Every offer with its first row. */
  *entries(): Generator<[string, PriceRow]> {
    for (let id = 0; id < this.offers.count; id += 1) yield [this.offers.keyOf(id), this.row(this.offers.firsts[id])];
  }

  private row(row: number): PriceRow {
    const block = this.blocks[row >>> BLOCK_BITS];
    const at = row & IN_BLOCK;
    const erpPrice = block.erpPrices[at];
    const tierMin = block.tierMins[at];
    const tierMax = block.tierMaxes[at];
    const endDate = block.endDates[at];
    return {
      currency: this.currencyValues.values[block.currencies[at]],
      unitPrice: block.unitPrices[at],
      ...(Number.isNaN(erpPrice) ? {} : { erpPrice }),
      ...(Number.isNaN(tierMin) ? {} : { tierMin }),
      ...(Number.isNaN(tierMax) ? {} : { tierMax }),
      ...(endDate === NONE ? {} : { effectiveEndDate: this.dateValues.values[endDate] }),
    };
  }
}
