import { purchaseStatusQuery } from '../../../src/client';
import { PcCustomerId, PcOrderIds, PcStep, PcSubscriptionIds } from '../../../src/workflows/common/search-attributes';
import {
  historyText,
  JWT_PATTERN,
  line,
  offers,
  workflowFailure,
  purchaseRequest,
  recordHistory,
  secretsOf,
  startRig,
  type PurchaseRig,
} from './harness';

let rig: PurchaseRig;
let usCustomer: string;
/** Owns no licence: the add-on tests need a customer without a base subscription. */
let gbCustomer: string;
beforeAll(async () => {
  rig = await startRig();
  usCustomer = rig.sandbox.customerIds[0]!;
  gbCustomer = rig.sandbox.customerIds[1]!;
});
afterAll(async () => {
  await rig?.close();
});

describe('purchaseSubscription against the sandbox', () => {
  it('buys one line: completed order, active subscription, status, search attributes, summary, one order for the cart', async () => {
    await rig.withWorker(async ({ start }) => {
      const handle = await start(purchaseRequest(usCustomer, [line(offers.businessBasic, 5)]));
      const result = await handle.result();

      expect(result.status).toBe('completed');
      expect(result.lineErrors).toEqual([]);
      expect(result.orders).toHaveLength(1);
      expect(result.orders[0]).toMatchObject({ status: 'completed', lineItems: [{ lineItemNumber: 0, quantity: 5 }] });
      const subscriptionId = result.orders[0]!.lineItems[0]!.subscriptionId;
      expect(subscriptionId).toBeDefined();
      expect(result.subscriptions).toEqual([
        expect.objectContaining({
          id: subscriptionId,
          quantity: 5,
          status: 'active',
          termDuration: 'P1Y',
          billingCycle: 'monthly',
          autoRenewEnabled: true,
        }),
      ]);
      expect(result.subscriptions[0]!.catalogItemId).toMatch(/^CFQ7TTC0LH18:0001:/);

      const status = await handle.query(purchaseStatusQuery);
      expect(status).toMatchObject({
        step: 'completed',
        cartId: result.cartId,
        orderIds: [result.orders[0]!.orderId],
        subscriptionIds: [subscriptionId],
      });

      const description = await handle.describe();
      expect(description.typedSearchAttributes.get(PcStep)).toBe('completed');
      expect(description.typedSearchAttributes.get(PcCustomerId)).toBe(usCustomer);
      expect(description.typedSearchAttributes.get(PcOrderIds)).toEqual([result.orders[0]!.orderId]);
      expect(description.typedSearchAttributes.get(PcSubscriptionIds)).toEqual([subscriptionId]);
      expect(await description.staticSummary()).toContain(usCustomer);

      const counters = await rig.sandbox.control.counters();
      expect(counters.ordersPerCart[result.cartId]).toBe(1);

      // Secrets of the credentials never reach history (inputs, results, failures, search attributes).
      const history = await historyText(handle);
      expect(history).toContain(subscriptionId); // the decoded payloads are really searched
      for (const secret of secretsOf(rig.sandbox)) expect(history).not.toContain(secret);
      expect(history).not.toMatch(JWT_PATTERN);
      await recordHistory('purchase-completed', handle);
    });
  });

  it('buys several lines in one order, applying autoRenew false and the friendly name to the right subscription', async () => {
    await rig.withWorker(async ({ start }) => {
      const handle = await start(
        purchaseRequest(usCustomer, [
          line(offers.businessBasic, 3),
          line(offers.office365E3, 7, { autoRenew: false, friendlyName: 'Finance team' }),
        ]),
      );
      const result = await handle.result();
      expect(result.status).toBe('completed');
      expect(result.orders).toHaveLength(1);
      expect(result.subscriptions).toHaveLength(2);
      const e3 = result.subscriptions.find((s) => s.catalogItemId.startsWith('CFQ7TTC0LF8R:'));
      const basic = result.subscriptions.find((s) => s.catalogItemId.startsWith('CFQ7TTC0LH18:'));
      expect(e3).toMatchObject({ quantity: 7, autoRenewEnabled: false });
      expect(basic).toMatchObject({ quantity: 3, autoRenewEnabled: true });
    });
  });

  it('reports one order per order group when the cart mixes terms', async () => {
    await rig.withWorker(async ({ start }) => {
      const handle = await start(
        purchaseRequest(usCustomer, [
          line(offers.teamsEssentials, 2, { termDuration: 'P1M', billingCycle: 'monthly' }),
          line(offers.businessBasic, 2, { billingCycle: 'annual' }),
        ]),
      );
      const result = await handle.result();
      expect(result.status).toBe('completed');
      expect(result.orders).toHaveLength(2);
      expect(result.subscriptions.map((s) => s.termDuration).sort()).toEqual(['P1M', 'P1Y']);
      const description = await handle.describe();
      expect([...(description.typedSearchAttributes.get(PcOrderIds) ?? [])].sort()).toEqual(
        result.orders.map((o) => o.orderId).sort(),
      );
      expect((await rig.sandbox.control.counters()).ordersPerCart[result.cartId]).toBe(2);
      await recordHistory('purchase-two-orders', handle);
    });
  });

  it('buys the valid lines and reports the refused one (add-on without a base licence) as partial', async () => {
    await rig.withWorker(async ({ start }) => {
      const handle = await start(
        purchaseRequest(gbCustomer, [line(offers.teamsEssentials, 4), line(offers.teamsPremium, 4)], { country: 'GB' }),
      );
      const result = await handle.result();
      expect(result.status).toBe('partial');
      expect(result.lineErrors).toEqual([expect.objectContaining({ item: 1, code: 400041 })]);
      expect(result.subscriptions).toHaveLength(1);
      expect(result.subscriptions[0]!.catalogItemId).toMatch(/^CFQ7TTC0RM8K:/);
      expect((await handle.query(purchaseStatusQuery)).step).toBe('partial');
      await recordHistory('purchase-partial', handle);
    });
  });

  it('fails CartRejected with the Partner Center code when every line is refused, without checking out', async () => {
    await rig.withWorker(async ({ start }) => {
      const before = await rig.sandbox.control.counters();
      const handle = await start(purchaseRequest(gbCustomer, [line(offers.teamsPremium, 1)], { country: 'GB' }));
      const failure = await workflowFailure(handle);
      expect(failure.type).toBe('CartRejected');
      expect(failure.message).toContain('400041');
      const after = await rig.sandbox.control.counters();
      const checkouts = (c: typeof after) => c.requests['POST /v1/customers/{customerId}/carts/{cartId}/checkout'] ?? 0;
      expect(checkouts(after)).toBe(checkouts(before));
      expect((await handle.query(purchaseStatusQuery)).step).toBe('failed');
      await recordHistory('purchase-cart-rejected', handle);
    });
  });

  it('reports an order group that fails at checkout (inventory) as line errors of its items, buying the rest', async () => {
    await rig.withWorker(async ({ start }) => {
      const handle = await start(
        purchaseRequest(usCustomer, [
          line(offers.windows365, 150, { termDuration: 'P1M' }),
          line(offers.businessBasic, 1),
        ]),
      );
      const result = await handle.result();
      expect(result.status).toBe('partial');
      expect(result.lineErrors).toEqual([expect.objectContaining({ item: 0, code: 800010 })]);
      expect(result.orders).toHaveLength(1);
      expect(result.subscriptions.map((s) => s.catalogItemId.split(':')[0])).toEqual([offers.businessBasic.productId]);
    });
  });

  it('fails CheckoutRejected when no order group can be ordered', async () => {
    await rig.withWorker(async ({ start }) => {
      const handle = await start(purchaseRequest(usCustomer, [line(offers.windows365, 150, { termDuration: 'P1M' })]));
      const failure = await workflowFailure(handle);
      expect(failure.type).toBe('CheckoutRejected');
      expect(failure.message).toContain('800009');
      await recordHistory('purchase-checkout-rejected', handle);
    });
  });

  it('fails fast on catalog problems: unknown product, currency mismatch, quantity above the SKU maximum', async () => {
    await rig.withWorker(async ({ start }) => {
      const [unknown, currency, quantity] = await Promise.all([
        start(purchaseRequest(usCustomer, [line({ productId: 'CFQ7TTC0ZZZZ', skuId: '0001' }, 1)])).then(
          workflowFailure,
        ),
        start(purchaseRequest(usCustomer, [line(offers.businessBasic, 1)], { currency: 'EUR' })).then(workflowFailure),
        start(purchaseRequest(usCustomer, [line(offers.businessBasic, 301)])).then(workflowFailure),
      ]);
      expect(unknown.type).toBe('CatalogItemNotFound');
      expect(currency.type).toBe('CurrencyMismatch');
      expect(quantity.type).toBe('InvalidPurchaseRequest');
      expect(quantity.message).toContain('items[0].quantity');
    });
  });

  it('fails Unauthorized when the credential is refused, with no secret in the failure or the history', async () => {
    const wrongSecret = 'sbx~not-the-right-secret-0123456789';
    await rig.withWorker(
      async ({ start }) => {
        const handle = await start(purchaseRequest(usCustomer, [line(offers.businessBasic, 1)]));
        const failure = await workflowFailure(handle);
        expect(failure.type).toBe('Unauthorized');
        expect(failure.nonRetryable).toBe(true);
        const history = await historyText(handle);
        expect(history).toContain('Unauthorized');
        for (const secret of [wrongSecret, ...secretsOf(rig.sandbox)]) expect(history).not.toContain(secret);
        expect(history).not.toMatch(JWT_PATTERN);
        await recordHistory('purchase-unauthorized', handle);
      },
      { clientSecret: wrongSecret },
    );
  });

  it('with App+User tokens also waits for the subscription provisioning status', async () => {
    await rig.withWorker(
      async ({ start }) => {
        const result = await (await start(purchaseRequest(usCustomer, [line(offers.businessBasic, 1)]))).result();
        expect(result.status).toBe('completed');
        const counters = await rig.sandbox.control.counters();
        expect(
          counters.requests['GET /v1/customers/{customerId}/subscriptions/{subscriptionId}/provisioningstatus'],
        ).toBeGreaterThan(0);
        expect(counters.tokens.refreshToken).toBeGreaterThan(0);
      },
      { appPlusUser: true },
    );
  });
});
