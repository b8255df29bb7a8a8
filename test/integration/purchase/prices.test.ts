import { randomUUID } from 'node:crypto';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@temporalio/client';
import { purchaseFailureTypes, quotePurchaseRequest, type PurchaseRequest, type Quote } from '../../../src/client';
import { installedTree, spawnPcw, type InstalledTree } from '../../support/pcw';
import { testServerAddress } from '../../support/temporal';
import { call, read, startApi } from '../api/support';
import { line, offers, purchaseRequest, recordHistory, startRig, workflowFailure, type PurchaseRig } from './harness';

/**
 * Prices end to end (contract §3g): quotes over the HTTP API and `pcw quote` (built bin) priced by a worker from the
 * sandbox's pricing host, the worker's monthly sheet cache, and the purchase's price guard, refused and passed.
 */

const SHEETS = 'GET /pricing/v1.0/sales/pricesheets';
const CARTS = 'POST /v1/customers/{customerId}/carts';
const PRODUCTS = 'GET /v1/products/{productId}';
const office365E1 = { productId: 'CFQ7TTC0LF8Q', skuId: '0001' };

let rig: PurchaseRig;
let tree: InstalledTree;
let customer: string;
const counter = async (key: string) => (await rig.sandbox.control.counters()).requests[key] ?? 0;

beforeAll(async () => {
  tree = installedTree();
  rig = await startRig();
  customer = rig.sandbox.customerIds[0];
});
beforeEach(async () => {
  await rig.sandbox.control.reset();
});
afterAll(async () => {
  tree?.remove();
  await rig?.close();
});

const quoteRequest = (): PurchaseRequest =>
  purchaseRequest(customer, [
    line(offers.businessBasic, 3),
    line(office365E1, 2401, { billingCycle: 'annual' }),
    line(offers.teamsEssentials, 2),
  ]);

function expectQuote(quote: Quote, basicUnitPrice = 6): void {
  expect(quote).toMatchObject({ market: 'US', currency: 'USD' });
  const [basic, e1, teams] = quote.items;
  expect(basic).toMatchObject({
    item: 0,
    termDuration: 'P1Y',
    billingCycle: 'monthly',
    quantity: 3,
    unitPrice: basicUnitPrice,
    erpUnitPrice: Math.round(basicUnitPrice * 1.2 * 100) / 100,
    pricePerBillingPeriod: basicUnitPrice * 3,
    priceForTerm: basicUnitPrice * 3 * 12,
  });
  expect(basic.catalogItemId).toMatch(/^CFQ7TTC0LH18:0001:/);
  // 2,401 seats fall in E1's second tier: 5% off the annual price of 120.
  expect(e1).toMatchObject({ unitPrice: 114, pricePerBillingPeriod: 114 * 2401, priceForTerm: 114 * 2401 });
  expect(basic.endOfSale).toBeUndefined();
  expect(teams.endOfSale?.date).toMatch(/^\d{4}-\d{2}-01T/);
  expect(quote.totalPerBillingPeriod).toBe(Math.round((basicUnitPrice * 3 + 114 * 2401 + 4 * 2) * 100) / 100);
}

