import { startSandbox, type Sandbox } from '../../src';
import { api, catalogItemFor, partnerTokens, sandboxForFile, type PartnerTokens } from './helpers';

type Json = Record<string, unknown>;
type Link = { uri: string; method: string; headers: Array<{ key: string; value: string }> };
type Page<T = Json> = {
  totalCount: number;
  items: T[];
  links: { self: Link; next?: Link };
  continuationToken?: string;
};

let sandbox: Sandbox;
let tokens: PartnerTokens;

sandboxForFile({ seed: 51, orderCompletionDelayMs: 0 }, (started) => ({ sandbox, tokens } = started));

describe('catalog', () => {
  test('products, SKUs and availabilities in every seeded country and currency', async () => {
    for (const [country, currency] of [
      ['US', 'USD'],
      ['GB', 'GBP'],
      ['DE', 'EUR'],
    ]) {
      const products = await api<Page<{ id: string; title: string }>>(
        sandbox,
        tokens.appOnly,
        'GET',
        `/products?country=${country}&targetView=OnlineServices&targetSegment=commercial`,
      );
      expect(products.status).toBe(200);
      expect(products.body.items.length).toBeGreaterThanOrEqual(10);
      expect(products.body.items.every((p) => /^[A-Z0-9]{12}$/.test(p.id))).toBe(true);
      const availabilities = await api<
        Page<{ catalogItemId: string; defaultCurrency: { code: string }; country: string }>
      >(sandbox, tokens.appOnly, 'GET', `/products/CFQ7TTC0LH18/skus/0001/availabilities?country=${country}`);
      expect(availabilities.body.items).toHaveLength(3);
      expect(availabilities.body.items.every((a) => a.defaultCurrency.code === currency && a.country === country)).toBe(
        true,
      );
    }
  });

  test('product, SKU and availability by id, with terms, billing cycles and cancellation policies', async () => {
    const product = await api<Json>(sandbox, tokens.appOnly, 'GET', '/products/CFQ7TTC0LH18?country=US');
    expect(product.body).toMatchObject({
      id: 'CFQ7TTC0LH18',
      title: 'Microsoft 365 Business Basic',
      productType: { id: 'OnlineServicesNCE' },
    });
    const skus = await api<Page<{ id: string }>>(
      sandbox,
      tokens.appOnly,
      'GET',
      '/products/CFQ7TTC0LDPB/skus?country=US',
    );
    expect(skus.body.items.map((s) => s.id)).toEqual(['0001', '0002']);
    const sku = await api<Json>(sandbox, tokens.appOnly, 'GET', '/products/CFQ7TTC0LH18/skus/0001?country=US');
    expect(sku.body).toMatchObject({
      id: '0001',
      productId: 'CFQ7TTC0LH18',
      minimumQuantity: 1,
      maximumQuantity: 300,
      isTrial: false,
      supportedBillingCycles: ['monthly', 'annual', 'triennial'],
    });
    const trial = await api<Json>(sandbox, tokens.appOnly, 'GET', '/products/CFQ7TTC0LDPB/skus/0002?country=US');
    expect(trial.body).toMatchObject({
      isTrial: true,
      minimumQuantity: 25,
      maximumQuantity: 25,
      supportedBillingCycles: ['none'],
    });
    const addOn = await api<{ dynamicAttributes: { isAddon: boolean; prerequisiteSkus: string[] } }>(
      sandbox,
      tokens.appOnly,
      'GET',
      '/products/CFQ7TTC0RM7H/skus/0001?country=US',
    );
    expect(addOn.body.dynamicAttributes.isAddon).toBe(true);
    expect(addOn.body.dynamicAttributes.prerequisiteSkus).toContain('CFQ7TTC0LH18:0001');

    const catalogItemId = await catalogItemFor(sandbox, tokens.appOnly, 'CFQ7TTC0LH18', '0001', 'P3Y');
    const availabilityId = catalogItemId.split(':')[2];
    const availability = await api<{
      catalogItemId: string;
      terms: Array<{ duration: string; billingCycle: string; cancellationPolicies: Array<{ refundOptions: Json[] }> }>;
    }>(sandbox, tokens.appOnly, 'GET', `/products/CFQ7TTC0LH18/skus/0001/availabilities/${availabilityId}?country=US`);
    expect(availability.body.catalogItemId).toBe(catalogItemId);
    expect(availability.body.terms.map((t) => t.billingCycle)).toEqual(['Monthly', 'Annual', 'Triennial']);
    expect(availability.body.terms[0].cancellationPolicies[0].refundOptions).toEqual([
      { sequenceId: 0, type: 'Full', expiresAfter: 'P1D' },
      { sequenceId: 1, type: 'Partial', expiresAfter: 'P7D' },
    ]);
  });

  test('nonprofit availabilities appear only when asked for; other views are empty', async () => {
    const defaultList = await api<Page<{ segment: string }>>(
      sandbox,
      tokens.appOnly,
      'GET',
      '/products/CFQ7TTC0LH18/skus/0001/availabilities?country=US',
    );
    expect(defaultList.body.items.every((a) => a.segment !== 'nonprofit')).toBe(true);
    const nonprofit = await api<Page<{ segment: string }>>(
      sandbox,
      tokens.appOnly,
      'GET',
      '/products/CFQ7TTC0LH18/skus/0001/availabilities?country=US&targetSegment=nonprofit',
    );
    expect(nonprofit.body.items.length).toBeGreaterThan(0);
    expect(nonprofit.body.items.every((a) => a.segment === 'nonprofit')).toBe(true);
    expect(
      (await api<Page>(sandbox, tokens.appOnly, 'GET', '/products?country=US&targetView=Azure')).body.items,
    ).toEqual([]);
  });

  test('unknown product, SKU and availability answer 404 with 400013, 400018 and 400019', async () => {
    expect((await api<Json>(sandbox, tokens.appOnly, 'GET', '/products/CFQ7TTC0NONE?country=US')).body).toMatchObject({
      code: 400013,
    });
    expect((await api<Json>(sandbox, tokens.appOnly, 'GET', '/products/CFQ7TTC0NONE/skus?country=US')).status).toBe(
      404,
    );
    const sku = await api<Json>(sandbox, tokens.appOnly, 'GET', '/products/CFQ7TTC0LH18/skus/9999?country=US');
    expect(sku.status).toBe(404);
    expect(sku.body.code).toBe(400018);
    const availability = await api<Json>(
      sandbox,
      tokens.appOnly,
      'GET',
      '/products/CFQ7TTC0LH18/skus/0001/availabilities/CFQ7TTC0NONE?country=US',
    );
    expect(availability.status).toBe(404);
    expect(availability.body.code).toBe(400019);
    expect(
      (await api<Json>(sandbox, tokens.appOnly, 'GET', '/products?country=FR&targetView=OnlineServices')).body.code,
    ).toBe(2030);
  });

  test('query names are case-insensitive', async () => {
    const response = await api<Page>(sandbox, tokens.appOnly, 'GET', '/products?COUNTRY=us&TargetView=onlineservices');
    expect(response.status).toBe(200);
    expect(response.body.items.length).toBeGreaterThan(0);
  });
});

