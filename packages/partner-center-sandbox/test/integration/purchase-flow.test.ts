import type { Sandbox } from '../../src';
import { api, catalogItemFor, sandboxForFile, type PartnerTokens } from './helpers';

type Json = Record<string, unknown>;
type Order = {
  id: string;
  status: string;
  lineItems: Array<{ lineItemNumber: number; offerId: string; quantity: number; subscriptionId?: string }>;
};

let sandbox: Sandbox;
let tokens: PartnerTokens;
let customer: string;
const BASIC = 'CFQ7TTC0LH18';

sandboxForFile(
  { seed: 11, orderCompletionDelayMs: 60_000, orderListDelayMs: 120_000 },
  (started) => ({ sandbox, tokens, customer } = started),
);

async function buy(lines: Json[]): Promise<{ cartId: string; orders: Order[]; orderErrors: Json[] }> {
  const cart = await api<{ id: string }>(sandbox, tokens.appOnly, 'POST', `/customers/${customer}/carts`, {
    lineItems: lines,
  });
  expect(cart.status).toBe(201);
  const checkout = await api<{ orders: Order[]; orderErrors: Json[] }>(
    sandbox,
    tokens.appOnly,
    'POST',
    `/customers/${customer}/carts/${cart.body.id}/checkout`,
  );
  expect(checkout.status).toBe(201);
  return { cartId: cart.body.id, ...checkout.body };
}