describe('quotes', () => {
  test('over HTTP and pcw: priced from one fetch of each sheet a month, a price change unseen until the cache goes', async () => {
    await rig.withWorker(
      async ({ taskQueue }) => {
        const api = await startApi(rig.client, taskQueue);
        try {
          const [sheetsBefore, cartsBefore] = [await counter(SHEETS), await counter(CARTS)];
          const answers = await Promise.all(
            Array.from({ length: 8 }, () => call(api, 'POST', '/v1/quotes', { token: read, body: quoteRequest() })),
          );
          for (const answer of answers) {
            expect(answer.status).toBe(200);
            expectQuote(answer.body as Quote);
          }
          // Both views, once each, whatever the load; nothing carted.
          expect((await counter(SHEETS)) - sheetsBefore).toBe(2);
          expect(await counter(CARTS)).toBe(cartsBefore);

          await rig.sandbox.control.changePrice({ ...offers.businessBasic, monthlyPriceUsd: 7 });
          const file = join(mkdtempSync(join(tmpdir(), 'pcw-quote-')), 'purchase.json');
          writeFileSync(file, JSON.stringify(quoteRequest()));
          const env = {
            TEMPORAL_ADDRESS: testServerAddress(),
            TEMPORAL_CONFIG_FILE: '/nonexistent/temporal.toml',
            TEMPORAL_TASK_QUEUE: taskQueue,
          };
          const cli = await spawnPcw(tree.bin, ['quote', '--file', file, '--json'], env, tree.dir).exited;
          expect(cli.code).toBe(0);
          expectQuote(JSON.parse(cli.stdout) as Quote);
          const text = await spawnPcw(tree.bin, ['quote', '--file', file], env, tree.dir).exited;
          expect(text.stdout).toMatch(/Total per billing period \(US\): 273740\.00 USD/);
          expect((await counter(SHEETS)) - sheetsBefore).toBe(2);

          // Warm: one local activity validates and prices from the worker's caches; no activity task, no call.
          const catalogReads = await counter(PRODUCTS);
          const warm = await rig.client.workflow.start('quotePurchase', {
            workflowId: `quote-warm-${randomUUID()}`,
            taskQueue,
            args: [quoteRequest()],
          });
          expectQuote((await warm.result()) as Quote);
          const events = (await warm.fetchHistory()).events ?? [];
          expect(events.filter((event) => event.activityTaskScheduledEventAttributes)).toEqual([]);
          expect(await counter(PRODUCTS)).toBe(catalogReads);
          await recordHistory('quote-from-caches', warm);
          // On the worker's own connection (npm start's API) the quote asks to start eagerly on that worker.
          const onWorkerConnection = new Client({ connection: rig.env.nativeConnection });
          expectQuote(await quotePurchaseRequest(onWorkerConnection, quoteRequest(), { taskQueue }));

          const bad = await call(api, 'POST', '/v1/quotes', {
            token: read,
            body: { ...quoteRequest(), maxTotal: -1, items: [{ ...line(offers.businessBasic, 1), maxUnitPrice: 'x' }] },
          });
          expect(bad.status).toBe(400);
          expect(bad.text).toContain('maxTotal');
          expect(bad.text).toContain('items[0].maxUnitPrice');
        } finally {
          await api.close();
        }
      },
      { appPlusUser: true },
    );
    // A new worker process starts with an empty cache: the change shows.
    await rig.withWorker(
      async ({ taskQueue }) => {
        const api = await startApi(rig.client, taskQueue);
        try {
          const answer = await call(api, 'POST', '/v1/quotes', { token: read, body: quoteRequest() });
          expectQuote(answer.body as Quote, 7);
        } finally {
          await api.close();
        }
      },
      { appPlusUser: true },
    );
  });
});

describe('price guard', () => {
  test('a price above maxUnitPrice or maxTotal fails PriceAboveLimit before any cart', async () => {
    await rig.withWorker(
      async ({ start }) => {
        const cartsBefore = await counter(CARTS);
        const handle = await start(
          purchaseRequest(customer, [line(offers.businessBasic, 3, { maxUnitPrice: 5.5 })], {
            currency: 'USD',
            maxTotal: 10,
          }),
        );
        const failure = await workflowFailure(handle);
        expect(failure.type).toBe(purchaseFailureTypes.priceAboveLimit);
        expect(failure.message).toContain('items[0] costs 6 USD, above the limit 5.5 USD');
        expect(failure.message).toContain('maxTotal costs 18 USD, above the limit 10 USD');
        expect(failure.details?.[0]).toEqual({ item: 0, price: 6, limit: 5.5, currency: 'USD' });
        expect(await counter(CARTS)).toBe(cartsBefore);
        await recordHistory('purchase-price-guard-refused', handle);
      },
      { appPlusUser: true },
    );
  });

  test('prices within the guard buy; a purchase without a guard never reads the price sheet', async () => {
    await rig.withWorker(
      async ({ start }) => {
        const guarded = await start(
          purchaseRequest(customer, [line(offers.businessBasic, 2, { maxUnitPrice: 6 })], {
            currency: 'USD',
            maxTotal: 12,
          }),
        );
        expect((await guarded.result()).status).toBe('completed');
        await recordHistory('purchase-price-guard-passed', guarded);
        const sheets = await counter(SHEETS);
        const plain = await start(purchaseRequest(customer, [line(offers.businessBasic, 1)]));
        expect((await plain.result()).status).toBe('completed');
        expect(await counter(SHEETS)).toBe(sheets);
      },
      { appPlusUser: true },
    );
  });

  test('a guard in another currency than its market sheet is refused before any catalog call', async () => {
    await rig.withWorker(
      async ({ start }) => {
        const priced = await start(
          purchaseRequest(customer, [line(offers.businessBasic, 1, { maxUnitPrice: 1 })], { currency: 'USD' }),
        );
        expect((await workflowFailure(priced)).type).toBe(purchaseFailureTypes.priceAboveLimit);
        // The worker has the US sheet now: a guard in euros is refused from it, the catalog never read.
        const catalogReads = await counter(PRODUCTS);
        const handle = await start(
          purchaseRequest(customer, [line(offers.businessBasic, 1, { maxUnitPrice: 10 })], { currency: 'EUR' }),
        );
        const failure = await workflowFailure(handle);
        expect(failure.type).toBe(purchaseFailureTypes.currencyMismatch);
        expect(failure.message).toContain("the guard's limits are in EUR, but US is priced in USD");
        expect(failure.details?.[0]).toEqual({ field: 'currency', expected: 'USD', actual: 'EUR' });
        expect(await counter(PRODUCTS)).toBe(catalogReads);
        await recordHistory('purchase-guard-currency-refused', handle);
      },
      { appPlusUser: true },
    );
  });

  test('a guard without a currency is refused naming the field, before any call', async () => {
    await rig.withWorker(async ({ start }) => {
      const handle = await start(purchaseRequest(customer, [line(offers.businessBasic, 1, { maxUnitPrice: 1 })]));
      const failure = await workflowFailure(handle);
      expect(failure.type).toBe(purchaseFailureTypes.invalidRequest);
      expect(failure.message).toContain('currency');
    });
  });
});

