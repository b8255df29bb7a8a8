/**
 * Every resource the client reads or writes, parsed from the real sandbox over real HTTP with
 * real msal-node tokens: catalog, cart → checkout → orders → subscriptions, PATCH (200 and 202),
 * provisioning status, invoices and reconciliation line items paged through more than two pages.
 */
import { startSandbox, type Sandbox } from 'partner-center-sandbox';
import { sandboxTokenOptions } from '../../../src/sandbox-settings';
import {
  CatalogResolutionError,
  createCatalogResolver,
  createPartnerCenterClient,
  createTokenProvider,
  PartnerCenterNotFoundError,
  type OneTimeInvoiceLineItem,
  type Order,
  type PartnerCenterClient,
  type Subscription,
} from '../../../src/partner-center';
import { seekCursorSchema } from '../../../src/partner-center/paging';

const COUNTRY = 'US';
const BUSINESS_BASIC = 'CFQ7TTC0LH18';

let sandbox: Sandbox;
let client: PartnerCenterClient;
let customerId: string;

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 11 });
  customerId = sandbox.customerIds[0];
  // App+User: the provisioning-status endpoints accept nothing else (reference §1.3).
  const tokens = createTokenProvider(sandboxTokenOptions(sandbox, { appPlusUser: true }));
  client = createPartnerCenterClient({ baseUrl: sandbox.baseUrl, tokens });
});

afterAll(async () => {
  await sandbox.close();
});

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

describe('catalog', () => {
  test('products, SKUs and availabilities, listed and by id', async () => {
    const products = await client.listProducts({ country: COUNTRY, targetView: 'OnlineServices' });
    expect(products.length).toBeGreaterThan(2);
    expect(products.every((p) => p.productType?.id === 'OnlineServicesNCE')).toBe(true);
    const product = await client.getProduct(BUSINESS_BASIC, { country: COUNTRY });
    expect(product.title).toBe('Microsoft 365 Business Basic');

    const skus = await client.listSkus(BUSINESS_BASIC, { country: COUNTRY, targetSegment: 'commercial' });
    const sku = await client.getSku(BUSINESS_BASIC, skus[0].id, { country: COUNTRY });
    expect(sku).toMatchObject({ id: skus[0].id, minimumQuantity: 1, maximumQuantity: 300 });
    expect(sku.supportedBillingCycles).toContain('monthly');

    const availabilities = await client.listAvailabilities(BUSINESS_BASIC, sku.id, {
      country: COUNTRY,
      targetSegment: 'commercial',
    });
    expect(availabilities.length).toBeGreaterThan(0);
    for (const a of availabilities) {
      expect(a.catalogItemId).toBe(`${BUSINESS_BASIC}:${sku.id}:${a.id}`);
      expect(a.terms.length).toBeGreaterThan(0);
    }
    const one = await client.getAvailability(BUSINESS_BASIC, sku.id, availabilities[0].id, { country: COUNTRY });
    expect(one.catalogItemId).toBe(availabilities[0].catalogItemId);
    expect(one.terms[0].cancellationPolicies?.[0].refundOptions?.length).toBeGreaterThan(0);
  });

  test('the resolver finds exactly one offer per term and billing cycle', async () => {
    const catalog = createCatalogResolver(client);
    const monthly = await catalog.resolve({
      productId: BUSINESS_BASIC,
      skuId: '0001',
      termDuration: 'P1M',
      billingCycle: 'monthly',
      country: COUNTRY,
      segment: 'commercial',
    });
    expect(monthly.term.duration).toBe('P1M');
    expect(monthly.availability.isPurchasable).toBe(true);
    const byId = await catalog.getByCatalogItemId(monthly.catalogItemId, {
      country: COUNTRY,
      segment: 'commercial',
      termDuration: 'P1M',
      billingCycle: 'monthly',
    });
    expect(byId.availability.id).toBe(monthly.availability.id);
  });
});

