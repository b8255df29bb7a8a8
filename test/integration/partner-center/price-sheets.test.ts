import { startSandbox, type Sandbox } from 'partner-center-sandbox';
import {
  createPriceSheetClient,
  createTokenProvider,
  PartnerCenterUnauthorizedError,
  PRICING_AUDIENCE,
  type TokenProvider,
} from '../../../src/partner-center';
import { sandboxTokenOptions } from '../../../src/sandbox-settings';

/** The price-sheet client against the sandbox's pricing host over HTTP: CSV and zip, the monthly cache, the audience. */

const COUNTER = 'GET /pricing/v1.0/sales/pricesheets';
const BASIC_P1Y_MONTHLY = { productId: 'CFQ7TTC0LH18', skuId: '0001', termDuration: 'P1Y', billingPlan: 'monthly' };

let sandbox: Sandbox;
let tokens: TokenProvider;

const fetchesSoFar = async () => (await sandbox.control.counters()).requests[COUNTER] ?? 0;

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 270 });
  tokens = createTokenProvider(sandboxTokenOptions(sandbox, { appPlusUser: true }));
});
afterAll(async () => {
  await sandbox.close();
});
beforeEach(async () => {
  await sandbox.control.reset();
});

test('a market sheet, as CSV or zipped, indexed with tiers and its currency', async () => {
  for (const zip of [false, true]) {
    const prices = createPriceSheetClient({ baseUrl: sandbox.pricingBaseUrl, tokens, zip });
    const sheet = await prices.sheet({ market: 'de', view: 'updatedlicensebased' });
    expect(sheet.malformedRows).toBe(0);
    expect(sheet.rows).toBeGreaterThan(50);
    expect(sheet.rowsOf(BASIC_P1Y_MONTHLY)).toEqual([{ currency: 'EUR', unitPrice: 5.58, erpPrice: 6.7 }]);
    const e1 = sheet.rowsOf({ productId: 'CFQ7TTC0LF8Q', skuId: '0001', termDuration: 'P1Y', billingPlan: 'annual' });
    expect(e1.map((row) => [row.tierMin, row.tierMax])).toEqual([
      [1, 2400],
      [2401, 10000],
    ]);
  }
  const eos = await createPriceSheetClient({ baseUrl: sandbox.pricingBaseUrl, tokens }).sheet({
    market: 'US',
    view: 'licensebasedeos',
  });
  expect(eos.offers().map((o) => `${o.productId}:${o.skuId}`)).toEqual(['CFQ7TTC0RM8K:0001']);
  expect(eos.offers()[0].row.effectiveEndDate).toMatch(/^\d{4}-\d{2}-01T/);
});

test('one fetch a month per market whatever the load; a price change shows after clear() or a new month', async () => {
  let now = Date.UTC(2026, 11, 7);
  const prices = createPriceSheetClient({ baseUrl: sandbox.pricingBaseUrl, tokens, now: () => now });
  const before = await fetchesSoFar();
  const sheets = await Promise.all(
    Array.from({ length: 25 }, () => prices.sheet({ market: 'US', view: 'updatedlicensebased' })),
  );
  expect(new Set(sheets).size).toBe(1);
  expect((await fetchesSoFar()) - before).toBe(1);

  await sandbox.control.changePrice({ productId: 'CFQ7TTC0LH18', skuId: '0001', monthlyPriceUsd: 9 });
  const cached = await prices.sheet({ market: 'US', view: 'updatedlicensebased' });
  expect(cached.rowsOf(BASIC_P1Y_MONTHLY)[0].unitPrice).toBe(6);
  expect((await fetchesSoFar()) - before).toBe(1);

  now = Date.UTC(2027, 0, 1);
  const nextMonth = await prices.sheet({ market: 'US', view: 'updatedlicensebased' });
  expect(nextMonth.month).toBe('202701');
  expect(nextMonth.rowsOf(BASIC_P1Y_MONTHLY)[0].unitPrice).toBe(9);

  await sandbox.control.changePrice({ productId: 'CFQ7TTC0LH18', skuId: '0001', monthlyPriceUsd: 10 });
  prices.clear();
  const cleared = await prices.sheet({ market: 'US', view: 'updatedlicensebased' });
  expect(cleared.rowsOf(BASIC_P1Y_MONTHLY)[0].unitPrice).toBe(10);
  expect((await fetchesSoFar()) - before).toBe(3);
  expect(prices.fetches).toBe(3);
});

test("a token for Partner Center's audience is refused: Unauthorized naming the pricing audience, not cached", async () => {
  // An app that lacks the pricing API gets Partner Center's token where the pricing one was asked for.
  const partnerCenterOnly: TokenProvider = {
    mode: tokens.mode,
    getAccessToken: (options) => tokens.getAccessToken({ ...options, scope: undefined }),
  };
  const prices = createPriceSheetClient({ baseUrl: sandbox.pricingBaseUrl, tokens: partnerCenterOnly });
  const refusal = prices.sheet({ market: 'US', view: 'updatedlicensebased' });
  await expect(refusal).rejects.toBeInstanceOf(PartnerCenterUnauthorizedError);
  await expect(refusal).rejects.toThrow(`for the audience ${PRICING_AUDIENCE}`);
  const tokenText = await partnerCenterOnly.getAccessToken();
  await expect(refusal).rejects.not.toThrow(tokenText);
  await expect(prices.sheet({ market: 'US', view: 'updatedlicensebased' })).rejects.toThrow(/Unauthorized/);
  expect(prices.fetches).toBe(2);
});

test('an App-only token is refused: Unauthorized saying the price sheets need App+User', async () => {
  const appOnly = createTokenProvider(sandboxTokenOptions(sandbox));
  const prices = createPriceSheetClient({ baseUrl: sandbox.pricingBaseUrl, tokens: appOnly });
  const refusal = prices.sheet({ market: 'US', view: 'updatedlicensebased' });
  await expect(refusal).rejects.toBeInstanceOf(PartnerCenterUnauthorizedError);
  await expect(refusal).rejects.toThrow(/App\+User tokens only \(set PARTNER_CENTER_REFRESH_TOKEN\)/);
});
