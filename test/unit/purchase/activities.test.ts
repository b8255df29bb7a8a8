import { ApplicationFailureCategory } from '@temporalio/common';
import { createActivities, type ActivityDeps } from '../../../src/activities';
import {
  availabilitySchema,
  CatalogResolutionError,
  cartCheckoutResultSchema,
  cartSchema,
  orderSchema,
  PartnerCenterBusinessError,
  PartnerCenterNotFoundError,
  PartnerCenterThrottledError,
  PartnerCenterTransientError,
  PartnerCenterUnauthorizedError,
  productSchema,
  skuSchema,
  subscriptionSchema,
  termSchema,
  type CartInput,
  type CatalogResolver,
  type PartnerCenterClient,
  type RequestOptions,
  type ResolvedOffer,
  type Subscription,
} from '../../../src/partner-center';
import type { PurchaseItem, ResolvedItem } from '../../../src/workflows/purchase/types';
import { activityContext, applicationFailureOf, fakePartnerCenter } from '../../support/activities';

const customerId = '4f1b9c7e-2d3a-4c5b-8e6f-0a1b2c3d4e5f';
const catalogItemId = 'CFQ7TTC0LH18:0001:CFQ7TTC0K971';

const noCatalog: CatalogResolver = {
  resolve: () => Promise.reject(new Error('unexpected catalog call')),
  getByCatalogItemId: () => Promise.reject(new Error('unexpected catalog call')),
  invalidate: () => undefined,
};

function activities(partnerCenter: PartnerCenterClient, overrides: Partial<ActivityDeps> = {}) {
  return createActivities({
    partnerCenter,
    catalog: noCatalog,
    tokenMode: 'app-only',
    settings: { orderPollIntervalMs: 200, orderVisibilityDeadlineMs: 5000 },
    ...overrides,
  });
}

/** One activity context per call, as one activity of one purchase workflow run. */
const environment = (runId = 'run-1', attempt = 1) =>
  activityContext({ activityId: '7', attempt, workflowExecution: { workflowId: 'purchase-r1', runId } });

const resolvedItem: ResolvedItem = {
  item: 0,
  catalogItemId,
  quantity: 5,
  termDuration: 'P1Y',
  billingCycle: 'monthly',
  autoRenew: true,
};

