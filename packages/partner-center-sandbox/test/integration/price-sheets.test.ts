import { unzipSync, strFromU8 } from 'fflate';
import { parse } from 'csv-parse/sync';
import { startSandbox, type Sandbox } from '../../src';

/** The pricing host: both views as CSV or zip, its own audience (App+User), and the price control. */

let sandbox: Sandbox;
let appUser: string;

const sheetUrl = (market: string, view: string, query = 'timeline=current') =>
  `${sandbox.pricingBaseUrl}/v1.0/sales/pricesheets(Market='${market}',PricesheetView='${view}')/$value?${query}`;

async function sheet(market: string, view: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(sheetUrl(market, view), { headers: { authorization: `Bearer ${appUser}`, ...headers } });
}

// Some titles hold commas (quoted fields): read with a real CSV parser.
const rows = (csv: string): Array<Record<string, string>> => parse(csv, { columns: true });

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 27 });
  appUser = await sandbox.control.mintToken({ mode: 'app+user', audience: 'https://api.partner.microsoft.com' });
});
afterAll(async () => {
  await sandbox.close();
});

describe('price sheets', () => {
  test('the license-based view has a row per item sold, priced in the market currency, tiers for E1', async () => {
    const response = await sheet('GB', 'updatedlicensebased');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
    const all = rows(await response.text());
    const basic = all.filter((r) => r.ProductId === 'CFQ7TTC0LH18' && r.Segment === 'Commercial');
    // P1M monthly, P1Y monthly + annual, P3Y monthly + annual + triennial.
    expect(basic.map((r) => `${r.TermDuration}/${r.BillingPlan}`).sort()).toEqual(
      ['P1M/Monthly', 'P1Y/Annual', 'P1Y/Monthly', 'P3Y/Annual', 'P3Y/Monthly', 'P3Y/Triennial'].sort(),
    );
    expect(new Set(all.map((r) => r.Currency))).toEqual(new Set(['GBP']));
    const yearly = basic.find((r) => r.TermDuration === 'P1Y' && r.BillingPlan === 'Monthly')!;
    expect(Number(yearly.UnitPrice)).toBe(4.8);
    expect(Number(yearly['ERP Price'])).toBe(5.76);
    const e1 = all.filter(
      (r) => r.ProductId === 'CFQ7TTC0LF8Q' && r.TermDuration === 'P1Y' && r.BillingPlan === 'Annual',
    );
    expect(
      e1.filter((r) => r.Segment === 'Commercial').map((r) => [r.PricingTierRangeMin, r.PricingTierRangeMax]),
    ).toEqual([
      ['1', '2400'],
      ['2401', '10000'],
    ]);
  });

  test('the end-of-sale view lists Teams Essentials with its date; zip when asked', async () => {
    const response = await sheet('US', 'licensebasedeos', { accept: 'application/zip' });
    expect(response.headers.get('content-type')).toBe('application/zip');
    const files = unzipSync(new Uint8Array(await response.arrayBuffer()));
    const eos = rows(strFromU8(Object.values(files)[0]));
    expect(new Set(eos.map((r) => r.ProductId))).toEqual(new Set(['CFQ7TTC0RM8K']));
    expect(eos[0].EffectiveEndDate).toMatch(/^\d{4}-\d{2}-01T00:00:00\.000Z$/);
  });

  test('a Partner Center token gets 401 naming the audience; an App-only token 403', async () => {
    const partnerCenter = await sandbox.control.mintToken({ mode: 'app+user' });
    const refused = await fetch(sheetUrl('US', 'updatedlicensebased'), {
      headers: { authorization: `Bearer ${partnerCenter}` },
    });
    expect(refused.status).toBe(401);
    expect(JSON.stringify(await refused.json())).toContain('https://api.partner.microsoft.com');
    const appOnly = await sandbox.control.mintToken({
      mode: 'app-only',
      audience: 'https://api.partner.microsoft.com',
    });
    const app = await fetch(sheetUrl('US', 'updatedlicensebased'), { headers: { authorization: `Bearer ${appOnly}` } });
    expect(app.status).toBe(403);
  });

  test('a price change shows in the next sheet; an unknown market or timeline is refused', async () => {
    await sandbox.control.changePrice({ productId: 'CFQ7TTC0LH18', skuId: '0001', monthlyPriceUsd: 7 });
    const all = rows(await (await sheet('US', 'updatedlicensebased')).text());
    const row = all.find(
      (r) => r.ProductId === 'CFQ7TTC0LH18' && r.TermDuration === 'P1Y' && r.BillingPlan === 'Monthly',
    );
    expect(Number(row?.UnitPrice)).toBe(7);
    expect((await sheet('FR', 'updatedlicensebased')).status).toBe(400);
    const history = await fetch(sheetUrl('US', 'updatedlicensebased', 'timeline=history'), {
      headers: { authorization: `Bearer ${appUser}` },
    });
    expect(history.status).toBe(400);
    expect((await sandbox.control.counters()).requests['GET /pricing/v1.0/sales/pricesheets']).toBeGreaterThanOrEqual(
      5,
    );
  });
});