test('a rotated availability: stale id fails checkout with 400019, invalidate() and a fresh resolve find the new one', async () => {
  const customerId = sandbox.customerIds[1];
  const catalog = createCatalogResolver(client);
  const offer = {
    productId: BUSINESS_BASIC,
    skuId: '0001',
    termDuration: 'P1Y',
    billingCycle: 'monthly',
    country: COUNTRY,
    segment: 'commercial',
  };
  const stale = await catalog.resolve(offer);
  const rotated = await sandbox.control.rotateAvailability({
    productId: BUSINESS_BASIC,
    skuId: '0001',
    availabilityId: stale.availability.id,
  });
  expect(rotated.oldCatalogItemId).toBe(stale.catalogItemId);

  // Within the TTL the cache still answers with the old id…
  expect((await catalog.resolve(offer)).catalogItemId).toBe(stale.catalogItemId);
  const line = {
    id: 0,
    catalogItemId: stale.catalogItemId,
    quantity: 1,
    billingCycle: 'monthly' as const,
    termDuration: 'P1Y' as const,
  };
  const cart = await client.createCart(customerId, { lineItems: [line] });
  const checkout = await client.checkoutCart(customerId, cart.id).catch((e: unknown) => e);
  expect(checkout).toBeInstanceOf(PartnerCenterNotFoundError);
  expect((checkout as PartnerCenterNotFoundError).code).toBe(400019);
  const term = { country: COUNTRY, segment: 'commercial', termDuration: 'P1Y', billingCycle: 'monthly' };
  const byOldId = await catalog.getByCatalogItemId(stale.catalogItemId, term).then(() => 'found');
  expect(byOldId).toBe('found'); // still cached

  // …and after invalidate() the catalog is read again.
  catalog.invalidate();
  const fresh = await catalog.resolve(offer);
  expect(fresh.catalogItemId).toBe(rotated.newCatalogItemId);
  const gone = await catalog.getByCatalogItemId(stale.catalogItemId, term).catch((e: unknown) => e);
  expect(gone).toBeInstanceOf(CatalogResolutionError);
  expect((gone as CatalogResolutionError).reason).toBe('not-found');
});