describe('the whole purchase flow over HTTP', () => {
  test('catalog → cart → checkout → pending order → completed order with subscriptions → billing', async () => {
    const products = await api<{ items: Array<{ id: string; productType: { id: string } }> }>(
      sandbox,
      tokens.appOnly,
      'GET',
      '/products?country=US&targetView=OnlineServices',
    );
    expect(products.status).toBe(200);
    expect(products.body.items.map((p) => p.id)).toContain(BASIC);
    expect(products.body.items.every((p) => p.productType.id === 'OnlineServicesNCE')).toBe(true);

    const catalogItemId = await catalogItemFor(sandbox, tokens.appOnly, BASIC, '0001', 'P1Y');
    expect(catalogItemId).toMatch(/^CFQ7TTC0LH18:0001:[A-Z0-9]{12}$/);

    const { cartId, orders, orderErrors } = await buy([
      { id: 0, catalogItemId, quantity: 5, termDuration: 'P1Y', billingCycle: 'monthly', friendlyName: 'Sales seats' },
    ]);
    expect(orderErrors).toEqual([]);
    expect(orders).toHaveLength(1);
    const [order] = orders;
    expect(order.id).toMatch(/^[0-9a-f]{12}$/);
    expect(order.status).toBe('pending');
    expect(order.lineItems[0].subscriptionId).toBeUndefined();
    expect(
      (await api<Json>(sandbox, tokens.appOnly, 'GET', `/customers/${customer}/carts/${cartId}`)).body.status,
    ).toBe('Ordered');

    // Immediately consistent by id, but not yet in the customer's list.
    expect(
      (await api<Order>(sandbox, tokens.appOnly, 'GET', `/customers/${customer}/orders/${order.id}`)).body.status,
    ).toBe('pending');
    expect(
      (await api<{ items: Order[] }>(sandbox, tokens.appOnly, 'GET', `/customers/${customer}/orders`)).body.items,
    ).toHaveLength(0);

    await sandbox.control.advanceClock(60_000);
    const completed = await api<Order>(sandbox, tokens.appOnly, 'GET', `/customers/${customer}/orders/${order.id}`);
    expect(completed.body.status).toBe('completed');
    const subscriptionId = completed.body.lineItems[0].subscriptionId!;
    expect(subscriptionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(
      (await api<{ items: Order[] }>(sandbox, tokens.appOnly, 'GET', `/customers/${customer}/orders`)).body.items,
    ).toHaveLength(0);

    await sandbox.control.advanceClock(60_000);
    const list = await api<{ items: Order[]; totalCount: number }>(
      sandbox,
      tokens.appOnly,
      'GET',
      `/customers/${customer}/orders`,
    );
    expect(list.body.items.map((o) => o.id)).toEqual([order.id]);

    const subscription = await api<Json>(
      sandbox,
      tokens.appOnly,
      'GET',
      `/customers/${customer}/subscriptions/${subscriptionId}`,
    );
    expect(subscription.status).toBe(200);
    expect(subscription.body).toMatchObject({
      id: subscriptionId,
      offerId: catalogItemId,
      quantity: 5,
      status: 'active',
      autoRenewEnabled: true,
      termDuration: 'P1Y',
      billingCycle: 'monthly',
      friendlyName: 'Sales seats',
      orderId: order.id,
      refundableQuantity: { totalQuantity: 5 },
    });
    expect(subscription.body.commitmentEndDate).toMatch(/T00:00:00Z$/);
    expect(Date.parse(subscription.body.cancellationAllowedUntilDate as string)).toBeGreaterThan(Date.now());
    expect((subscription.body.attributes as Json).etag).toBeTruthy();

    const byOrder = await api<{ items: Json[] }>(
      sandbox,
      tokens.appOnly,
      'GET',
      `/customers/${customer}/subscriptions?order_id=${order.id}`,
    );
    expect(byOrder.body.items.map((s) => s.id)).toEqual([subscriptionId]);
    const all = await api<{ items: Json[] }>(sandbox, tokens.appOnly, 'GET', `/customers/${customer}/subscriptions`);
    expect(all.body.items).toHaveLength(1);

    const orderStatus = await api<{ items: Json[] }>(
      sandbox,
      tokens.appUser,
      'GET',
      `/customers/${customer}/orders/${order.id}/provisioningstatus`,
    );
    expect(orderStatus.body.items[0]).toMatchObject({ lineItemNumber: 0, status: 'fulfilled' });
    const subStatus = await api<Json>(
      sandbox,
      tokens.appUser,
      'GET',
      `/customers/${customer}/subscriptions/${subscriptionId}/provisioningstatus`,
    );
    expect(subStatus.body).toMatchObject({ status: 'success', quantity: 5 });

    const unbilled = await api<{ items: Json[] }>(
      sandbox,
      tokens.appOnly,
      'GET',
      '/invoices/unbilled/lineitems?provider=onetime&invoicelineitemtype=billinglineitems&currencycode=USD&period=current',
    );
    expect(unbilled.status).toBe(200);
    expect(unbilled.body.items).toEqual([
      expect.objectContaining({
        subscriptionId,
        orderId: order.id,
        chargeType: 'new',
        quantity: 5,
        customerId: customer,
        invoiceNumber: '',
      }),
    ]);
  });

  test('request and correlation ids are echoed; PascalCase bodies and capitalised enums are accepted', async () => {
    const catalogItemId = await catalogItemFor(sandbox, tokens.appOnly, BASIC, '0001', 'P1M');
    const cart = await api<{ lineItems: Array<Json> }>(
      sandbox,
      tokens.appOnly,
      'POST',
      `/customers/${customer}/carts`,
      {
        LineItems: [{ Id: 0, CatalogItemId: catalogItemId, Quantity: 2, TermDuration: 'P1M', BillingCycle: 'Monthly' }],
      },
      {
        'MS-RequestId': 'b85cb7ab-0a3a-4d6c-8a0f-3b0e6c8f4a11',
        'MS-CorrelationId': '6b5c7b8a-1111-4222-8333-944455556666',
      },
    );
    expect(cart.status).toBe(201);
    expect(cart.headers.get('ms-requestid')).toBe('b85cb7ab-0a3a-4d6c-8a0f-3b0e6c8f4a11');
    expect(cart.headers.get('ms-correlationid')).toBe('6b5c7b8a-1111-4222-8333-944455556666');
    expect(cart.body.lineItems[0]).toMatchObject({
      id: 0,
      catalogItemId,
      quantity: 2,
      billingCycle: 'monthly',
      termDuration: 'P1M',
      currencyCode: 'USD',
      orderGroup: '0',
    });
  });

  test('lines that cannot be bought together go to separate order groups and orders; invalid lines are reported, not fatal', async () => {
    const annual = await catalogItemFor(sandbox, tokens.appOnly, BASIC, '0001', 'P1Y');
    const monthly = await catalogItemFor(sandbox, tokens.appOnly, 'CFQ7TTC0LF8Q', '0001', 'P1M');
    const cart = await api<{
      id: string;
      lineItems: Array<{ id: number; orderGroup: string; error?: { errorCode: number } }>;
    }>(sandbox, tokens.appOnly, 'POST', `/customers/${customer}/carts`, {
      lineItems: [
        { id: 0, catalogItemId: annual, quantity: 3, termDuration: 'P1Y', billingCycle: 'annual' },
        { id: 1, catalogItemId: monthly, quantity: 4, termDuration: 'P1M', billingCycle: 'monthly' },
        {
          id: 2,
          catalogItemId: 'CFQ7TTC0ZZZZ:0001:CFQ7TTC0ZZZZ',
          quantity: 1,
          termDuration: 'P1M',
          billingCycle: 'monthly',
        },
        { id: 3, catalogItemId: annual, quantity: 1, termDuration: 'P1Y', billingCycle: 'triennial' },
      ],
    });
    expect(cart.status).toBe(201);
    const [a, b, unknown, badCycle] = cart.body.lineItems;
    expect(a.orderGroup).not.toBe(b.orderGroup);
    expect(unknown.error).toMatchObject({ errorCode: 10001 });
    expect(badCycle.error).toMatchObject({ errorCode: 10013 });
    const checkout = await api<{ orders: Order[]; orderErrors: Array<{ orderGroupId: string; code: number }> }>(
      sandbox,
      tokens.appOnly,
      'POST',
      `/customers/${customer}/carts/${cart.body.id}/checkout`,
    );
    expect(checkout.status).toBe(201);
    expect(checkout.body.orders).toHaveLength(2);
    expect(checkout.body.orderErrors.map((e) => e.code).sort()).toEqual([10001, 10013]);
    expect((await sandbox.control.counters()).ordersPerCart[cart.body.id]).toBe(2);
  });

  test('an add-on needs a base licence, owned or in the same cart', async () => {
    const addOn = await catalogItemFor(sandbox, tokens.appOnly, 'CFQ7TTC0RM7H', '0001', 'P1Y');
    const base = await catalogItemFor(sandbox, tokens.appOnly, BASIC, '0001', 'P1Y');
    const alone = await api<{ lineItems: Array<{ error?: { errorCode: number } }> }>(
      sandbox,
      tokens.appOnly,
      'POST',
      `/customers/${customer}/carts`,
      {
        lineItems: [{ id: 0, catalogItemId: addOn, quantity: 1, termDuration: 'P1Y', billingCycle: 'monthly' }],
      },
    );
    expect(alone.body.lineItems[0].error).toMatchObject({ errorCode: 400041 });
    const together = await api<{ lineItems: Array<{ error?: unknown }> }>(
      sandbox,
      tokens.appOnly,
      'POST',
      `/customers/${customer}/carts`,
      {
        lineItems: [
          { id: 0, catalogItemId: base, quantity: 1, termDuration: 'P1Y', billingCycle: 'monthly' },
          { id: 1, catalogItemId: addOn, quantity: 1, termDuration: 'P1Y', billingCycle: 'monthly' },
        ],
      },
    );
    expect(together.body.lineItems.map((l) => l.error)).toEqual([undefined, undefined]);
  });

  test('an inventory-checked SKU beyond its stock fails its order group at checkout (partial success)', async () => {
    const cloudPc = await catalogItemFor(sandbox, tokens.appOnly, 'CFQ7TTC0HHS9', '0003', 'P1M');
    const basic = await catalogItemFor(sandbox, tokens.appOnly, BASIC, '0001', 'P1Y');
    const { orders, orderErrors } = await buy([
      { id: 0, catalogItemId: basic, quantity: 1, termDuration: 'P1Y', billingCycle: 'annual' },
      { id: 1, catalogItemId: cloudPc, quantity: 150, termDuration: 'P1M', billingCycle: 'monthly' },
    ]);
    expect(orders).toHaveLength(1);
    expect(orderErrors).toEqual([expect.objectContaining({ code: 800010 })]);
  });

  test('PUT replaces the lines of an active cart; an ordered cart cannot change', async () => {
    const basic = await catalogItemFor(sandbox, tokens.appOnly, BASIC, '0001', 'P1Y');
    const created = await api<{ id: string }>(sandbox, tokens.appOnly, 'POST', `/customers/${customer}/carts`, {
      lineItems: [{ id: 0, catalogItemId: basic, quantity: 1, termDuration: 'P1Y', billingCycle: 'annual' }],
    });
    const updated = await api<{ lineItems: Array<{ quantity: number }> }>(
      sandbox,
      tokens.appOnly,
      'PUT',
      `/customers/${customer}/carts/${created.body.id}`,
      {
        lineItems: [{ id: 0, catalogItemId: basic, quantity: 9, termDuration: 'P1Y', billingCycle: 'annual' }],
      },
    );
    expect(updated.status).toBe(201);
    expect(updated.body.lineItems[0].quantity).toBe(9);
    await api(sandbox, tokens.appOnly, 'POST', `/customers/${customer}/carts/${created.body.id}/checkout`);
    const late = await api<Json>(sandbox, tokens.appOnly, 'PUT', `/customers/${customer}/carts/${created.body.id}`, {
      lineItems: [{ id: 0, catalogItemId: basic, quantity: 2, termDuration: 'P1Y', billingCycle: 'annual' }],
    });
    expect(late.status).toBe(400);
    expect(late.body.code).toBe(800065);
  });

  test('a custom term end date must fall within the first term and becomes the commitment end date', async () => {
    const monthly = await catalogItemFor(sandbox, tokens.appOnly, BASIC, '0001', 'P1M');
    const now = await sandbox.control.now();
    // An allowed custom end date: the end of the current calendar month (docs/sandbox.md, Co-terminosity).
    const today = new Date(now);
    const inTerm = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() + 1, 0)).toISOString().slice(0, 10);
    const tooLate = new Date(now + 90 * 24 * 3600 * 1000).toISOString().slice(0, 10);
    const cart = await api<{ lineItems: Array<{ error?: { errorCode: number } }> }>(
      sandbox,
      tokens.appOnly,
      'POST',
      `/customers/${customer}/carts`,
      {
        lineItems: [
          {
            id: 0,
            catalogItemId: monthly,
            quantity: 1,
            termDuration: 'P1M',
            billingCycle: 'monthly',
            customTermEndDate: inTerm,
          },
          {
            id: 1,
            catalogItemId: monthly,
            quantity: 1,
            termDuration: 'P1M',
            billingCycle: 'monthly',
            customTermEndDate: tooLate,
          },
        ],
      },
    );
    expect(cart.body.lineItems[0].error).toBeUndefined();
    expect(cart.body.lineItems[1].error).toMatchObject({ errorCode: 10017 });
    const { orders } = await buy([
      {
        id: 0,
        catalogItemId: monthly,
        quantity: 1,
        termDuration: 'P1M',
        billingCycle: 'monthly',
        customTermEndDate: inTerm,
      },
    ]);
    await sandbox.control.advanceClock(60_000);
    const order = await api<Order>(sandbox, tokens.appOnly, 'GET', `/customers/${customer}/orders/${orders[0].id}`);
    const subscription = await api<Json>(
      sandbox,
      tokens.appOnly,
      'GET',
      `/customers/${customer}/subscriptions/${order.body.lineItems[0].subscriptionId!}`,
    );
    expect(subscription.body.commitmentEndDate).toBe(`${inTerm}T00:00:00Z`);
  });

  test('carts expire after 7 days', async () => {
    const basic = await catalogItemFor(sandbox, tokens.appOnly, BASIC, '0001', 'P1Y');
    const created = await api<{ id: string; creationTimestamp: string; expirationTimestamp: string }>(
      sandbox,
      tokens.appOnly,
      'POST',
      `/customers/${customer}/carts`,
      {
        lineItems: [{ id: 0, catalogItemId: basic, quantity: 1, termDuration: 'P1Y', billingCycle: 'annual' }],
      },
    );
    expect(Date.parse(created.body.expirationTimestamp) - Date.parse(created.body.creationTimestamp)).toBe(
      7 * 24 * 3600 * 1000,
    );
    await sandbox.control.advanceClock(7 * 24 * 3600 * 1000 + 1000);
    const checkout = await api<Json>(
      sandbox,
      tokens.appOnly,
      'POST',
      `/customers/${customer}/carts/${created.body.id}/checkout`,
    );
    expect(checkout.status).toBe(404);
    expect(checkout.body.code).toBe(800008);
  });
});