describe('billing', () => {
  async function buyMany(lines: number): Promise<void> {
    const customer = sandbox.customerIds[0];
    const catalogItemId = await catalogItemFor(sandbox, tokens.appOnly, 'CFQ7TTC0LF8Q', '0001', 'P1Y');
    const lineItems = Array.from({ length: lines }, (_, id) => ({
      id,
      catalogItemId,
      quantity: id + 1,
      termDuration: 'P1Y',
      billingCycle: 'monthly',
    }));
    const cart = await api<{ id: string }>(sandbox, tokens.appOnly, 'POST', `/customers/${customer}/carts`, {
      lineItems,
    });
    await api(sandbox, tokens.appOnly, 'POST', `/customers/${customer}/carts/${cart.body.id}/checkout`);
    await api(sandbox, tokens.appOnly, 'GET', `/customers/${customer}/orders`);
  }

  test('unbilled line items page with links.next, MS-ContinuationToken and seekOperation=Next over more than two pages', async () => {
    await buyMany(7);
    const seen: Json[] = [];
    let page = await api<Page>(
      sandbox,
      tokens.appOnly,
      'GET',
      '/invoices/unbilled/lineitems?provider=onetime&invoicelineitemtype=billinglineitems&currencycode=USD&period=current&size=3',
    );
    let pages = 1;
    seen.push(...page.body.items);
    while (page.body.links.next) {
      const next = page.body.links.next;
      expect(next.uri).toContain('seekOperation=Next');
      const continuation = next.headers.find((h) => h.key === 'MS-ContinuationToken');
      expect(continuation?.value).toBe(page.body.continuationToken);
      page = await api<Page>(sandbox, tokens.appOnly, 'GET', next.uri, undefined, {
        'MS-ContinuationToken': continuation!.value,
      });
      expect(page.status).toBe(200);
      seen.push(...page.body.items);
      pages += 1;
    }
    expect(pages).toBe(3);
    expect(seen).toHaveLength(7);
    expect(new Set(seen.map((l) => l.subscriptionId)).size).toBe(7);
    expect(seen[0]).toMatchObject({
      chargeType: 'new',
      invoiceLineItemType: 'billing_line_items',
      billingProvider: 'one_time',
      currency: 'USD',
      attributes: { objectType: 'OneTimeInvoiceLineItem' },
    });
  });

  test('reconciliation lines can lag behind the charge (reconLineMs)', async () => {
    await sandbox.control.setDelays({ reconLineMs: 6 * 3_600_000 });
    await buyMany(1);
    const query =
      '/invoices/unbilled/lineitems?provider=onetime&invoicelineitemtype=billinglineitems&currencycode=USD&period=';
    const count = async () => {
      let total = 0;
      for (const period of ['previous', 'current'])
        total += (await api<Page>(sandbox, tokens.appOnly, 'GET', `${query}${period}`)).body.items.length;
      return total;
    };
    expect(await count()).toBe(0);
    await sandbox.control.advanceClock(6 * 3_600_000);
    expect(await count()).toBe(1);
  });

  test('a continuation without its token, or with a token of another query, is refused', async () => {
    const noToken = await api<Json>(
      sandbox,
      tokens.appOnly,
      'GET',
      '/invoices/unbilled/lineitems?provider=onetime&invoicelineitemtype=billinglineitems&currencycode=USD&period=current&seekOperation=Next',
    );
    expect(noToken.status).toBe(400);
    expect(String(noToken.body.description)).toContain('MS-ContinuationToken');
    const invoices = await api<Page<{ id: string }>>(sandbox, tokens.appOnly, 'GET', '/invoices');
    const billed = await api<Page>(
      sandbox,
      tokens.appOnly,
      'GET',
      `/invoices/${invoices.body.items[0].id}/lineitems?provider=onetime&invoicelineitemtype=billinglineitems&size=1`,
    );
    const foreignToken = billed.body.links.next!.headers[0].value;
    const mixed = await api<Json>(
      sandbox,
      tokens.appOnly,
      'GET',
      '/invoices/unbilled/lineitems?provider=onetime&invoicelineitemtype=billinglineitems&currencycode=USD&period=current&seekOperation=Next',
      undefined,
      { 'MS-ContinuationToken': foreignToken },
    );
    expect(mixed.status).toBe(400);
  });

  test('invoices page by offset; billed line items page through the OneTime/BillingLineItems continuation route', async () => {
    const first = await api<Page<{ id: string; currencyCode: string }> & { totalCount: number }>(
      sandbox,
      tokens.appOnly,
      'GET',
      '/invoices?size=1',
    );
    expect(first.body.totalCount).toBe(2);
    expect(first.body.items).toHaveLength(1);
    expect(first.body.links.next?.uri).toBe('/invoices?size=1&offset=1');
    const second = await api<Page<{ id: string }>>(sandbox, tokens.appOnly, 'GET', first.body.links.next!.uri);
    expect(second.body.items[0].id).not.toBe(first.body.items[0].id);
    expect(second.body.links.next).toBeUndefined();

    const invoiceId = first.body.items[0].id;
    let page = await api<Page>(
      sandbox,
      tokens.appOnly,
      'GET',
      `/invoices/${invoiceId}/lineitems?provider=onetime&invoicelineitemtype=billinglineitems&size=4`,
    );
    const lines = [...page.body.items];
    while (page.body.links.next) {
      expect(page.body.links.next.uri).toMatch(
        new RegExp(`^/invoices/${invoiceId}/lineitems/OneTime/BillingLineItems\\?`),
      );
      page = await api<Page>(sandbox, tokens.appOnly, 'GET', page.body.links.next.uri, undefined, {
        'MS-ContinuationToken': page.body.links.next.headers[0].value,
      });
      lines.push(...page.body.items);
    }
    expect(lines).toHaveLength(9);
    expect(lines.every((l) => l.invoiceNumber === invoiceId)).toBe(true);
  });
});

