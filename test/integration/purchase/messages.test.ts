import { WorkflowUpdateFailedError } from '@temporalio/client';
import {
  approvePurchaseUpdate,
  cancelPurchaseUpdate,
  getPurchase,
  purchaseStatusQuery,
  rejectPurchaseUpdate,
  startPurchase,
} from '../../../src/client';
import type { SandboxCounters } from 'partner-center-sandbox';
import { uniqueTaskQueue } from '../../support/temporal';
import {
  line,
  offers,
  workflowFailure,
  purchaseRequest,
  recordHistory,
  startRig,
  untilStep,
  type PurchaseRig,
} from './harness';

const CREATE_CART = 'POST /v1/customers/{customerId}/carts';
const PATCH_SUBSCRIPTION = 'PATCH /v1/customers/{customerId}/subscriptions/{subscriptionId}';
/** An order completion delay the test ends itself by advancing the sandbox clock, so no step is missed. */
const HELD = 3_600_000;

let rig: PurchaseRig;
let customer: string;
beforeAll(async () => {
  rig = await startRig();
  customer = rig.sandbox.customerIds[0]!;
});
afterEach(async () => {
  await rig.sandbox.control.setDelays({ orderCompletionMs: 300, subscriptionProvisioningMs: 0 });
});
afterAll(async () => {
  await rig?.close();
});

async function callsSince(before: SandboxCounters, route: string): Promise<number> {
  const after = await rig.sandbox.control.counters();
  return (after.requests[route] ?? 0) - (before.requests[route] ?? 0);
}

describe('approval', () => {
  it('waits in awaiting-approval, refuses invalid or misplaced decisions, and buys once approved', async () => {
    await rig.withWorker(async ({ start }) => {
      const before = await rig.sandbox.control.counters();
      const handle = await start(purchaseRequest(customer, [line(offers.businessBasic, 1)], { requireApproval: true }));
      await untilStep(handle, 'awaiting-approval');
      expect(await callsSince(before, CREATE_CART)).toBe(0);

      await expect(handle.executeUpdate(approvePurchaseUpdate, { args: [{ by: ' ' }] })).rejects.toBeInstanceOf(
        WorkflowUpdateFailedError,
      );
      const approved = await handle.executeUpdate(approvePurchaseUpdate, { args: [{ by: 'ops@contoso' }] });
      expect(approved.step).toBe('awaiting-approval');
      // The decision is taken: a second one is refused by the validator.
      await expect(
        handle.executeUpdate(rejectPurchaseUpdate, { args: [{ by: 'x', reason: 'late' }] }),
      ).rejects.toBeInstanceOf(WorkflowUpdateFailedError);

      const result = await handle.result();
      expect(result.status).toBe('completed');
      expect(await callsSince(before, CREATE_CART)).toBe(1);
      await recordHistory('purchase-approved', handle);
    });
  });

  it('refuses approve on a purchase that did not ask for approval', async () => {
    await rig.sandbox.control.setDelays({ orderCompletionMs: HELD });
    await rig.withWorker(async ({ start }) => {
      const handle = await start(purchaseRequest(customer, [line(offers.businessBasic, 1)]));
      await untilStep(handle, 'awaiting-order');
      await expect(handle.executeUpdate(approvePurchaseUpdate, { args: [{ by: 'ops' }] })).rejects.toBeInstanceOf(
        WorkflowUpdateFailedError,
      );
      await rig.sandbox.control.advanceClock(HELD);
      expect((await handle.result()).status).toBe('completed');
    });
  });

  it('fails Rejected with the reason when rejected, with no cart created', async () => {
    await rig.withWorker(async ({ start }) => {
      const before = await rig.sandbox.control.counters();
      const handle = await start(purchaseRequest(customer, [line(offers.businessBasic, 1)], { requireApproval: true }));
      await untilStep(handle, 'awaiting-approval');
      await handle.executeUpdate(rejectPurchaseUpdate, { args: [{ by: 'cfo@contoso', reason: 'over budget' }] });
      const failure = await workflowFailure(handle);
      expect(failure.type).toBe('Rejected');
      expect(failure.message).toContain('over budget');
      expect(await callsSince(before, CREATE_CART)).toBe(0);
      await recordHistory('purchase-rejected', handle);
    });
  });

  it('fails Rejected when nobody decides within the approval timeout', async () => {
    await rig.withWorker(
      async ({ start }) => {
        const handle = await start(
          purchaseRequest(customer, [line(offers.businessBasic, 1)], { requireApproval: true }),
        );
        const failure = await workflowFailure(handle);
        expect(failure.type).toBe('Rejected');
        expect(failure.message).toMatch(/No approval within/);
        await recordHistory('purchase-approval-timeout', handle);
      },
      { approvalTimeoutMs: 1500 },
    );
  });
});