describe('checkoutPurchaseCart', () => {
  function recordingCheckout(result: unknown = { orders: [], orderErrors: [] }) {
    const requestIds: Array<string | undefined> = [];
    const client = fakePartnerCenter({
      checkoutCart: async (_c: string, _cart: string, o?: RequestOptions) => {
        requestIds.push(o?.requestId);
        return cartCheckoutResultSchema.parse(result);
      },
    });
    return { client, requestIds };
  }

  it('sends the same GUID MS-RequestId on every attempt of one activity, a different one in another run', async () => {
    const { client, requestIds } = recordingCheckout();
    const acts = activities(client);
    const input = { customerId, cartId: 'cart-1' };
    await environment('run-1', 1).run(acts.checkoutPurchaseCart, input);
    await environment('run-1', 4).run(acts.checkoutPurchaseCart, input);
    await environment('run-2', 1).run(acts.checkoutPurchaseCart, input);
    expect(requestIds[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(requestIds[1]).toBe(requestIds[0]);
    expect(requestIds[2]).not.toBe(requestIds[0]);
  });

  it('maps orders and order-group errors', async () => {
    const { client } = recordingCheckout({
      orders: [
        {
          id: 'a68736758d9c',
          status: 'pending',
          lineItems: [{ lineItemNumber: 0, offerId: catalogItemId, quantity: 5 }],
        },
      ],
      orderErrors: [{ orderGroupId: '1', code: 800069, description: 'risk check' }],
    });
    const outcome = await environment().run(activities(client).checkoutPurchaseCart, { customerId, cartId: 'cart-1' });
    expect(outcome).toEqual({
      orders: [
        { orderId: 'a68736758d9c', status: 'pending', lineItems: [{ lineItemNumber: 0, catalogItemId, quantity: 5 }] },
      ],
      orderErrors: [{ orderGroupId: '1', code: 800069, description: 'risk check' }],
    });
  });

  const checkoutFailing = (error: Error) =>
    activities(fakePartnerCenter({ checkoutCart: () => Promise.reject(error) })).checkoutPurchaseCart;

  it('turns 429 into a retryable failure whose next retry waits Retry-After', async () => {
    const failure = await applicationFailureOf(
      environment().run(
        checkoutFailing(
          new PartnerCenterThrottledError({ status: 429, description: 'Rate limit is exceeded', retryAfterMs: 7000 }),
        ),
        { customerId, cartId: 'c' },
      ),
    );
    expect(failure.type).toBe('PartnerCenterThrottled');
    expect(failure.nonRetryable).toBeFalsy();
    expect(failure.nextRetryDelay).toBe(7000);
  });

  it('keeps 5xx retryable with the policy backoff', async () => {
    const failure = await applicationFailureOf(
      environment().run(checkoutFailing(new PartnerCenterTransientError({ status: 503, description: 'busy' })), {
        customerId,
        cartId: 'c',
      }),
    );
    expect(failure.type).toBe('PartnerCenterError');
    expect(failure.nonRetryable).toBeFalsy();
    expect(failure.nextRetryDelay).toBeUndefined();
  });

  it('makes a stale availability (400019) a non-retryable StaleAvailability', async () => {
    const failure = await applicationFailureOf(
      environment().run(
        checkoutFailing(
          new PartnerCenterNotFoundError({ status: 404, code: 400019, description: 'Availability not found' }),
        ),
        { customerId, cartId: 'c' },
      ),
    );
    expect(failure.type).toBe('StaleAvailability');
    expect(failure.nonRetryable).toBe(true);
  });

  it('makes a business refusal a non-retryable CheckoutRejected carrying the Partner Center code', async () => {
    const failure = await applicationFailureOf(
      environment().run(
        checkoutFailing(
          new PartnerCenterBusinessError({ status: 403, code: 13605, description: 'MCA acceptance not confirmed' }),
        ),
        { customerId, cartId: 'c' },
      ),
    );
    expect(failure.type).toBe('CheckoutRejected');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.details?.[0]).toMatchObject({ status: 403, code: 13605 });
  });

  it('makes 401 a non-retryable Unauthorized', async () => {
    const failure = await applicationFailureOf(
      environment().run(
        checkoutFailing(new PartnerCenterUnauthorizedError({ status: 401, description: 'token refused' })),
        { customerId, cartId: 'c' },
      ),
    );
    expect(failure.type).toBe('Unauthorized');
    expect(failure.nonRetryable).toBe(true);
  });
});

describe('checkoutPurchaseCart after a lost answer: Partner Center refuses the repeat as already submitted (800065)', () => {
  const alreadySubmitted = () =>
    Promise.reject(
      new PartnerCenterBusinessError({
        status: 400,
        code: 800065,
        description: "You can't check out an already submitted cart",
      }),
    );
  const orderedCart = (status = 'Ordered') =>
    cartSchema.parse({
      id: 'cart-1',
      status,
      creationTimestamp: '2026-11-25T10:00:00Z',
      lineItems: [{ id: 0, catalogItemId, quantity: 5, orderGroup: '0' }],
    });
  const listed = (id: string, quantity = 5) =>
    orderSchema.parse({
      id,
      status: 'pending',
      creationDate: '2026-11-25T10:00:09Z',
      lineItems: [{ lineItemNumber: 0, offerId: catalogItemId, quantity }],
    });
  const recovering = (cart: unknown, orders: unknown[]) =>
    activities(
      fakePartnerCenter({
        checkoutCart: alreadySubmitted,
        getCart: async () => cartSchema.parse(cart),
        listOrders: async () => orders.map((o) => orderSchema.parse(o)),
      }),
    ).checkoutPurchaseCart;
  /** An attempt of a checkout first scheduled `waitedMs` ago (the deadline in these tests is 5 s). */
  const scheduled = (waitedMs: number) =>
    activityContext({
      activityId: '7',
      scheduledTimestampMs: Date.now() - waitedMs,
      workflowExecution: { workflowId: 'purchase-r1', runId: 'run-1' },
    });
  const input = { customerId, cartId: 'cart-1' };

  it('returns the orders of the ordered cart found in the customer order list', async () => {
    const outcome = await scheduled(0).run(
      recovering(orderedCart(), [listed('0a1b2c3d4e5f', 4), listed('a68736758d9c')]),
      input,
    );
    expect(outcome).toEqual({
      orders: [
        { orderId: 'a68736758d9c', status: 'pending', lineItems: [{ lineItemNumber: 0, catalogItemId, quantity: 5 }] },
      ],
      orderErrors: [],
    });
  });

  it('answers a BENIGN retryable "not yet" while the order list lags, within the visibility deadline', async () => {
    const failure = await applicationFailureOf(scheduled(1000).run(recovering(orderedCart(), []), input));
    expect(failure).toMatchObject({ type: 'OrderNotYetVisible', category: ApplicationFailureCategory.BENIGN });
    expect(failure.nonRetryable).toBeFalsy();
    expect(failure.message).toMatch(/0 of 1 orders/);
  });

  it('counts the deadline from the cart being ordered when that came long after the checkout was scheduled (a worker outage)', async () => {
    const orderedJustNow = { ...orderedCart(), lastModifiedTimestamp: new Date(Date.now() - 1000).toISOString() };
    const failure = await applicationFailureOf(scheduled(3_600_000).run(recovering(orderedJustNow, []), input));
    expect(failure).toMatchObject({ type: 'OrderNotYetVisible', category: ApplicationFailureCategory.BENIGN });
  });

  it('fails OrderNotVisible (non-retryable) when no order is listed by the deadline', async () => {
    const failure = await applicationFailureOf(scheduled(6000).run(recovering(orderedCart(), []), input));
    expect(failure).toMatchObject({ type: 'OrderNotVisible', nonRetryable: true });
    expect(failure.message).toContain('cart-1');
  });

  it('fails OrderNotVisible at once when several orders match and the purchase cannot tell its own', async () => {
    const failure = await applicationFailureOf(
      scheduled(0).run(recovering(orderedCart(), [listed('0a1b2c3d4e5f'), listed('a68736758d9c')]), input),
    );
    expect(failure).toMatchObject({ type: 'OrderNotVisible', nonRetryable: true });
    expect(failure.message).toMatch(/0a1b2c3d4e5f, a68736758d9c/);
  });

  it('is a CheckoutRejected when the cart was in fact not ordered', async () => {
    const failure = await applicationFailureOf(scheduled(0).run(recovering(orderedCart('Active'), []), input));
    expect(failure).toMatchObject({ type: 'CheckoutRejected', nonRetryable: true });
    expect(failure.message).toMatch(/800065.*active/);
  });

  it('keeps a transient error while reading the cart retryable', async () => {
    const acts = activities(
      fakePartnerCenter({
        checkoutCart: alreadySubmitted,
        getCart: () => Promise.reject(new PartnerCenterTransientError({ status: 503, description: 'busy' })),
      }),
    );
    const failure = await applicationFailureOf(scheduled(0).run(acts.checkoutPurchaseCart, input));
    expect(failure.type).toBe('PartnerCenterError');
    expect(failure.nonRetryable).toBeFalsy();
  });
});

describe('createPurchaseCart', () => {
  it('reports refused lines and removes them from the cart before checkout', async () => {
    const sent: CartInput[] = [];
    const client = fakePartnerCenter({
      createCart: async (_c: string, cart: CartInput) => {
        sent.push(cart);
        return cartSchema.parse({
          id: 'cart-1',
          status: 'Active',
          lineItems: cart.lineItems.map((l) => ({
            ...l,
            orderGroup: '0',
            ...(l.id === 1 ? { error: { errorCode: 10001, errorDescription: 'CatalogItemId is not valid' } } : {}),
          })),
        });
      },
      updateCart: async (_c: string, cartId: string, cart: CartInput) => {
        sent.push(cart);
        return cartSchema.parse({
          id: cartId,
          status: 'Active',
          lineItems: cart.lineItems.map((l) => ({ ...l, orderGroup: '0' })),
        });
      },
    });
    const items = [
      resolvedItem,
      { ...resolvedItem, item: 1, catalogItemId: 'BAD:0001:X' },
      { ...resolvedItem, item: 2, quantity: 2 },
    ];
    const outcome = await environment().run(activities(client).createPurchaseCart, { customerId, items });
    expect(outcome.lineErrors).toEqual([{ item: 1, code: 10001, description: 'CatalogItemId is not valid' }]);
    expect(outcome.lines.map((l) => l.item)).toEqual([0, 2]);
    expect(sent[1]?.lineItems.map((l) => l.catalogItemId)).toEqual([catalogItemId, catalogItemId]);
  });

  it('fails CartRejected with every Partner Center code when no line is valid', async () => {
    const client = fakePartnerCenter({
      createCart: async (_c: string, cart: CartInput) =>
        cartSchema.parse({
          id: 'cart-1',
          lineItems: cart.lineItems.map((l) => ({
            ...l,
            error: { errorCode: 10000 + l.id, errorDescription: `bad ${l.id}` },
          })),
        }),
    });
    const failure = await applicationFailureOf(
      environment().run(activities(client).createPurchaseCart, {
        customerId,
        items: [resolvedItem, { ...resolvedItem, item: 1 }],
      }),
    );
    expect(failure.type).toBe('CartRejected');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('10000');
    expect(failure.message).toContain('10001');
  });
});

describe('awaitOrderCompletion', () => {
  const order = (body: object) =>
    fakePartnerCenter({ getOrder: async () => orderSchema.parse({ id: 'o1', lineItems: [], ...body }) });

  it('answers a missing order with a BENIGN retryable "not yet"', async () => {
    const client = fakePartnerCenter({
      getOrder: () =>
        Promise.reject(new PartnerCenterNotFoundError({ status: 404, code: 20000, description: 'no order' })),
    });
    const failure = await applicationFailureOf(
      environment().run(activities(client).awaitOrderCompletion, { customerId, orderId: 'o1' }),
    );
    expect(failure.type).toBe('OrderNotYetVisible');
    expect(failure.category).toBe(ApplicationFailureCategory.BENIGN);
    expect(failure.nonRetryable).toBeFalsy();
  });

  it('keeps polling a pending order and a completed one still missing subscription ids', async () => {
    for (const body of [
      { status: 'pending' },
      { status: 'completed', lineItems: [{ lineItemNumber: 0, offerId: catalogItemId, quantity: 1 }] },
    ]) {
      const failure = await applicationFailureOf(
        environment().run(activities(order(body)).awaitOrderCompletion, { customerId, orderId: 'o1' }),
      );
      expect(failure.type).toBe('OrderPending');
      expect(failure.category).toBe(ApplicationFailureCategory.BENIGN);
    }
  });

  it('returns the completed order with its subscription ids', async () => {
    const client = order({
      status: 'completed',
      lineItems: [{ lineItemNumber: 0, offerId: catalogItemId, quantity: 3, subscriptionId: 's1' }],
    });
    const summary = await environment().run(activities(client).awaitOrderCompletion, { customerId, orderId: 'o1' });
    expect(summary).toEqual({
      orderId: 'o1',
      status: 'completed',
      lineItems: [{ lineItemNumber: 0, catalogItemId, quantity: 3, subscriptionId: 's1' }],
    });
  });

  it('fails ProvisioningFailed for an order that ended without subscriptions', async () => {
    const failure = await applicationFailureOf(
      environment().run(activities(order({ status: 'cancelled' })).awaitOrderCompletion, { customerId, orderId: 'o1' }),
    );
    expect(failure.type).toBe('ProvisioningFailed');
    expect(failure.nonRetryable).toBe(true);
  });
});

describe('provisionSubscription', () => {
  const subscription = (body: object = {}): Subscription =>
    subscriptionSchema.parse({
      id: 's1',
      offerId: catalogItemId,
      quantity: 5,
      status: 'active',
      autoRenewEnabled: true,
      friendlyName: 'Office',
      termDuration: 'P1Y',
      billingCycle: 'monthly',
      scheduledNextTermInstructions: {
        product: { productId: 'CFQ7TTC0LH18', skuId: '0001', availabilityId: 'CFQ7TTC0K971' },
        quantity: 5,
      },
      attributes: { objectType: 'Subscription', etag: 'etag-1' },
      ...body,
    });

  it('PATCHes the full subscription with auto-renew off and the new name, with its etag', async () => {
    const patches: Array<{ body: Subscription; etag?: string }> = [];
    const client = fakePartnerCenter({
      getSubscription: async () => subscription(),
      updateSubscription: async (_c: string, body: Subscription, o?: RequestOptions & { etag?: string }) => {
        patches.push({ body, etag: o?.etag });
        return { kind: 'updated', subscription: body };
      },
    });
    const summary = await environment().run(activities(client).provisionSubscription, {
      customerId,
      subscriptionId: 's1',
      autoRenew: false,
      friendlyName: 'Sales',
    });
    expect(patches).toHaveLength(1);
    expect(patches[0]?.etag).toBe('etag-1');
    expect(patches[0]?.body).toMatchObject({
      autoRenewEnabled: false,
      friendlyName: 'Sales',
      quantity: 5,
      scheduledNextTermInstructions: { quantity: 5 },
    });
    expect(summary).toMatchObject({ id: 's1', autoRenewEnabled: false, status: 'active', catalogItemId });
  });

  it('does not PATCH when nothing differs', async () => {
    const client = fakePartnerCenter({ getSubscription: async () => subscription() });
    const summary = await environment().run(activities(client).provisionSubscription, {
      customerId,
      subscriptionId: 's1',
      autoRenew: true,
    });
    expect(summary.autoRenewEnabled).toBe(true);
  });

  it('waits (BENIGN) while the subscription is pending, and with App+User while provisioning is pending', async () => {
    const pending = fakePartnerCenter({ getSubscription: async () => subscription({ status: 'pending' }) });
    expect(
      (
        await applicationFailureOf(
          environment().run(activities(pending).provisionSubscription, {
            customerId,
            subscriptionId: 's1',
            autoRenew: true,
          }),
        )
      ).category,
    ).toBe(ApplicationFailureCategory.BENIGN);
    const provisioning = fakePartnerCenter({
      getSubscription: async () => subscription(),
      getSubscriptionProvisioningStatus: async () => ({ status: 'pending' }),
    });
    const failure = await applicationFailureOf(
      environment().run(activities(provisioning, { tokenMode: 'app+user' }).provisionSubscription, {
        customerId,
        subscriptionId: 's1',
        autoRenew: true,
      }),
    );
    expect(failure.type).toBe('SubscriptionNotReady');
    expect(failure.category).toBe(ApplicationFailureCategory.BENIGN);
  });

  it('fails ProvisioningFailed for a suspended subscription', async () => {
    const client = fakePartnerCenter({ getSubscription: async () => subscription({ status: 'suspended' }) });
    const failure = await applicationFailureOf(
      environment().run(activities(client).provisionSubscription, {
        customerId,
        subscriptionId: 's1',
        autoRenew: true,
      }),
    );
    expect(failure.type).toBe('ProvisioningFailed');
    expect(failure.nonRetryable).toBe(true);
  });
});

describe('cancelPurchasedSubscription', () => {
  const active = subscriptionSchema.parse({
    id: 's1',
    offerId: catalogItemId,
    quantity: 5,
    status: 'active',
    cancellationAllowedUntilDate: '2026-12-02T10:00:00Z',
  });

  it('cancels with a full-body PATCH status deleted and says until when it was allowed', async () => {
    let sent: Subscription | undefined;
    const client = fakePartnerCenter({
      getSubscription: async () => active,
      updateSubscription: async (_c: string, body: Subscription) => {
        sent = body;
        return { kind: 'updated', subscription: body };
      },
    });
    const outcome = await environment().run(activities(client).cancelPurchasedSubscription, {
      customerId,
      subscriptionId: 's1',
    });
    expect(sent).toMatchObject({ status: 'deleted', quantity: 5 });
    expect(outcome.cancellation).toEqual({
      subscriptionId: 's1',
      outcome: 'cancelled',
      detail: 'cancelled within the window (allowed until 2026-12-02T10:00:00Z)',
    });
    expect(outcome.subscription.status).toBe('deleted');
  });

  it('reports a refusal outside the window instead of failing', async () => {
    const client = fakePartnerCenter({
      getSubscription: async () => active,
      updateSubscription: () =>
        Promise.reject(
          new PartnerCenterBusinessError({
            status: 400,
            code: 900213,
            description: 'passed your 168-hour cancellation window',
          }),
        ),
    });
    const outcome = await environment().run(activities(client).cancelPurchasedSubscription, {
      customerId,
      subscriptionId: 's1',
    });
    expect(outcome.cancellation.outcome).toBe('not-cancelled');
    expect(outcome.cancellation.detail).toContain('900213');
  });
});

describe('resolvePurchaseItems', () => {
  const offer = (
    overrides: { isPurchasable?: boolean; currency?: string; min?: number; max?: number; catalogItemId?: string } = {},
  ): ResolvedOffer => {
    const id = overrides.catalogItemId ?? catalogItemId;
    const [productId, skuId, availabilityId] = id.split(':');
    const term = termSchema.parse({ duration: 'P1Y', billingCycle: 'Monthly' });
    return {
      catalogItemId: id,
      product: productSchema.parse({ id: productId }),
      sku: skuSchema.parse({ id: skuId, minimumQuantity: overrides.min ?? 1, maximumQuantity: overrides.max ?? 300 }),
      availability: availabilitySchema.parse({
        id: availabilityId,
        productId,
        skuId,
        catalogItemId: id,
        isPurchasable: overrides.isPurchasable ?? true,
        defaultCurrency: { code: overrides.currency ?? 'USD' },
        terms: [term],
      }),
      term,
    };
  };
  const item: PurchaseItem = {
    offer: { catalogItemId },
    quantity: 5,
    termDuration: 'P1Y',
    billingCycle: 'monthly',
    autoRenew: true,
  };
  const input = { country: 'US', segment: 'commercial' as const, items: [item], refresh: false };
  const resolving = (resolved: ResolvedOffer | Error, calls: string[] = []) =>
    activities(fakePartnerCenter({}), {
      catalog: {
        resolve: async (q) => (
          calls.push(`resolve ${q.productId}:${q.skuId}`),
          resolved instanceof Error ? Promise.reject(resolved) : resolved
        ),
        getByCatalogItemId: async (id) => (
          calls.push(`byId ${id}`),
          resolved instanceof Error ? Promise.reject(resolved) : resolved
        ),
        invalidate: () => void calls.push('invalidate'),
      },
    }).resolvePurchaseItems;

  it('binds each item to its catalog item id', async () => {
    const resolved = await environment().run(resolving(offer()), {
      ...input,
      items: [item, { ...item, offer: { productId: 'CFQ7TTC0LH18', skuId: '0001' }, friendlyName: 'Sales' }],
    });
    expect(resolved).toEqual([
      { item: 0, catalogItemId, quantity: 5, termDuration: 'P1Y', billingCycle: 'monthly', autoRenew: true },
      {
        item: 1,
        catalogItemId,
        quantity: 5,
        termDuration: 'P1Y',
        billingCycle: 'monthly',
        autoRenew: true,
        friendlyName: 'Sales',
      },
    ]);
  });

  it('after a stale availability, forgets the catalog and resolves the item by product and SKU again', async () => {
    const calls: string[] = [];
    await environment().run(resolving(offer({ catalogItemId: 'CFQ7TTC0LH18:0001:NEWAVAIL' }), calls), {
      ...input,
      refresh: true,
    });
    expect(calls).toEqual(['invalidate', 'resolve CFQ7TTC0LH18:0001']);
  });

  it('names the quantity outside the SKU bounds as InvalidPurchaseRequest', async () => {
    const failure = await applicationFailureOf(environment().run(resolving(offer({ min: 10, max: 20 })), input));
    expect(failure.type).toBe('InvalidPurchaseRequest');
    expect(failure.message).toContain('items[0].quantity');
  });

  it('fails CurrencyMismatch, OfferNotPurchasable and CatalogItemNotFound', async () => {
    expect(
      (
        await applicationFailureOf(
          environment().run(resolving(offer({ currency: 'EUR' })), { ...input, currency: 'USD' }),
        )
      ).type,
    ).toBe('CurrencyMismatch');
    expect(
      (await applicationFailureOf(environment().run(resolving(offer({ isPurchasable: false })), input))).type,
    ).toBe('OfferNotPurchasable');
    const missing = await applicationFailureOf(
      environment().run(
        resolving(new PartnerCenterNotFoundError({ status: 404, code: 400013, description: 'Product not found' })),
        input,
      ),
    );
    expect(missing.type).toBe('CatalogItemNotFound');
    expect(missing.nonRetryable).toBe(true);
    expect(missing.message).toContain('items[0]');
  });

  it('maps the catalog resolver’s reasons: not-found, not-purchasable, ambiguous (the request must name one)', async () => {
    const failing = (reason: 'not-found' | 'not-purchasable' | 'ambiguous') =>
      applicationFailureOf(
        environment().run(
          resolving(new CatalogResolutionError(reason, { description: `resolver says ${reason}` })),
          input,
        ),
      );
    expect((await failing('not-found')).type).toBe('CatalogItemNotFound');
    expect((await failing('not-purchasable')).type).toBe('OfferNotPurchasable');
    const ambiguous = await failing('ambiguous');
    expect(ambiguous.type).toBe('InvalidPurchaseRequest');
    expect(ambiguous.message).toContain('items[0].offer');
  });
});
