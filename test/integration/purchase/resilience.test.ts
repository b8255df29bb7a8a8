import { purchaseStatusQuery, startPurchase } from '../../../src/client';
import type { SandboxCounters } from 'partner-center-sandbox';
import { uniqueTaskQueue } from '../../support/temporal';
import { line, offers, workflowFailure, purchaseRequest, recordHistory, startRig, type PurchaseRig } from './harness';

const CREATE_CART = 'POST /v1/customers/{customerId}/carts';
const CHECKOUT = 'POST /v1/customers/{customerId}/carts/{cartId}/checkout';
const GET_ORDER = 'GET /v1/customers/{customerId}/orders/{orderId}';
const LIST_ORDERS = 'GET /v1/customers/{customerId}/orders';

/** Sandbox timings of this file unless a test says otherwise: quick completion, an order list that lags far behind. */
const delays = { orderCompletionMs: 300, orderListMs: 600_000 };

let rig: PurchaseRig;
let customer: string;
beforeAll(async () => {
  rig = await startRig(); // the sandbox's order list lags 60 s: the purchase must read orders by id
  customer = rig.sandbox.customerIds[0]!;
});
afterEach(async () => {
  await rig.sandbox.control.clearFaults();
  await rig.sandbox.control.setDelays(delays);
  await rig.sandbox.control.setApiPolicy({ repeatedCheckout: 'replay', requestIdReplay: true });
});
afterAll(async () => {
  await rig?.close();
});

/** How many more calls of `route` the sandbox saw since `before`. */
async function callsSince(before: SandboxCounters, route: string): Promise<number> {
  const after = await rig.sandbox.control.counters();
  return (after.requests[route] ?? 0) - (before.requests[route] ?? 0);
}