describe('purchase round trip', () => {
  let catalogItemId: string;
  let order: Order;
  let subscription: Subscription;

  beforeAll(async () => {
    const catalog = createCatalogResolver(client);
    catalogItemId = (
      await catalog.resolve({
        productId: BUSINESS_BASIC,
        skuId: '0001',
        termDuration: 'P1M',
        billingCycle: 'monthly',
        country: COUNTRY,
        segment: 'commercial',
      })
    ).catalogItemId;
  });

  test('cart: create, read, replace, check out', async () => {
    const line = {
      id: 0,
      catalogItemId,
      quantity: 2,
      billingCycle: 'monthly' as const,
      termDuration: 'P1M' as const,
      friendlyName: 'client test',
    };
    const created = await client.createCart(customerId, { lineItems: [line] });
    expect(created.status).toBe('active');
    expect(created.lineItems[0]).toMatchObject({ id: 0, catalogItemId, quantity: 2 });
    expect(created.lineItems[0].error).toBeUndefined();

    expect((await client.getCart(customerId, created.id)).id).toBe(created.id);
    const updated = await client.updateCart(customerId, created.id, { lineItems: [{ ...line, quantity: 3 }] });
    expect(updated.lineItems[0].quantity).toBe(3);

    const result = await client.checkoutCart(customerId, created.id, { requestId: crypto.randomUUID() });
    expect(result.orderErrors).toEqual([]);
    expect(result.orders).toHaveLength(1);
    order = result.orders[0];
    expect(order.lineItems[0]).toMatchObject({ offerId: catalogItemId, quantity: 3 });
  });

  test('cart line errors arrive inside a created cart', async () => {
    const bad = {
      id: 0,
      catalogItemId: `${BUSINESS_BASIC}:0001:NOSUCHAVAIL1`,
      quantity: 1,
      billingCycle: 'monthly' as const,
      termDuration: 'P1M' as const,
    };
    const good = { id: 1, catalogItemId, quantity: 1, billingCycle: 'monthly' as const, termDuration: 'P1M' as const };
    const cart = await client.createCart(customerId, { lineItems: [bad, good] });
    expect(cart.lineItems[0].error).toMatchObject({
      errorCode: 10001,
      errorDescription: expect.stringContaining('not valid'),
    });
    expect(cart.lineItems[1].error).toBeUndefined();
  });

  test('orders: by id until completed, then listed, with provisioning status', async () => {
    await sandbox.control.advanceClock(60 * 60_000);
    const completed = await client.getOrder(customerId, order.id);
    expect(completed.status).toBe('completed');
    const subscriptionId = completed.lineItems[0].subscriptionId;
    expect(subscriptionId).toEqual(expect.any(String));

    const listed = await client.listOrders(customerId);
    expect(listed.map((o) => o.id)).toContain(order.id);
    const provisioning = await client.getOrderProvisioningStatus(customerId, order.id);
    expect(provisioning[0]).toMatchObject({ lineItemNumber: 0 });
    expect(typeof provisioning[0].status).toBe('string');
  });

  test('subscriptions: by id, listed, by order, provisioning status', async () => {
    const byOrder = await client.listSubscriptionsByOrder(customerId, order.id);
    expect(byOrder).toHaveLength(1);
    subscription = await client.getSubscription(customerId, byOrder[0].id);
    expect(subscription).toMatchObject({
      offerId: catalogItemId,
      quantity: 3,
      status: 'active',
      termDuration: 'P1M',
      billingCycle: 'monthly',
    });
    expect(subscription.refundableQuantity?.totalQuantity).toBe(3);
    expect((await client.listSubscriptions(customerId)).map((s) => s.id)).toContain(subscription.id);
    const provisioning = await client.getSubscriptionProvisioningStatus(customerId, subscription.id);
    expect(['success', 'pending', 'failed']).toContain(provisioning.status);
  });

  test('PATCH: the full body with its etag, answered 200 with the update', async () => {
    const result = await client.updateSubscription(customerId, { ...subscription, quantity: 4 });
    expect(result.kind).toBe('updated');
    if (result.kind === 'updated') expect(result.subscription.quantity).toBe(4);
    subscription = await client.getSubscription(customerId, subscription.id);
  });

  test('PATCH: a long-running change answers 202 with the Location to poll', async () => {
    await sandbox.control.setDelays({ patchAcceptedMs: 60_000 });
    try {
      const result = await client.updateSubscription(customerId, { ...subscription, quantity: 5 });
      expect(result).toEqual({
        kind: 'accepted',
        location: expect.stringContaining(`/subscriptions/${subscription.id}`),
      });
    } finally {
      await sandbox.control.setDelays({ patchAcceptedMs: 0 });
    }
  });

  test('unbilled reconciliation shows the purchase', async () => {
    const lines = await collect(client.unbilledReconciliationLineItems({ currencyCode: 'USD', period: 'current' }));
    const mine = lines.filter((l) => l.orderId === order.id);
    expect(mine.length).toBeGreaterThan(0);
    expect(mine[0]).toMatchObject({ customerId, subscriptionId: subscription.id });
    expect(typeof mine[0].unitPrice).toBe('number');
  });

  test('unbilled reconciliation page by page: a JSON cursor resumes on another client, reads the same lines, and holds no secret', async () => {
    for (let i = 0; i < 4; i += 1)
      await sandbox.control.addCharge({ subscriptionId: subscription.id, chargeType: 'addQuantity', quantity: 1 });
    const query = { currencyCode: 'USD', period: 'current' as const, size: 2 };
    const whole = await collect(client.unbilledReconciliationLineItems(query));
    expect(whole.length).toBeGreaterThan(4);

    // Each page after the first is read by a fresh client (as a retried activity on another worker would) from the stored cursor.
    const stored: string[] = [];
    const paged: OneTimeInvoiceLineItem[] = [];
    let page = await client.unbilledReconciliationLineItemsPage(query);
    paged.push(...page.items);
    while (page.next !== undefined) {
      stored.push(JSON.stringify(page.next));
      const resumed = createPartnerCenterClient({
        baseUrl: sandbox.baseUrl,
        tokens: createTokenProvider(sandboxTokenOptions(sandbox, { appPlusUser: true })),
      });
      page = await resumed.unbilledReconciliationLineItemsPage(
        query,
        seekCursorSchema.parse(JSON.parse(stored.at(-1)!)),
      );
      expect(page.items.length).toBeGreaterThan(0);
      paged.push(...page.items);
    }
    expect(paged).toEqual(whole);
    expect(stored).toHaveLength(Math.ceil(whole.length / 2) - 1);

    const accessToken = await createTokenProvider(sandboxTokenOptions(sandbox, { appPlusUser: true })).getAccessToken();
    for (const cursor of stored) {
      expect(cursor).toContain('seekOperation=Next');
      for (const secret of [sandbox.clientSecret, sandbox.refreshToken, accessToken])
        expect(cursor).not.toContain(secret);
      expect(cursor).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]*/);
    }
  });
});

describe('paging', () => {
  test('invoices by offset, billed line items by continuation token, through more than two pages', async () => {
    const invoices = await collect(client.listInvoices({ size: 1 }));
    expect(invoices.length).toBeGreaterThan(1);
    const invoiceId = invoices[0].id;
    const before = await sandbox.control.counters();
    const paged = await collect(client.invoiceReconciliationLineItems(invoiceId, { size: 2 }));
    const after = await sandbox.control.counters();
    const whole = await collect(client.invoiceReconciliationLineItems(invoiceId, { size: 2000 }));
    expect(paged.length).toBeGreaterThan(4);
    expect(paged).toEqual(whole);
    const continuationCalls = (route: Record<string, number>) =>
      route['GET /v1/invoices/{invoiceId}/lineitems/OneTime/BillingLineItems'] ?? 0;
    expect(continuationCalls(after.requests) - continuationCalls(before.requests)).toBeGreaterThanOrEqual(2);
  });
});
