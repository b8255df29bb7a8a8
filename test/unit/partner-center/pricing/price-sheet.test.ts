import { parsePrice, parsePriceIn } from '../../../../src/partner-center/pricing/columns';
import { CsvRecord, readCsv, splitQuoted } from '../../../../src/partner-center/pricing/csv-stream';
import { readPriceSheet, tierFor } from '../../../../src/partner-center/pricing/sheet';

/** The price sheet reader: streamed CSV, lenient columns and numbers, malformed rows counted, tiers by quantity. */

/** `text` cut into chunks of `size` bytes, so records and multi-byte characters straddle chunks. */
function* chunked(text: string, size: number): Generator<Uint8Array> {
  const bytes = Buffer.from(text, 'utf8');
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

describe('readCsv', () => {
  test.each([1, 3, 7, 1024])(
    'quoted fields, doubled quotes, line breaks in quotes and CRLF in chunks of %i',
    async (size) => {
      const records: string[][] = [];
      let malformed = 0;
      const text = 'a,b,c\r\n"x, y","he said ""hi""","two\nlines"\r\nplain,€1,\n';
      await readCsv(chunked(text, size), {
        record: (r) => records.push(r.fields()),
        malformed: () => (malformed += 1),
      });
      expect(records).toEqual([
        ['a', 'b', 'c'],
        ['x, y', 'he said "hi"', 'two\nlines'],
        ['plain', '€1', ''],
      ]);
      expect(malformed).toBe(0);
    },
  );

  test('a field with text after its closing quote, or an unclosed quote at the end, is malformed', async () => {
    const records: string[][] = [];
    let malformed = 0;
    await readCsv(['a,"b"c\nok,1\n"unclosed,2'], {
      record: (r) => records.push(r.fields()),
      malformed: () => (malformed += 1),
    });
    expect(records).toEqual([['ok', '1']]);
    expect(malformed).toBe(2);
    const record = new CsvRecord();
    const line = Buffer.from('x\n"a",b,"c ""d""",\n');
    expect(splitQuoted(line, 2, line.length - 1, record)).toBe(true);
    expect(record.fields()).toEqual(['a', 'b', 'c "d"', '']);
  });

  /** Every record of `text` read in chunks of every size from 1 to its length, so a boundary falls at every byte. */
  async function atEveryBoundary(
    text: string,
  ): Promise<Array<{ size: number; records: string[][]; malformed: number }>> {
    const reads = [];
    for (let size = 1; size <= Buffer.byteLength(text); size += 1) {
      const records: string[][] = [];
      let malformed = 0;
      await readCsv(chunked(text, size), {
        record: (r) => records.push(r.fields()),
        malformed: () => (malformed += 1),
      });
      reads.push({ size, records, malformed });
    }
    return reads;
  }

  test('a chunk may end anywhere: in a byte order mark, a multi-byte character, a doubled quote, a CRLF', async () => {
    const text = '\uFEFFné,"a ""b"""\r\n"€, ""€""\r\n€",""""\r\n"x"\r\n';
    for (const read of await atEveryBoundary(text))
      expect(read).toEqual({
        size: read.size,
        records: [['né', 'a "b"'], ['€, "€"\r\n€', '"'], ['x']],
        malformed: 0,
      });
  });

  test('a byte order mark is skipped only at the start, from bytes or a string', async () => {
    const records: string[][] = [];
    const record = (r: CsvRecord) => records.push(r.fields());
    await readCsv(['\uFEFFa,b\n\uFEFFc\n'], { record, malformed: () => undefined });
    await readCsv([Uint8Array.of(0xef), Uint8Array.of(0xbb, 0xbf, 0x64)], { record, malformed: () => undefined });
    expect(records).toEqual([['a', 'b'], ['\uFEFFc'], ['d']]);
  });
});

describe('parsePrice', () => {
  test.each([
    ['12.50', 12.5],
    ['12,50', 12.5],
    ['1,234.56', 1234.56],
    ['1.234,56', 1234.56],
    [' 7 ', 7],
    ['', NaN],
    ['abc', NaN],
    ['1.2.3,4', 123.4],
  ])('%s → %s', (text, value) => {
    expect(parsePrice(text)).toBe(value);
  });

  test.each([
    '12.30',
    '0.1',
    '-0.5',
    '.5',
    '1.',
    '7',
    '-',
    '1e3',
    '1,234.56',
    '12,50',
    '123456789012.345',
    '9007199254740993',
    '1\u00A0234,50',
    'x',
  ])("read from a cell's bytes, %s is what parsePrice reads", (text) => {
    const line = Buffer.from(`a,${text},b`);
    expect(parsePriceIn(line, 2, 2 + Buffer.byteLength(text))).toBe(parsePrice(text));
  });
});

describe('readPriceSheet', () => {
  test('columns in any order and case; rows indexed by product, SKU, term, plan and segment; bad rows counted', async () => {
    const csv = [
      'segment,erp price,BILLINGPLAN,UnitPrice,SkuId,productid,termduration,currency,PricingTierRangeMin,PricingTierRangeMax',
      'Commercial,"7,20",Monthly,"6,00",0001,CFQ7TTC0LH18,P1Y,eur,,',
      'Commercial,12,Annual,10,0001,CFQ7TTC0LF8Q,P1Y,EUR,2401,10000',
      'Commercial,13,Annual,11,0001,CFQ7TTC0LF8Q,P1Y,EUR,1,2400',
      'Commercial,13,Annual,not-a-price,0001,CFQ7TTC0XXXX,P1Y,EUR,,',
      'Commercial,13,Annual,"broken"quote,0001,CFQ7TTC0XXXX,P1Y,EUR,,',
    ].join('\n');
    const sheet = await readPriceSheet(chunked(csv, 5), 'test');
    expect({ rows: sheet.rows, malformed: sheet.malformedRows }).toEqual({ rows: 3, malformed: 2 });
    const basic = sheet.rowsOf({
      productId: 'cfq7ttc0lh18',
      skuId: '0001',
      termDuration: 'P1Y',
      billingPlan: 'monthly',
    });
    expect(basic).toEqual([{ currency: 'EUR', unitPrice: 6, erpPrice: 7.2 }]);
    const e1 = sheet.rowsOf({ productId: 'CFQ7TTC0LF8Q', skuId: '0001', termDuration: 'P1Y', billingPlan: 'annual' });
    expect(tierFor(e1, 10)?.unitPrice).toBe(11);
    expect(tierFor(e1, 2401)?.unitPrice).toBe(10);
    expect(tierFor(e1, 10001)).toBeUndefined();
  });

  test('blank cells around values, tiers apart, blank lines and quoted key cells are read as the sheet means them', async () => {
    const csv = [
      'ProductId,SkuId,TermDuration,BillingPlan,UnitPrice,PricingTierRangeMin,PricingTierRangeMax,Currency,EffectiveEndDate',
      ' CFQ7TTC0LF8Q ,0001,P1Y,annual, 10 ,2401,10000,usd,2027-01-01',
      '',
      'CFQ7TTC0LH18,0001,P1M,Monthly,6,,,usd,9999-12-31',
      '"CFQ7TTC0LF8Q","0001",p1y,ANNUAL,11,1,2400,usd,2027-01-01',
    ].join('\r\n');
    const sheet = await readPriceSheet(chunked(csv, 4), 'test');
    expect({ rows: sheet.rows, malformed: sheet.malformedRows }).toEqual({ rows: 3, malformed: 0 });
    const e1 = sheet.rowsOf({ productId: 'cfq7ttc0lf8q', skuId: '0001', termDuration: 'P1Y', billingPlan: 'Annual' });
    expect(e1.map((row) => [row.tierMin, row.tierMax, row.unitPrice])).toEqual([
      [1, 2400, 11],
      [2401, 10000, 10],
    ]);
    expect(e1[0]).toMatchObject({ currency: 'USD', effectiveEndDate: '2027-01-01' });
    expect(
      sheet.rowsOf({ productId: 'CFQ7TTC0LH18', skuId: '0001', termDuration: 'P1M', billingPlan: 'monthly' }),
    ).toEqual([{ currency: 'USD', unitPrice: 6 }]);
    expect(sheet.offers().map((offer) => [offer.productId, offer.skuId, offer.row.unitPrice])).toEqual([
      ['CFQ7TTC0LF8Q', '0001', 10],
      ['CFQ7TTC0LH18', '0001', 6],
    ]);
  });

  test("one record per chunk (each at the same place in the reader's reused buffer): keys and values stay apart", async () => {
    const lines = [
      '\uFEFFProductId,SkuId,TermDuration,BillingPlan,UnitPrice,Segment\n',
      'AAAA,0001,P1M,monthly,1,Éducation\n',
      'BBBB,0001,P1Y,monthly,2,Éducation\n',
      'CCCC,0001,P1M,monthly,3,Commercial\n',
      'CCCC,0001,P1Y,monthly,4,Commercial\n',
      'äbcd,0001,P1Y,monthly,5,Commercial\n',
    ];
    const sheet = await readPriceSheet(lines, 'test');
    const price = (productId: string, termDuration: string, segment?: string) =>
      sheet.rowsOf({ productId, skuId: '0001', termDuration, billingPlan: 'Monthly', segment })[0]?.unitPrice;
    expect([
      price('aaaa', 'P1M', 'éducation'),
      price('BBBB', 'P1Y', 'ÉDUCATION'),
      price('CCCC', 'P1M'),
      price('CCCC', 'P1Y'),
      price('AAAA', 'P1M'),
      price('ÄBCD', 'P1Y'),
    ]).toEqual([1, 2, 3, 4, undefined, 5]);
    expect(sheet.offers().map((offer) => offer.productId)).toEqual(['AAAA', 'BBBB', 'CCCC', 'ÄBCD']);
  });

  test('thousands of offers of two tiers (past every first size of the offer table and the row blocks): each found, listed in sheet order', async () => {
    const ids = Array.from({ length: 5000 }, (_, i) => `cfq7tt${i.toString(36).padStart(6, '0')}`);
    const csv = [
      'ProductId,SkuId,TermDuration,BillingPlan,UnitPrice,PricingTierRangeMin,PricingTierRangeMax',
      ...ids.flatMap((id, i) => [`${id},0001,P1Y,annual,${i},1,10`, `${id},0001,P1Y,annual,${i}.5,11,20`]),
    ];
    const sheet = await readPriceSheet(chunked(csv.join('\n'), 4096), 'test');
    const prices = ids.map((productId) =>
      sheet
        .rowsOf({ productId, skuId: '0001', termDuration: 'P1Y', billingPlan: 'annual' })
        .map((row) => [row.tierMin, row.unitPrice]),
    );
    expect(sheet.rows).toBe(10_000);
    expect(prices).toEqual(
      ids.map((_, i) => [
        [1, i],
        [11, i + 0.5],
      ]),
    );
    expect(sheet.offers().map((offer) => offer.productId)).toEqual(ids.map((id) => id.toUpperCase()));
    expect(
      sheet.rowsOf({ productId: 'CFQ7TTNONE00', skuId: '0001', termDuration: 'P1Y', billingPlan: 'annual' }),
    ).toEqual([]);
  });

  test('a sheet with none of the expected columns is an error naming them', async () => {
    await expect(readPriceSheet(['Name,Cost\nx,1\n'], 'GET /sheet')).rejects.toThrow(
      /lacks the columns ProductId, SkuId, TermDuration, BillingPlan, UnitPrice/,
    );
  });
});