describe('control API', () => {
  test('an invoice generated for the world bills only subscriptions of its currency, at least one line each', async () => {
    const seed = async (customerId: string) =>
      (await sandbox.control.seedSubscription({ customerId, productId: 'CFQ7TTC0LH18', skuId: '0001', quantity: 2 }))
        .id;
    const [usd, gbp] = [await seed(sandbox.customerIds[0]!), await seed(sandbox.customerIds[1]!)];
    await expect(sandbox.control.createInvoice({ generatedForWorld: {} })).rejects.toThrow(/needs generatedLines/);
    await expect(
      sandbox.control.createInvoice({ generatedLines: 10, generatedForWorld: { leaveOut: [gbp] } }),
    ).rejects.toThrow(new RegExp(`400 .*${gbp} is not one the invoice can bill \\(USD\\)`));
    await expect(
      sandbox.control.createInvoice({ generatedLines: 2, generatedForWorld: { unknown: 2 } }),
    ).rejects.toThrow(/400 .*at least the 3 subscriptions/);
    await expect(
      sandbox.control.createInvoice({ currency: 'EUR', generatedLines: 2, generatedForWorld: { leaveOut: [] } }),
    ).rejects.toThrow(/400 .*no subscription billed in EUR/);
    const invoice = await sandbox.control.createInvoice({
      generatedLines: 3,
      generatedForWorld: { extraSeat: [usd], unknown: 2 },
    });
    expect(invoice.lines).toBe(3);
  });

  test('customers added in bulk page in the customer list, can be sold to, and are gone after a reset', async () => {
    const ids = await sandbox.control.addCustomers({ count: 120, country: 'GB' });
    expect(new Set(ids).size).toBe(120);
    // One page: the 3 seeded customers and the 120 added (pages hold up to 500).
    const page = await api<{ items: Array<{ id: string; companyProfile?: { domain?: string } }> }>(
      sandbox,
      tokens.appOnly,
      'GET',
      '/customers?size=500',
    );
    const listed = page.body.items;
    const listedIds = listed.map((c) => c.id);
    expect(listedIds).toEqual(expect.arrayContaining([...sandbox.customerIds, ...ids]));
    const added = listed.filter((c) => ids.includes(c.id));
    expect(new Set(added.map((c) => c.companyProfile?.domain)).size).toBe(120);
    const agreements = await api<{ items: unknown[] }>(
      sandbox,
      tokens.appOnly,
      'GET',
      `/customers/${ids[119]}/agreements?agreementType=MicrosoftCustomerAgreement`,
    );
    expect(agreements.body.items).toHaveLength(1);
    const seeded = await sandbox.control.seedSubscription({
      customerId: ids[119]!,
      productId: 'CFQ7TTC0LH18',
      skuId: '0001',
      quantity: 3,
    });
    const subscription = await api<{ currencyCode?: string }>(
      sandbox,
      tokens.appOnly,
      'GET',
      `/customers/${ids[119]}/subscriptions/${seeded.id}`,
    );
    expect(subscription.status).toBe(200);
    await sandbox.control.reset({ seed: 51 });
    expect((await api(sandbox, tokens.appOnly, 'GET', `/customers/${ids[0]}/subscriptions`)).status).toBe(404);
  });

  test('clock, delays, counters per route template and reset', async () => {
    const before = await sandbox.control.now();
    const after = await sandbox.control.advanceClock(3_600_000);
    expect(after - before).toBeGreaterThanOrEqual(3_600_000);
    const delays = await sandbox.control.setDelays({ orderListMs: 900_000 });
    expect(delays).toMatchObject({ orderListMs: 900_000, orderCompletionMs: 0 });
    await api(sandbox, tokens.appOnly, 'GET', '/products/CFQ7TTC0LH18?country=US');
    await api(sandbox, tokens.appOnly, 'GET', '/products/CFQ7TTC0LF8Q?country=US');
    const counters = await sandbox.control.counters();
    expect(counters.requests['GET /v1/products/{productId}']).toBe(2);
    expect(counters.tokens.clientCredentials).toBe(0);
    await sandbox.control.reset();
    expect((await sandbox.control.counters()).requests).toEqual({});
    expect((await sandbox.control.now()) - Date.now()).toBeLessThan(60_000);
  });

  test('a clock started behind the wall clock (clockOffsetMs) stays behind after a reset', async () => {
    const lagging = await startSandbox({ seed: 52, clockOffsetMs: -2 * 86_400_000 });
    try {
      const behind = () => lagging.control.now().then((now) => Date.now() - now);
      expect(await behind()).toBeGreaterThanOrEqual(2 * 86_400_000 - 60_000);
      await lagging.control.advanceClock(86_400_000);
      expect(await behind()).toBeLessThan(86_400_000 + 60_000);
      await lagging.control.reset();
      expect(await behind()).toBeGreaterThanOrEqual(2 * 86_400_000 - 60_000);
    } finally {
      await lagging.close();
    }
  });

  test('reset with the same seed gives the same catalog ids; another seed gives others', async () => {
    const first = await catalogItemFor(sandbox, tokens.appOnly, 'CFQ7TTC0LH18', '0001', 'P1Y');
    await sandbox.control.reset({ seed: 51 });
    expect(await catalogItemFor(sandbox, tokens.appOnly, 'CFQ7TTC0LH18', '0001', 'P1Y')).toBe(first);
    await sandbox.control.reset({ seed: 52 });
    expect(await catalogItemFor(sandbox, tokens.appOnly, 'CFQ7TTC0LH18', '0001', 'P1Y')).not.toBe(first);
    await sandbox.control.reset({ seed: 51 });
  });

  test('the token counters count grants at the authority', async () => {
    await partnerTokens(sandbox);
    expect((await sandbox.control.counters()).tokens).toEqual({ clientCredentials: 1, refreshToken: 1 });
  });

  test('bad control requests are refused with 400 naming the field, unknown routes with 404', async () => {
    const post = (path: string, body: unknown) =>
      fetch(`${sandbox.baseUrl}/_sandbox${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const badFault = await post('/faults', { path: '/v1/x', kind: 'explode' });
    expect(badFault.status).toBe(400);
    expect(((await badFault.json()) as Json).description).toContain("'kind'");
    expect((await post('/clock/advance', { ms: -5 })).status).toBe(400);
    expect((await fetch(`${sandbox.baseUrl}/_sandbox/nothing`)).status).toBe(404);
    expect((await post('/subscriptions/unknown/provisioning', { status: 'success' })).status).toBe(404);
  });
});
