import { activityInfo } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { notYet } from '../../../src/activities/common/failures';
import {
  purchaseFailureTypes,
  purchaseStatusQuery,
  type PurchaseHandle,
  type PurchaseRequest,
} from '../../../src/client';
import { internalFailureTypes } from '../../../src/workflows/common/failure-types';
import { PcStep } from '../../../src/workflows/common/search-attributes';
import { searchAttributeHistory, startStubRig, stubActivities, type StubRig } from '../../support/stub-worker';
import { recordHistory, workflowFailure } from '../purchase/harness';
import { basic, basicRefreshed, customerId, purchasing, request, staleAvailability, startOn } from './workflow-stubs';

/**
 * purchaseSubscription against stubbed activities (see test/support/stub-worker.ts), what Partner Center's
 * answers make it do: refuse a bad request before any call, re-resolve a stale availability once, give up
 * on an order at the visibility deadline, and leave checkout retries (the 800065 recovery) to the activity.
 */

let rig: StubRig;
beforeAll(async () => {
  rig = await startStubRig();
});
afterAll(async () => {
  await rig?.close();
});

const start = (taskQueue: string, purchase?: PurchaseRequest): Promise<PurchaseHandle> =>
  startOn(rig, taskQueue, purchase);

describe('purchaseSubscription against stubbed activities: Partner Center answers', () => {
  it('fails InvalidPurchaseRequest naming every bad field, before any activity runs', async () => {
    const stubs = stubActivities(purchasing());
    await rig.withWorker(stubs, async (taskQueue) => {
      const bad = request({ customerId: 'not-a-guid' });
      bad.items[1]!.quantity = 0;
      const handle = await start(taskQueue, bad);
      const failure = await workflowFailure(handle);
      expect(failure.type).toBe(purchaseFailureTypes.invalidRequest);
      expect(failure.message).toMatch(/customerId must be a GUID/);
      expect(failure.message).toMatch(/items\[1\]\.quantity/);
      expect(await searchAttributeHistory(handle, PcStep.name)).toEqual(['failed']);
    });
    for (const stub of Object.values(stubs)) expect(stub).not.toHaveBeenCalled();
  });

  describe('stale availability (400019)', () => {
    it('at checkout once: re-resolves with refresh, builds a new cart and completes', async () => {
      const buying = purchasing();
      const stubs = stubActivities({
        ...buying,
        checkoutPurchaseCart: async (input) => {
          if (input.cartId === 'cart-1') throw staleAvailability();
          return buying.checkoutPurchaseCart(input);
        },
      });
      await rig.withWorker(stubs, async (taskQueue) => {
        const handle = await start(taskQueue);
        const result = await handle.result();
        expect(result).toMatchObject({ status: 'completed', cartId: 'cart-2' });
        expect(result.subscriptions[0]?.catalogItemId).toBe(basicRefreshed);
        expect((await handle.query(purchaseStatusQuery)).lastError).toMatch(
          /^Stale availability, re-reading the catalog/,
        );
      });
      expect(stubs.resolvePurchaseItems.mock.calls.map(([input]) => input.refresh)).toEqual([false, true]);
      expect(stubs.createPurchaseCart.mock.calls.map(([input]) => input.items[0]?.catalogItemId)).toEqual([
        basic,
        basicRefreshed,
      ]);
      expect(stubs.checkoutPurchaseCart.mock.calls.map(([input]) => input.cartId)).toEqual(['cart-1', 'cart-2']);
    });

    it('when the cart is created: re-resolves and carts again before checkout', async () => {
      const buying = purchasing();
      let carted = 0;
      const stubs = stubActivities({
        ...buying,
        createPurchaseCart: async (input) => {
          carted += 1;
          if (carted === 1) throw staleAvailability();
          return buying.createPurchaseCart(input);
        },
      });
      await rig.withWorker(stubs, async (taskQueue) => {
        const handle = await start(taskQueue);
        expect(await handle.result()).toMatchObject({ status: 'completed', cartId: 'cart-1' });
        await recordHistory('purchase-stale-availability-at-cart', handle);
      });
      expect(stubs.resolvePurchaseItems.mock.calls.map(([input]) => input.refresh)).toEqual([false, true]);
      expect(stubs.checkoutPurchaseCart.mock.calls.map(([input]) => input.cartId)).toEqual(['cart-1']);
    });

    it('twice: fails OfferNotPurchasable after one re-resolution, nothing ordered', async () => {
      const stubs = stubActivities({
        ...purchasing(),
        checkoutPurchaseCart: async () => {
          throw staleAvailability();
        },
      });
      await rig.withWorker(stubs, async (taskQueue) => {
        const handle = await start(taskQueue);
        expect((await workflowFailure(handle)).type).toBe(purchaseFailureTypes.offerNotPurchasable);
        await recordHistory('purchase-stale-availability-twice', handle);
      });
      expect(stubs.resolvePurchaseItems).toHaveBeenCalledTimes(2);
      expect(stubs.checkoutPurchaseCart).toHaveBeenCalledTimes(2);
      expect(stubs.awaitOrderCompletion).not.toHaveBeenCalled();
    });
  });

  it('fails OrderNotVisible at the visibility deadline while the order keeps answering "not yet", polling at the interval', async () => {
    const stubs = stubActivities({
      ...purchasing(),
      awaitOrderCompletion: async ({ orderId }) => {
        throw notYet(internalFailureTypes.orderNotYetVisible, `Order ${orderId} is not visible yet`);
      },
    });
    await rig.withWorker(stubs, async (taskQueue) => {
      const failure = await workflowFailure(await start(taskQueue));
      expect(failure.type).toBe(purchaseFailureTypes.orderNotVisible);
      expect(failure.message).toMatch(/^Order order-of-cart-1 not visible within 2s/);
      expect(failure.details).toEqual([{ orderId: 'order-of-cart-1' }]);
    });
    // Polled again after "not yet" (on a loaded machine maybe only twice), never in a tight loop: at most one poll per 200 ms for 2 s.
    const polls = stubs.awaitOrderCompletion.mock.calls.length;
    expect(polls).toBeGreaterThanOrEqual(2);
    expect(polls).toBeLessThanOrEqual(11);
    expect(stubs.provisionSubscription).not.toHaveBeenCalled();
  });

  describe('checkout (the activity owns the 800065 recovery)', () => {
    it('retried after a lost answer and a lagging order list: the same cart, one order', async () => {
      const buying = purchasing();
      const attempts: number[] = [];
      const stubs = stubActivities({
        ...buying,
        checkoutPurchaseCart: async (input) => {
          const { attempt } = activityInfo();
          attempts.push(attempt);
          // The first answer is lost; the retry is refused as already submitted (800065) and the order list lags.
          if (attempt === 1)
            throw ApplicationFailure.create({
              type: internalFailureTypes.partnerCenter,
              message: 'network error: socket hang up',
            });
          if (attempt === 2)
            throw notYet(
              internalFailureTypes.orderNotYetVisible,
              `Cart ${input.cartId} was ordered; 0 of 1 orders are in the order list yet`,
            );
          return buying.checkoutPurchaseCart(input);
        },
      });
      await rig.withWorker(stubs, async (taskQueue) => {
        const result = await (await start(taskQueue)).result();
        expect(result.status).toBe('completed');
        expect(result.orders.map((o) => o.orderId)).toEqual(['order-of-cart-1']);
      });
      // One activity retried by its policy, never a second checkout of another cart.
      expect(attempts).toEqual([1, 2, 3]);
      expect(stubs.checkoutPurchaseCart.mock.calls.map(([input]) => input)).toEqual(
        Array(3).fill({ customerId, cartId: 'cart-1' }),
      );
      expect(stubs.createPurchaseCart).toHaveBeenCalledTimes(1);
      expect(stubs.awaitOrderCompletion).toHaveBeenCalledTimes(1);
    });

    it('refused (non-retryable CheckoutRejected) ends CheckoutRejected after one attempt', async () => {
      const stubs = stubActivities({
        ...purchasing(),
        checkoutPurchaseCart: async ({ cartId }) => {
          throw ApplicationFailure.create({
            type: purchaseFailureTypes.checkoutRejected,
            message: `Checkout of cart ${cartId} was refused as already submitted (800065), yet the cart is active`,
            details: [{ cartId, cartStatus: 'active' }],
            nonRetryable: true,
          });
        },
      });
      await rig.withWorker(stubs, async (taskQueue) => {
        const failure = await workflowFailure(await start(taskQueue));
        expect(failure.type).toBe(purchaseFailureTypes.checkoutRejected);
        expect(failure.details).toEqual([{ cartId: 'cart-1', cartStatus: 'active' }]);
      });
      expect(stubs.checkoutPurchaseCart).toHaveBeenCalledTimes(1);
      expect(stubs.awaitOrderCompletion).not.toHaveBeenCalled();
    });

    it('answered with no order: CheckoutRejected carrying the order errors', async () => {
      const orderErrors = [{ orderGroupId: '0', code: 800002, description: 'Order group failed' }];
      const stubs = stubActivities({
        ...purchasing(),
        checkoutPurchaseCart: async () => ({ orders: [], orderErrors }),
      });
      await rig.withWorker(stubs, async (taskQueue) => {
        const handle = await start(taskQueue);
        const failure = await workflowFailure(handle);
        expect(failure.type).toBe(purchaseFailureTypes.checkoutRejected);
        expect(failure.details).toEqual([{ cartId: 'cart-1', orderErrors }]);
        await recordHistory('purchase-checkout-no-order', handle);
      });
      expect(stubs.awaitOrderCompletion).not.toHaveBeenCalled();
    });
  });
});