describe('pcw offers eos', () => {
  test('lists the end-of-sale offers with their dates and every subscription carrying one, of every customer', async () => {
    const [first, second] = rig.sandbox.customerIds;
    const teams = await Promise.all(
      [first, second].map((customerId) =>
        rig.sandbox.control.seedSubscription({
          customerId,
          ...offers.teamsEssentials,
          termDuration: 'P1Y',
          quantity: 2,
        }),
      ),
    );
    await rig.sandbox.control.seedSubscription({ customerId: first, ...offers.businessBasic, quantity: 1 });
    const env = {
      PARTNER_CENTER_BASE_URL: rig.sandbox.baseUrl,
      PARTNER_PRICING_BASE_URL: rig.sandbox.pricingBaseUrl,
      AZURE_AUTHORITY_HOST: rig.sandbox.authorityHost,
      AZURE_TENANT_ID: rig.sandbox.tenantId,
      AZURE_CLIENT_ID: rig.sandbox.clientId,
      AZURE_CLIENT_SECRET: rig.sandbox.clientSecret,
      PARTNER_CENTER_REFRESH_TOKEN: rig.sandbox.refreshToken,
      NODE_EXTRA_CA_CERTS: rig.sandbox.caFile,
    };
    const listed = await spawnPcw(tree.bin, ['offers', 'eos', '--market', 'US', '--json'], env, tree.dir).exited;
    expect(listed.code).toBe(0);
    const { market, offers: eos } = JSON.parse(listed.stdout) as {
      market: string;
      offers: Array<{ productId: string; endOfSaleDate: string; subscriptions: Array<Record<string, unknown>> }>;
    };
    expect(market).toBe('US');
    expect(eos).toHaveLength(1);
    expect(eos[0].productId).toBe(offers.teamsEssentials.productId);
    expect(eos[0].endOfSaleDate).toMatch(/^\d{4}-\d{2}-01T/);
    expect(eos[0].subscriptions.map((s) => s.subscriptionId).sort()).toEqual(teams.map((t) => t.id).sort());
    expect(eos[0].subscriptions.map((s) => s.customerId).sort()).toEqual([first, second].sort());
    for (const subscription of eos[0].subscriptions) expect(typeof subscription.autoRenewEnabled).toBe('boolean');
    const text = await spawnPcw(tree.bin, ['offers', 'eos'], env, tree.dir).exited;
    expect(text.stdout).toMatch(/CFQ7TTC0RM8K:0001 \(US\) ends sale on \d{4}-\d{2}-01: 2 subscription\(s\)/);
    expect(text.stdout).toMatch(/auto-renew/);
    expect(`${text.stdout}${listed.stdout}`).not.toContain(rig.sandbox.clientSecret);
  });
});
