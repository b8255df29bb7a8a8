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

/**
 * Rows column by column, grown by doubling. An item's key is split in two: its offer (`PRODUCT:SKU`, one entry per
 * offer in an OfferTable, found once per run of rows since sheets group an offer's rows) and its plan
 * (`:TERM:PLAN:SEGMENT`, a handful per sheet); an offer's rows are chained in sheet order and filtered by plan when
 * looked up.
 */
export class PriceStore {
  rows = 0;
  private unitPrices = new Float64Array(1024);
  private erpPrices = new Float64Array(1024);
  private tierMins = new Float64Array(1024);
  private tierMaxes = new Float64Array(1024);
  private currencies = new Int32Array(1024);
  private endDates = new Int32Array(1024);
  private plans = new Int32Array(1024);
  private nextRows = new Int32Array(1024);
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
    if (this.rows === this.unitPrices.length) this.grow();
    const row = this.rows;
    this.unitPrices[row] = unitPrice;
    this.erpPrices[row] = erpPrice;
    this.tierMins[row] = tierMin;
    this.tierMaxes[row] = tierMax;
    this.currencies[row] = currency;
    this.endDates[row] = endDate;
    this.plans[row] = plan;
    this.nextRows[row] = NONE;
    const { firsts, lasts } = this.offers;
    if (lasts[offer] === NONE) firsts[offer] = row;
    else this.nextRows[lasts[offer]] = row;
    lasts[offer] = row;
    this.rows += 1;
  }

  /** The rows of an offer's plan, lowest tier first. */
  rowsOf(offer: string, plan: string): PriceRow[] {
    const planId = this.planIds.get(plan);
    const rows: PriceRow[] = [];
    if (planId === undefined) return rows;
    const id = this.offers.find(offer);
    for (let row = id === NONE ? NONE : this.offers.firsts[id]; row !== NONE; row = this.nextRows[row])
      if (this.plans[row] === planId) rows.push(this.row(row));
    return rows.sort((a, b) => (a.tierMin ?? 0) - (b.tierMin ?? 0));
  }

  /** Every offer with its first row. */
  *entries(): Generator<[string, PriceRow]> {
    for (let id = 0; id < this.offers.count; id += 1) yield [this.offers.keyOf(id), this.row(this.offers.firsts[id])];
  }

  private row(row: number): PriceRow {
    const erpPrice = this.erpPrices[row];
    const tierMin = this.tierMins[row];
    const tierMax = this.tierMaxes[row];
    const endDate = this.endDates[row];
    return {
      currency: this.currencyValues.values[this.currencies[row]],
      unitPrice: this.unitPrices[row],
      ...(Number.isNaN(erpPrice) ? {} : { erpPrice }),
      ...(Number.isNaN(tierMin) ? {} : { tierMin }),
      ...(Number.isNaN(tierMax) ? {} : { tierMax }),
      ...(endDate === NONE ? {} : { effectiveEndDate: this.dateValues.values[endDate] }),
    };
  }

  private grow(): void {
    const size = this.rows * 2;
    const grown = <T extends Float64Array | Int32Array>(from: T, make: (length: number) => T): T => {
      const to = make(size);
      to.set(from);
      return to;
    };
    this.unitPrices = grown(this.unitPrices, (n) => new Float64Array(n));
    this.erpPrices = grown(this.erpPrices, (n) => new Float64Array(n));
    this.tierMins = grown(this.tierMins, (n) => new Float64Array(n));
    this.tierMaxes = grown(this.tierMaxes, (n) => new Float64Array(n));
    this.currencies = grown(this.currencies, (n) => new Int32Array(n));
    this.endDates = grown(this.endDates, (n) => new Int32Array(n));
    this.plans = grown(this.plans, (n) => new Int32Array(n));
    this.nextRows = grown(this.nextRows, (n) => new Int32Array(n));
  }
}
