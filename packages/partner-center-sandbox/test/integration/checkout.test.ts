import { startSandbox, type Sandbox } from '../../src';
import { api, catalogItemFor, partnerTokens } from './helpers';

type Json = Record<string, unknown>;
type CheckoutResult = { orders: Array<{ id: string; status: string }>; orderErrors: Json[] };

let sandbox: Sandbox;
let token: string;
let customer: string;
let basic: string;

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 21 });
  token = (await partnerTokens(sandbox)).appOnly;
  customer = sandbox.customerIds[0];
});
afterAll(async () => {
  await sandbox.close();
});
beforeEach(async () => {
  await sandbox.control.reset();
  basic = await catalogItemFor(sandbox, token, 'CFQ7TTC0LH18', '0001', 'P1Y');
});

async function newCart(catalogItemId = basic): Promise<string> {
  const cart = await api<{ id: string }>(sandbox, token, 'POST', `/customers/${customer}/carts`, {
    lineItems: [{ id: 0, catalogItemId, quantity: 2, termDuration: 'P1Y', billingCycle: 'monthly' }],
  });
  expect(cart.status).toBe(201);
  return cart.body.id;
}

const checkout = (cartId: string) =>
  api<CheckoutResult & Json>(sandbox, token, 'POST', `/customers/${customer}/carts/${cartId}/checkout`);