describe('cancel', () => {
  it('before checkout ends the purchase cancelled with nothing bought', async () => {
    await rig.withWorker(async ({ start }) => {
      const before = await rig.sandbox.control.counters();
      const handle = await start(purchaseRequest(customer, [line(offers.businessBasic, 1)], { requireApproval: true }));
      await untilStep(handle, 'awaiting-approval');
      const ack = await handle.executeUpdate(cancelPurchaseUpdate, {
        args: [{ reason: 'customer changed their mind' }],
      });
      expect(ack).toEqual({ step: 'awaiting-approval', afterCheckout: false });
      const result = await handle.result();
      expect(result).toMatchObject({
        status: 'cancelled',
        orders: [],
        subscriptions: [],
        cancellation: { reason: 'customer changed their mind', afterCheckout: false },
      });
      expect(await callsSince(before, CREATE_CART)).toBe(0);
      expect((await handle.query(purchaseStatusQuery)).step).toBe('cancelled');
      await recordHistory('purchase-cancelled-before-checkout', handle);
    });
  });

  it('accepted before any work started ends the purchase cancelled without touching Partner Center', async () => {
    const taskQueue = uniqueTaskQueue('purchase-early-cancel');
    const handle = await startPurchase(rig.client, purchaseRequest(customer, [line(offers.businessBasic, 1)]), {
      taskQueue,
    });
    // Sent before any worker runs: the first workflow task sees the start and the cancel together.
    const cancelled = handle.executeUpdate(cancelPurchaseUpdate, { args: [{ reason: 'submitted by mistake' }] });
    const worker = await rig.createWorker(taskQueue);
    const [ack, result] = await worker.runUntil(Promise.all([cancelled, handle.result()]));
    expect(ack).toEqual({ step: 'validating', afterCheckout: false });
    expect(result).toMatchObject({
      status: 'cancelled',
      cancellation: { reason: 'submitted by mistake', afterCheckout: false },
    });
    const events = (await handle.fetchHistory()).events ?? [];
    expect(events.some((e) => e.activityTaskScheduledEventAttributes)).toBe(false);
    await recordHistory('purchase-cancelled-at-start', handle);
  });

  it('after checkout cancels the subscriptions bought, within the 168-hour window', async () => {
    await rig.sandbox.control.setDelays({ orderCompletionMs: HELD });
    await rig.withWorker(async ({ start }) => {
      const before = await rig.sandbox.control.counters();
      const handle = await start(
        purchaseRequest(customer, [line(offers.businessBasic, 2), line(offers.office365E3, 1)]),
      );
      await untilStep(handle, 'awaiting-order');
      const ack = await handle.executeUpdate(cancelPurchaseUpdate, { args: [{ reason: 'wrong customer' }] });
      expect(ack).toEqual({ step: 'awaiting-order', afterCheckout: true });
      await rig.sandbox.control.advanceClock(HELD);
      const result = await handle.result();
      expect(result.status).toBe('cancelled');
      expect(result.cancellation).toMatchObject({ reason: 'wrong customer', afterCheckout: true });
      expect(result.cancellation?.subscriptions).toHaveLength(2);
      for (const outcome of result.cancellation?.subscriptions ?? []) expect(outcome.outcome).toBe('cancelled');
      expect(result.subscriptions.map((s) => s.status)).toEqual(['deleted', 'deleted']);
      expect(await callsSince(before, PATCH_SUBSCRIPTION)).toBe(2);
      await recordHistory('purchase-cancelled-after-checkout', handle);
    });
  });

  it('after checkout, once the 168-hour window has passed, reports why nothing was cancelled', async () => {
    await rig.sandbox.control.setDelays({ orderCompletionMs: HELD });
    await rig.withWorker(async ({ start }) => {
      const handle = await start(purchaseRequest(customer, [line(offers.businessBasic, 1)]));
      await untilStep(handle, 'awaiting-order');
      await handle.executeUpdate(cancelPurchaseUpdate, { args: [{ reason: 'too late' }] });
      await rig.sandbox.control.advanceClock(8 * 24 * 3_600_000);
      const result = await handle.result();
      expect(result.status).toBe('cancelled');
      expect(result.cancellation?.subscriptions).toEqual([expect.objectContaining({ outcome: 'not-cancelled' })]);
      expect(result.cancellation?.subscriptions[0]?.detail).toMatch(/Partner Center refused: 9002\d\d|window/);
      expect(result.subscriptions[0]?.status).toBe('active');
      await recordHistory('purchase-cancel-refused-outside-window', handle);
    });
  });

  it('during provisioning stops waiting and cancels the subscriptions bought', async () => {
    // With App+User the purchase waits for the provisioning status, which the sandbox holds at pending.
    await rig.sandbox.control.setDelays({ subscriptionProvisioningMs: 600_000 });
    await rig.withWorker(
      async ({ start }) => {
        const handle = await start(purchaseRequest(customer, [line(offers.businessBasic, 1)]));
        await untilStep(handle, 'provisioning');
        const ack = await handle.executeUpdate(cancelPurchaseUpdate, {
          args: [{ reason: 'duplicate order upstream' }],
        });
        expect(ack).toEqual({ step: 'provisioning', afterCheckout: true });
        const result = await handle.result();
        expect(result.status).toBe('cancelled');
        expect(result.cancellation?.subscriptions).toEqual([expect.objectContaining({ outcome: 'cancelled' })]);
        expect(result.subscriptions[0]?.status).toBe('deleted');
        await recordHistory('purchase-cancelled-during-provisioning', handle);
      },
      { appPlusUser: true },
    );
  });
});