describe('purchaseSubscription when Partner Center misbehaves', () => {
  it('honours 429 Retry-After on cart creation and checkout, and still buys once', async () => {
    await rig.withWorker(async ({ start }) => {
      await rig.sandbox.control.addFault({
        method: 'POST',
        path: '/v1/customers/*/carts',
        kind: 'throttle',
        retryAfterSeconds: 1,
        count: 2,
      });
      // 3 s, not the retry policy's 1 s first interval: only an honoured Retry-After gives the retry this delay.
      await rig.sandbox.control.addFault({
        method: 'POST',
        path: '/v1/customers/*/carts/*/checkout',
        kind: 'throttle',
        retryAfterSeconds: 3,
        count: 1,
      });
      const before = await rig.sandbox.control.counters();
      const handle = await start(purchaseRequest(customer, [line(offers.businessBasic, 2)]));
      const result = await handle.result();
      expect(result.status).toBe('completed');
      expect(await callsSince(before, CREATE_CART)).toBe(3);
      expect(await callsSince(before, CHECKOUT)).toBe(2);
      expect((await rig.sandbox.control.counters()).ordersPerCart[result.cartId]).toBe(1);
      // The checkout's second attempt started after the delay the first attempt's failure asked for.
      const { events } = await handle.fetchHistory();
      const checkout = events!.find(
        (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'checkoutPurchaseCart',
      )!;
      const started = events!.find(
        (e) => e.activityTaskStartedEventAttributes?.scheduledEventId?.toString() === checkout.eventId!.toString(),
      )!.activityTaskStartedEventAttributes!;
      expect(started.attempt).toBe(2);
      expect(Number(started.lastFailure?.applicationFailureInfo?.nextRetryDelay?.seconds)).toBe(3);
    });
  });

  it('retries bursts of 5xx on cart, checkout and order reads', async () => {
    await rig.withWorker(async ({ start }) => {
      await rig.sandbox.control.addFault({
        method: 'POST',
        path: '/v1/customers/*/carts',
        kind: 'status',
        status: 503,
        count: 2,
      });
      await rig.sandbox.control.addFault({
        method: 'POST',
        path: '/v1/customers/*/carts/*/checkout',
        kind: 'status',
        status: 502,
        count: 2,
      });
      await rig.sandbox.control.addFault({
        method: 'GET',
        path: '/v1/customers/*/orders/*',
        kind: 'status',
        status: 500,
        count: 2,
      });
      const before = await rig.sandbox.control.counters();
      const result = await (await start(purchaseRequest(customer, [line(offers.businessBasic, 1)]))).result();
      expect(result.status).toBe('completed');
      expect(await callsSince(before, CREATE_CART)).toBe(3);
      expect(await callsSince(before, CHECKOUT)).toBe(3);
      expect((await rig.sandbox.control.counters()).ordersPerCart[result.cartId]).toBe(1);
    });
  });

  it('buys exactly once when the checkout response is lost after Partner Center committed it', async () => {
    await rig.withWorker(async ({ start }) => {
      await rig.sandbox.control.addFault({
        method: 'POST',
        path: '/v1/customers/*/carts/*/checkout',
        kind: 'commit-then-drop',
        count: 1,
      });
      const before = await rig.sandbox.control.counters();
      const handle = await start(purchaseRequest(customer, [line(offers.businessBasic, 4)]));
      const result = await handle.result();
      expect(result.status).toBe('completed');
      expect(await callsSince(before, CHECKOUT)).toBe(2);
      const counters = await rig.sandbox.control.counters();
      expect(counters.ordersPerCart[result.cartId]).toBe(1);
      expect(result.orders).toHaveLength(1);
      expect(result.subscriptions).toHaveLength(1);
      await recordHistory('purchase-checkout-response-lost', handle);
    });
  });

  it('buys exactly once when the repeat of a lost checkout is refused as already submitted (800065): its order comes from the lagging order list', async () => {
    await rig.withWorker(async ({ start }) => {
      // The unconfirmed behaviours: no MS-RequestId replay, and 400/800065 instead of the first result.
      await rig.sandbox.control.setApiPolicy({ repeatedCheckout: 'already-submitted', requestIdReplay: false });
      await rig.sandbox.control.setDelays({ orderListMs: 2500 });
      await rig.sandbox.control.addFault({
        method: 'POST',
        path: '/v1/customers/*/carts/*/checkout',
        kind: 'commit-then-drop',
        count: 1,
      });
      const before = await rig.sandbox.control.counters();
      const handle = await start(purchaseRequest(customer, [line(offers.businessBasic, 7)]));
      const result = await handle.result();
      expect(result).toMatchObject({ status: 'completed', lineErrors: [] });
      expect((await rig.sandbox.control.counters()).ordersPerCart).toMatchObject({ [result.cartId]: 1 });
      expect(result.orders).toEqual([
        expect.objectContaining({ lineItems: [expect.objectContaining({ quantity: 7 })] }),
      ]);
      expect(result.subscriptions).toEqual([expect.objectContaining({ quantity: 7, status: 'active' })]);
      // Refused repeats, and order-list reads until the list showed the order (it lags 2.5 s).
      expect(await callsSince(before, CHECKOUT)).toBeGreaterThanOrEqual(3);
      expect(await callsSince(before, LIST_ORDERS)).toBeGreaterThanOrEqual(2);
      await recordHistory('purchase-checkout-already-submitted', handle);
    });
  });

  it('buys exactly once when the worker stops mid-checkout and another worker retries it', async () => {
    // The checkout reaches Partner Center (which commits it) while the first worker goes away.
    await rig.sandbox.control.addFault({
      method: 'POST',
      path: '/v1/customers/*/carts/*/checkout',
      kind: 'latency',
      latencyMs: 2500,
      count: 1,
    });
    const taskQueue = uniqueTaskQueue('purchase-crash');
    const before = await rig.sandbox.control.counters();
    const first = await rig.createWorker(taskQueue);
    const firstRun = first.run();
    const handle = await startPurchase(rig.client, purchaseRequest(customer, [line(offers.businessBasic, 6)]), {
      taskQueue,
    });
    while ((await callsSince(before, CHECKOUT)) === 0) await new Promise((resolve) => setTimeout(resolve, 50));
    first.shutdown();
    await firstRun;

    const second = await rig.createWorker(taskQueue);
    const result = await second.runUntil(handle.result());
    expect(result.status).toBe('completed');
    expect(await callsSince(before, CHECKOUT)).toBeGreaterThanOrEqual(2);
    expect((await rig.sandbox.control.counters()).ordersPerCart[result.cartId]).toBe(1);
    expect(result.orders).toHaveLength(1);
    await recordHistory('purchase-worker-restarted-in-checkout', handle);
  });

  it('waits out a slow order (its customer order list lagging 10 min) by polling it by id through the retry policy, so history does not grow with the polls', async () => {
    await rig.sandbox.control.setDelays({ orderCompletionMs: 3000, orderListMs: 600_000 });
    await rig.withWorker(async ({ start }) => {
      const before = await rig.sandbox.control.counters();
      const handle = await start(purchaseRequest(customer, [line(offers.businessBasic, 1)]));
      const result = await handle.result();
      expect(result.status).toBe('completed');
      const polls = await callsSince(before, GET_ORDER);
      expect(polls).toBeGreaterThanOrEqual(2);
      expect(await callsSince(before, LIST_ORDERS)).toBe(0);
      // The poller is one activity: scheduled, started (carrying the last attempt number) and completed once.
      const events = (await handle.fetchHistory()).events ?? [];
      const scheduled = events.filter(
        (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'awaitOrderCompletion',
      );
      expect(scheduled).toHaveLength(1);
      const started = events.find(
        (e) => e.activityTaskStartedEventAttributes?.scheduledEventId?.toString() === scheduled[0]!.eventId?.toString(),
      );
      expect(started?.activityTaskStartedEventAttributes?.attempt).toBe(polls);
      await recordHistory('purchase-slow-order', handle);
    });
  });

  it('fails OrderNotVisible when the order is not done before ORDER_VISIBILITY_DEADLINE', async () => {
    await rig.sandbox.control.setDelays({ orderCompletionMs: 600_000 });
    await rig.withWorker(
      async ({ start }) => {
        const handle = await start(purchaseRequest(customer, [line(offers.businessBasic, 1)]));
        const failure = await workflowFailure(handle);
        expect(failure.type).toBe('OrderNotVisible');
        const status = await handle.query(purchaseStatusQuery);
        expect(status.step).toBe('failed');
        expect(status.orderIds).toHaveLength(1);
        expect(status.lastError).toContain(status.orderIds[0]);
        await recordHistory('purchase-order-not-visible', handle);
      },
      { orderVisibilityDeadlineMs: 2000 },
    );
  });
});
