import {
  approvePurchaseUpdate,
  cancelPurchaseUpdate,
  purchaseFailureTypes,
  purchaseStatusQuery,
  rejectPurchaseUpdate,
  type PurchaseHandle,
  type PurchaseRequest,
} from '../../../src/client';
import { notYet } from '../../../src/activities/common/failures';
import { internalFailureTypes } from '../../../src/workflows/common/failure-types';
import { PcCustomerId, PcOrderIds, PcStep, PcSubscriptionIds } from '../../../src/workflows/common/search-attributes';
import { searchAttributeHistory, startStubRig, stubActivities, type StubRig } from '../../support/stub-worker';
import { recordHistory, untilStep, workflowFailure } from '../purchase/harness';
import { basic, customerId, e3, patient, purchasing, request, startOn } from './workflow-stubs';

/**
 * purchaseSubscription against stubbed activities (see test/support/stub-worker.ts), the decisions people
 * make: the path through every step, approval (approve, reject, nobody in time) and cancellation before
 * checkout, while the order is awaited and during provisioning.
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

describe('purchaseSubscription against stubbed activities: decisions', () => {
  it('resolves, carts, checks out, awaits the order and provisions, keeping the status query and PcStep current', async () => {
    const stubs = stubActivities(purchasing());
    const purchase = request();
    await rig.withWorker(stubs, async (taskQueue) => {
      const handle = await start(taskQueue, purchase);
      const result = await handle.result();

      expect(result).toMatchObject({
        requestId: purchase.requestId,
        customerId,
        cartId: 'cart-1',
        status: 'completed',
        lineErrors: [],
      });
      expect(result.orders.map((o) => o.orderId)).toEqual(['order-of-cart-1']);
      expect(result.subscriptions.map((s) => [s.id, s.catalogItemId, s.autoRenewEnabled])).toEqual([
        ['sub-cart-1-0', basic, false],
        ['sub-cart-1-1', e3, true],
      ]);
      // Each bought subscription gets its own item's settings (autoRenew defaults to true).
      const provisioned = stubs.provisionSubscription.mock.calls
        .map(([p]) => p)
        .sort((a, b) => a.subscriptionId.localeCompare(b.subscriptionId));
      expect(provisioned).toEqual([
        { customerId, subscriptionId: 'sub-cart-1-0', autoRenew: false, friendlyName: 'Front desk' },
        { customerId, subscriptionId: 'sub-cart-1-1', autoRenew: true },
      ]);
      expect(
        stubs.resolvePurchaseItems.mock.calls.map(([input]) => [input.country, input.segment, input.refresh]),
      ).toEqual([['US', 'commercial', false]]);
      expect(stubs.checkoutPurchaseCart.mock.calls).toEqual([[{ customerId, cartId: 'cart-1' }]]);
      expect(stubs.cancelPurchasedSubscription).not.toHaveBeenCalled();

      expect(await searchAttributeHistory(handle, PcStep.name)).toEqual([
        'resolving',
        'carting',
        'checking-out',
        'awaiting-order',
        'provisioning',
        'completed',
      ]);
      const attributes = (await handle.describe()).typedSearchAttributes;
      expect(attributes.get(PcCustomerId)).toBe(customerId);
      expect(attributes.get(PcOrderIds)).toEqual(['order-of-cart-1']);
      expect(attributes.get(PcSubscriptionIds)).toEqual(['sub-cart-1-0', 'sub-cart-1-1']);
      expect(await handle.query(purchaseStatusQuery)).toMatchObject({
        step: 'completed',
        cartId: 'cart-1',
        orderIds: ['order-of-cart-1'],
        subscriptionIds: ['sub-cart-1-0', 'sub-cart-1-1'],
      });
    });
  });

  it('is started with its request normalised (defaults and upper-cased codes in the recorded input), so a later schema edit cannot change the run', async () => {
    const stubs = stubActivities(purchasing());
    const purchase = request({ country: 'gb', currency: 'gbp' });
    await rig.withWorker(stubs, async (taskQueue) => {
      const handle = await start(taskQueue, purchase);
      await handle.result();
      const history = await handle.fetchHistory();
      const payload = history.events?.[0].workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
      const recorded = JSON.parse(Buffer.from(payload?.data ?? new Uint8Array()).toString('utf8')) as Record<
        string,
        unknown
      >;
      expect(recorded).toMatchObject({ country: 'GB', currency: 'GBP', segment: 'commercial', requireApproval: false });
      expect((recorded.items as Array<{ autoRenew: boolean }>).map((item) => item.autoRenew)).toEqual([false, true]);
      expect(stubs.resolvePurchaseItems.mock.calls.map(([input]) => [input.country, input.currency])).toEqual([
        ['GB', 'GBP'],
      ]);
      await recordHistory('purchase-normalised-input', handle);
    });
  });

  it('records the normalised request of a raw start (no client in between) in history, through a local activity', async () => {
    const stubs = stubActivities(purchasing());
    const purchase = request({ country: 'gb', currency: 'gbp' });
    await rig.withWorker(stubs, async (taskQueue) => {
      // What `temporal workflow start` does: the request exactly as given, lower-case codes and defaults left out.
      const handle = await rig.client.workflow.start('purchaseSubscription', {
        workflowId: `purchase-${purchase.requestId}`,
        taskQueue,
        args: [purchase],
      });
      await handle.result();
      const markers = ((await handle.fetchHistory()).events ?? []).flatMap((event) =>
        Object.values(event.markerRecordedEventAttributes?.details ?? {}).flatMap((detail) =>
          (detail.payloads ?? []).map((payload) => Buffer.from(payload.data ?? new Uint8Array()).toString('utf8')),
        ),
      );
      const validation = markers.find((text) => text.includes('"request"') && text.includes('"requestId"'));
      expect(markers.some((text) => text.includes('normalisePurchaseRequest'))).toBe(true);
      expect(JSON.parse(validation ?? '{}')).toMatchObject({
        ok: true,
        request: { country: 'GB', currency: 'GBP', segment: 'commercial', requireApproval: false },
      });
      expect(stubs.resolvePurchaseItems.mock.calls.map(([input]) => [input.country, input.currency])).toEqual([
        ['GB', 'GBP'],
      ]);
      await recordHistory('purchase-validation-recorded', handle);
    });
  });

  describe('approval', () => {
    it('waits in awaiting-approval before carting; approve lets it complete', async () => {
      const stubs = stubActivities(purchasing(patient));
      await rig.withWorker(stubs, async (taskQueue) => {
        const handle = await start(taskQueue, request({ requireApproval: true }));
        await untilStep(handle, 'awaiting-approval');
        expect((await handle.describe()).typedSearchAttributes.get(PcStep)).toBe('awaiting-approval');
        expect(stubs.createPurchaseCart).not.toHaveBeenCalled();

        const status = await handle.executeUpdate(approvePurchaseUpdate, { args: [{ by: 'alice@contoso.com' }] });
        expect(status.step).toBe('awaiting-approval');
        expect((await handle.result()).status).toBe('completed');
        expect(await searchAttributeHistory(handle, PcStep.name)).toEqual([
          'resolving',
          'awaiting-approval',
          'carting',
          'checking-out',
          'awaiting-order',
          'provisioning',
          'completed',
        ]);
      });
      expect(stubs.checkoutPurchaseCart).toHaveBeenCalledTimes(1);
    });

    it('fails Rejected with timedOut details when nobody decides within the approval timeout; nothing is carted', async () => {
      const stubs = stubActivities(purchasing());
      await rig.withWorker(stubs, async (taskQueue) => {
        const handle = await start(taskQueue, request({ requireApproval: true }));
        const failure = await workflowFailure(handle);
        expect(failure.type).toBe(purchaseFailureTypes.rejected);
        expect(failure.message).toBe('No approval within 1s');
        expect(failure.details).toEqual([{ timedOut: true }]);
        expect((await handle.query(purchaseStatusQuery)).step).toBe('failed');
      });
      expect(stubs.resolvePurchaseItems).toHaveBeenCalledTimes(1);
      expect(stubs.createPurchaseCart).not.toHaveBeenCalled();
    });

    it('fails Rejected naming who rejected and why; nothing is carted', async () => {
      const stubs = stubActivities(purchasing(patient));
      await rig.withWorker(stubs, async (taskQueue) => {
        const handle = await start(taskQueue, request({ requireApproval: true }));
        await untilStep(handle, 'awaiting-approval');
        await handle.executeUpdate(rejectPurchaseUpdate, { args: [{ by: 'bob@contoso.com', reason: 'over budget' }] });
        const failure = await workflowFailure(handle);
        expect(failure.type).toBe(purchaseFailureTypes.rejected);
        expect(failure.message).toBe('Rejected by bob@contoso.com: over budget');
        expect(failure.details).toEqual([{ by: 'bob@contoso.com', reason: 'over budget' }]);
      });
      expect(stubs.createPurchaseCart).not.toHaveBeenCalled();
    });
  });

  describe('cancel', () => {
    it('before checkout ends cancelled with nothing bought: no cart, no checkout', async () => {
      const stubs = stubActivities(purchasing(patient));
      await rig.withWorker(stubs, async (taskQueue) => {
        const handle = await start(taskQueue, request({ requireApproval: true }));
        await untilStep(handle, 'awaiting-approval');
        const ack = await handle.executeUpdate(cancelPurchaseUpdate, {
          args: [{ reason: 'customer changed their mind' }],
        });
        expect(ack).toEqual({ step: 'awaiting-approval', afterCheckout: false });
        const result = await handle.result();
        expect(result).toMatchObject({ status: 'cancelled', orders: [], subscriptions: [] });
        expect(result.cancellation).toEqual({
          reason: 'customer changed their mind',
          afterCheckout: false,
          subscriptions: [],
        });
        expect((await handle.describe()).typedSearchAttributes.get(PcStep)).toBe('cancelled');
      });
      expect(stubs.createPurchaseCart).not.toHaveBeenCalled();
      expect(stubs.checkoutPurchaseCart).not.toHaveBeenCalled();
      expect(stubs.cancelPurchasedSubscription).not.toHaveBeenCalled();
    });

    it('during provisioning stops waiting and cancels every subscription bought', async () => {
      const stubs = stubActivities({
        ...purchasing(patient),
        provisionSubscription: async ({ subscriptionId }) => {
          throw notYet(internalFailureTypes.subscriptionNotReady, `Subscription ${subscriptionId} is pending`);
        },
      });
      await rig.withWorker(stubs, async (taskQueue) => {
        const handle = await start(taskQueue);
        await untilStep(handle, 'provisioning');
        const ack = await handle.executeUpdate(cancelPurchaseUpdate, { args: [{ reason: 'wrong customer' }] });
        expect(ack).toEqual({ step: 'provisioning', afterCheckout: true });
        const result = await handle.result();
        expect(result.status).toBe('cancelled');
        expect(result.orders.map((o) => o.orderId)).toEqual(['order-of-cart-1']);
        expect(result.subscriptions.map((s) => [s.id, s.status])).toEqual([
          ['sub-cart-1-0', 'deleted'],
          ['sub-cart-1-1', 'deleted'],
        ]);
        expect(result.cancellation).toEqual({
          reason: 'wrong customer',
          afterCheckout: true,
          subscriptions: [
            { subscriptionId: 'sub-cart-1-0', outcome: 'cancelled', detail: 'cancelled within the window' },
            { subscriptionId: 'sub-cart-1-1', outcome: 'cancelled', detail: 'cancelled within the window' },
          ],
        });
      });
      const cancelled = stubs.cancelPurchasedSubscription.mock.calls
        .map(([c]) => c)
        .sort((a, b) => a.subscriptionId.localeCompare(b.subscriptionId));
      expect(cancelled).toEqual([
        { customerId, subscriptionId: 'sub-cart-1-0' },
        { customerId, subscriptionId: 'sub-cart-1-1' },
      ]);
    });

    it('while the order is awaited waits for its subscriptions, then cancels them without provisioning', async () => {
      let orderCompleted = false;
      const buying = purchasing(patient);
      const stubs = stubActivities({
        ...buying,
        awaitOrderCompletion: async (input) => {
          if (!orderCompleted)
            throw notYet(internalFailureTypes.orderNotYetVisible, `Order ${input.orderId} is not visible yet`);
          return buying.awaitOrderCompletion(input);
        },
      });
      await rig.withWorker(stubs, async (taskQueue) => {
        const handle = await start(taskQueue);
        await untilStep(handle, 'awaiting-order');
        const ack = await handle.executeUpdate(cancelPurchaseUpdate, { args: [{ reason: 'duplicate order' }] });
        expect(ack).toEqual({ step: 'awaiting-order', afterCheckout: true });
        orderCompleted = true;
        const result = await handle.result();
        expect(result.status).toBe('cancelled');
        expect(result.cancellation?.subscriptions.map((c) => [c.subscriptionId, c.outcome])).toEqual([
          ['sub-cart-1-0', 'cancelled'],
          ['sub-cart-1-1', 'cancelled'],
        ]);
        await recordHistory('purchase-cancelled-while-awaiting-order', handle);
      });
      expect(stubs.provisionSubscription).not.toHaveBeenCalled();
      expect(stubs.cancelPurchasedSubscription).toHaveBeenCalledTimes(2);
    });
  });
});