describe('idempotent start', () => {
  it('a repeated start with the same requestId, while running and after completion, is the same purchase', async () => {
    await rig.withWorker(async ({ taskQueue }) => {
      const before = await rig.sandbox.control.counters();
      const request = purchaseRequest(customer, [line(offers.businessBasic, 1)]);
      const [first, second] = await Promise.all([
        startPurchase(rig.client, request, { taskQueue }),
        startPurchase(rig.client, request, { taskQueue }),
      ]);
      const result = await first.result();
      const again = await startPurchase(rig.client, request, { taskQueue });
      const runIds = await Promise.all(
        [first, second, again, getPurchase(rig.client, request.requestId)].map(async (h) => (await h.describe()).runId),
      );
      expect(new Set(runIds).size).toBe(1);
      expect(await again.result()).toEqual(result);
      expect(await callsSince(before, CREATE_CART)).toBe(1);
      expect((await rig.sandbox.control.counters()).ordersPerCart[result.cartId]).toBe(1);
    });
  });
});

describe('stale availability', () => {
  it('re-resolves and rebuilds the cart once when checkout says the availability is gone (400019)', async () => {
    await rig.withWorker(async ({ start }) => {
      const before = await rig.sandbox.control.counters();
      const handle = await start(purchaseRequest(customer, [line(offers.businessBasic, 3)], { requireApproval: true }));
      await untilStep(handle, 'awaiting-approval');
      // The catalog item id the purchase resolved goes stale while it waits for approval.
      const resolved = await rig.catalogItemIdOf(offers.businessBasic, 'P1Y', 'monthly');
      const [productId, skuId, availabilityId] = resolved.split(':') as [string, string, string];
      const { newCatalogItemId } = await rig.sandbox.control.rotateAvailability({ productId, skuId, availabilityId });
      await handle.executeUpdate(approvePurchaseUpdate, { args: [{ by: 'ops' }] });
      const result = await handle.result();
      expect(result.status).toBe('completed');
      expect(result.subscriptions[0]?.catalogItemId).toBe(newCatalogItemId);
      expect(await callsSince(before, CREATE_CART)).toBe(2);
      expect((await rig.sandbox.control.counters()).ordersPerCart[result.cartId]).toBe(1);
      await recordHistory('purchase-stale-availability', handle);
    });
  });
});