describe('checkout', () => {
  test('is idempotent per cart: a repeated checkout returns the first result and creates no order', async () => {
    const cartId = await newCart();
    const first = await checkout(cartId);
    const second = await checkout(cartId);
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body.orders.map((o) => o.id)).toEqual(first.body.orders.map((o) => o.id));
    const counters = await sandbox.control.counters();
    expect(counters.ordersPerCart[cartId]).toBe(1);
    expect(counters.requests['POST /v1/customers/{customerId}/carts/{cartId}/checkout']).toBe(2);
  });

  test('a concurrent checkout of the same cart gets 409 with code 800064', async () => {
    await sandbox.control.setDelays({ checkoutMs: 1500 });
    const cartId = await newCart();
    const [a, b] = await Promise.all([checkout(cartId), checkout(cartId)]);
    const statuses = [a.status, b.status].sort();
    expect(statuses).toEqual([201, 409]);
    const conflict = a.status === 409 ? a : b;
    expect(conflict.body).toMatchObject({ code: 800064, source: 'PartnerFD' });
    expect((await sandbox.control.counters()).ordersPerCart[cartId]).toBe(1);
  });

  test('commit-then-drop: the order is created, the response is lost, and the retry returns the same order', async () => {
    const cartId = await newCart();
    await sandbox.control.addFault({
      method: 'POST',
      path: '/v1/customers/*/carts/*/checkout',
      kind: 'commit-then-drop',
    });
    await expect(checkout(cartId)).rejects.toThrow();
    expect((await sandbox.control.counters()).ordersPerCart[cartId]).toBe(1);
    const retry = await checkout(cartId);
    expect(retry.status).toBe(201);
    expect(retry.body.orders).toHaveLength(1);
    expect((await sandbox.control.counters()).ordersPerCart[cartId]).toBe(1);
  });

  test('a rotated (stale) availability fails checkout with 404/400019; updating the cart with the new id succeeds', async () => {
    const cartId = await newCart();
    const [productId, skuId, availabilityId] = basic.split(':');
    const rotated = await sandbox.control.rotateAvailability({ productId, skuId, availabilityId });
    expect(rotated.oldCatalogItemId).toBe(basic);
    expect(rotated.newCatalogItemId).not.toBe(basic);
    const stale = await checkout(cartId);
    expect(stale.status).toBe(404);
    expect(stale.body.code).toBe(400019);
    expect(await catalogItemFor(sandbox, token, productId, skuId, 'P1Y')).toBe(rotated.newCatalogItemId);
    const byOldId = await api<Json>(
      sandbox,
      token,
      'GET',
      `/products/${productId}/skus/${skuId}/availabilities/${availabilityId}?country=US`,
    );
    expect(byOldId.status).toBe(404);
    expect(byOldId.body.code).toBe(400019);
    const update = await api(sandbox, token, 'PUT', `/customers/${customer}/carts/${cartId}`, {
      lineItems: [
        { id: 0, catalogItemId: rotated.newCatalogItemId, quantity: 2, termDuration: 'P1Y', billingCycle: 'monthly' },
      ],
    });
    expect(update.status).toBe(201);
    const retry = await checkout(cartId);
    expect(retry.status).toBe(201);
    expect(retry.body.orders).toHaveLength(1);
  });

  test('a cart whose every line is invalid is refused with 400/800009 and can be fixed and checked out', async () => {
    const cartId = await newCart('CFQ7TTC0LH18:0001:CFQ7TTC0NOPE');
    const refused = await checkout(cartId);
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe(800009);
    expect(refused.body.data).toEqual([expect.objectContaining({ code: 10001 })]);
    await api(sandbox, token, 'PUT', `/customers/${customer}/carts/${cartId}`, {
      lineItems: [{ id: 0, catalogItemId: basic, quantity: 2, termDuration: 'P1Y', billingCycle: 'monthly' }],
    });
    expect((await checkout(cartId)).status).toBe(201);
  });

  test('orders complete after the configured delay and gain subscription ids', async () => {
    await sandbox.control.setDelays({ orderCompletionMs: 30_000 });
    const cartId = await newCart();
    const placed = await checkout(cartId);
    const orderId = placed.body.orders[0].id;
    expect(placed.body.orders[0].status).toBe('pending');
    await sandbox.control.advanceClock(29_000);
    expect((await api<Json>(sandbox, token, 'GET', `/customers/${customer}/orders/${orderId}`)).body.status).toBe(
      'pending',
    );
    await sandbox.control.advanceClock(2_000);
    const done = await api<{ status: string; lineItems: Array<{ subscriptionId?: string }> }>(
      sandbox,
      token,
      'GET',
      `/customers/${customer}/orders/${orderId}`,
    );
    expect(done.body.status).toBe('completed');
    expect(done.body.lineItems[0].subscriptionId).toBeTruthy();
  });

  test('a replayed MS-RequestId on a POST returns the stored response instead of creating a second cart', async () => {
    const requestId = 'a1d3f1e2-0000-4000-8000-000000000001';
    const body = {
      lineItems: [{ id: 0, catalogItemId: basic, quantity: 1, termDuration: 'P1Y', billingCycle: 'monthly' }],
    };
    const first = await api<{ id: string }>(sandbox, token, 'POST', `/customers/${customer}/carts`, body, {
      'MS-RequestId': requestId,
    });
    const again = await api<{ id: string }>(sandbox, token, 'POST', `/customers/${customer}/carts`, body, {
      'MS-RequestId': requestId,
    });
    const fresh = await api<{ id: string }>(sandbox, token, 'POST', `/customers/${customer}/carts`, body, {
      'MS-RequestId': 'a1d3f1e2-0000-4000-8000-000000000002',
    });
    expect(again.body.id).toBe(first.body.id);
    expect(fresh.body.id).not.toBe(first.body.id);
    expect((await sandbox.control.counters()).replayedRequests).toBe(1);
  });

  test('the API policy answers a repeated checkout with 400/800065 and can stop replaying MS-RequestIds; reset restores the defaults', async () => {
    expect(
      await sandbox.control.setApiPolicy({ repeatedCheckout: 'already-submitted', requestIdReplay: false }),
    ).toEqual({ repeatedCheckout: 'already-submitted', requestIdReplay: false, transitionEvents: 'state' });
    const cartId = await newCart();
    const sameRequest = { 'MS-RequestId': 'a1d3f1e2-0000-4000-8000-000000000003' };
    const path = `/customers/${customer}/carts/${cartId}/checkout`;
    const first = await api<CheckoutResult>(sandbox, token, 'POST', path, undefined, sameRequest);
    const again = await api<CheckoutResult & Json>(sandbox, token, 'POST', path, undefined, sameRequest);
    expect(first.status).toBe(201);
    expect(again.status).toBe(400);
    expect(again.body).toMatchObject({ code: 800065, description: expect.stringContaining(cartId) });
    expect((await sandbox.control.counters()).ordersPerCart[cartId]).toBe(1);
    // Only the changed field moves; a bad value is refused with the field named.
    expect(await sandbox.control.setApiPolicy({ requestIdReplay: true })).toEqual({
      repeatedCheckout: 'already-submitted',
      requestIdReplay: true,
      transitionEvents: 'state',
    });
    const refused = await fetch(`${sandbox.baseUrl}/_sandbox/api-policy`, {
      method: 'PUT',
      body: JSON.stringify({ repeatedCheckout: 'sometimes' }),
    });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('repeatedCheckout');

    await sandbox.control.reset();
    expect(await sandbox.control.setApiPolicy({})).toEqual({
      repeatedCheckout: 'replay',
      requestIdReplay: true,
      transitionEvents: 'state',
    });
  });
});
