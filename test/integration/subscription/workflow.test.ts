import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import type { SubscriptionActivities } from '../../../src/activities';
import { notYet } from '../../../src/activities/common/failures';
import {
  subscriptionFailureTypes,
  subscriptionChangeStatusQuery,
  startSubscriptionChange,
  type SubscriptionChange,
  type SubscriptionChangeRequest,
  type SubscriptionView,
} from '../../../src/client';
import { internalFailureTypes } from '../../../src/workflows/common/failure-types';
import type { WorkerSettings } from '../../../src/workflows/common/settings';
import { PcStep } from '../../../src/workflows/common/search-attributes';
import {
  searchAttributeHistory,
  startStubRig,
  stubActivities,
  type StubRig,
  type WorkerActivities,
} from '../../support/stub-worker';
import { recordHistory, workflowFailure } from '../purchase/harness';

/**
 * changeSubscription's branches against stubbed activities (see test/support/stub-worker.ts): the rules
 * checked before any PATCH, a 202 followed until it lands, and a busy subscription retried until the deadline.
 */

const customerId = '4f1b9c7e-2d3a-4c5b-8e6f-0a1b2c3d4e5f';
const subscriptionId = 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d';
const HOUR_MS = 3_600_000;

/**
 * The change's own deadline (SUBSCRIPTION_CHANGE_DEADLINE): 2.5 s, polls every 200 ms. The order deadline is far
 * longer, so a test that ends in time proves the change used its own deadline.
 */
const fast: WorkerSettings = {
  orderPollIntervalMs: 200,
  orderVisibilityDeadlineMs: 600_000,
  approvalTimeoutMs: 1_000,
  subscriptionChangeDeadlineMs: 2_500,
};

/** An active 5-seat subscription read just now, bought an hour ago: its cancellation window is open. */
function view(extra: Partial<SubscriptionView> = {}): SubscriptionView {
  return {
    id: subscriptionId,
    catalogItemId: 'CFQ7TTC0LH18:0001:AAA',
    quantity: 5,
    status: 'active',
    autoRenewEnabled: true,
    termDuration: 'P1Y',
    billingCycle: 'monthly',
    cancellationAllowedUntilDate: new Date(Date.now() + 167 * HOUR_MS).toISOString(),
    refundOptions: [],
    readAt: new Date().toISOString(),
    ...extra,
  };
}

/** Reads `before`; a PATCH is accepted (202) and lands on the second poll as `after`. */
function changing(
  before: SubscriptionView,
  after: SubscriptionView,
): Pick<WorkerActivities, 'getPurchaseSettings'> &
  Pick<SubscriptionActivities, 'readSubscriptionForChange' | 'applySubscriptionChange' | 'awaitSubscriptionChange'> {
  let polls = 0;
  return {
    getPurchaseSettings: async () => fast,
    readSubscriptionForChange: async () => before,
    applySubscriptionChange: async ({ change }) => ({
      completion: 'accepted',
      location: `/customers/${customerId}/subscriptions/${subscriptionId}/operations/1`,
      target: change.action === 'setQuantity' ? { quantity: change.quantity } : {},
    }),
    awaitSubscriptionChange: async () => {
      polls += 1;
      if (polls === 1)
        throw notYet(
          internalFailureTypes.subscriptionNotReady,
          `Accepted change of subscription ${subscriptionId} has not landed yet`,
        );
      return after;
    },
  };
}

function request(change: SubscriptionChange): SubscriptionChangeRequest {
  return { requestId: `stubbed-${randomUUID()}`, customerId, subscriptionId, change };
}

let rig: StubRig;
beforeAll(async () => {
  rig = await startStubRig();
});
afterAll(async () => {
  await rig?.close();
});

const start = (taskQueue: string, change: SubscriptionChange) =>
  startSubscriptionChange(rig.client, request(change), { taskQueue });

describe('changeSubscription against stubbed activities', () => {
  it('reads, sends the change, follows the 202 until it lands and reports before and after', async () => {
    const stubs = stubActivities(changing(view(), view({ quantity: 8 })));
    await rig.withWorker(stubs, async (taskQueue) => {
      const handle = await start(taskQueue, { action: 'setQuantity', quantity: 8 });
      const result = await handle.result();
      expect(result).toMatchObject({
        customerId,
        subscriptionId,
        completion: 'accepted',
        change: { action: 'setQuantity', quantity: 8 },
      });
      expect([result.before.quantity, result.after.quantity]).toEqual([5, 8]);
      // Adding seats refunds nothing.
      expect(result.refund).toBeUndefined();
      expect(await searchAttributeHistory(handle, PcStep.name)).toEqual([
        'reading',
        'updating',
        'awaiting-change',
        'completed',
      ]);
      expect((await handle.query(subscriptionChangeStatusQuery)).step).toBe('completed');
    });
    expect(stubs.applySubscriptionChange.mock.calls).toEqual([
      [{ customerId, subscriptionId, change: { action: 'setQuantity', quantity: 8 } }],
    ]);
    expect(stubs.awaitSubscriptionChange.mock.calls.map(([input]) => input.target)).toEqual([
      { quantity: 8 },
      { quantity: 8 },
    ]);
  });

  it('sends nothing when the subscription already shows the change', async () => {
    const stubs = stubActivities(changing(view({ quantity: 8 }), view({ quantity: 8 })));
    await rig.withWorker(stubs, async (taskQueue) => {
      const handle = await start(taskQueue, { action: 'setQuantity', quantity: 8 });
      expect((await handle.result()).completion).toBe('already-in-effect');
      await recordHistory('change-already-in-effect', handle);
    });
    expect(stubs.applySubscriptionChange).not.toHaveBeenCalled();
  });

  it('refuses a cancellation after the window with OutsideCancellationWindow, before any PATCH', async () => {
    const closed = view({ cancellationAllowedUntilDate: new Date(Date.now() - HOUR_MS).toISOString() });
    const stubs = stubActivities(changing(closed, closed));
    await rig.withWorker(stubs, async (taskQueue) => {
      const handle = await start(taskQueue, { action: 'cancel' });
      const failure = await workflowFailure(handle);
      expect(failure.type).toBe(subscriptionFailureTypes.outsideCancellationWindow);
      expect(failure.nonRetryable).toBe(true);
      expect(failure.message).toMatch(/the cancellation window has closed/);
      expect(await searchAttributeHistory(handle, PcStep.name)).toEqual(['reading', 'failed']);
      await recordHistory('change-outside-cancellation-window', handle);
    });
    expect(stubs.readSubscriptionForChange).toHaveBeenCalledTimes(1);
    expect(stubs.applySubscriptionChange).not.toHaveBeenCalled();
  });

  it('refuses removing more seats than the refundable window allows with OutsideCancellationWindow, before any PATCH', async () => {
    const before = view({ refundableQuantity: { totalQuantity: 1, details: [] } });
    const stubs = stubActivities(changing(before, before));
    await rig.withWorker(stubs, async (taskQueue) => {
      const failure = await workflowFailure(await start(taskQueue, { action: 'setQuantity', quantity: 2 }));
      expect(failure.type).toBe(subscriptionFailureTypes.outsideCancellationWindow);
      expect(failure.message).toMatch(/cannot remove 3 seats: only 1 were added within the refundable window/);
    });
    expect(stubs.applySubscriptionChange).not.toHaveBeenCalled();
  });

  it('retries a busy subscription (409/800082) with backoff until the deadline, then fails SubscriptionBusy (retryable)', async () => {
    const stubs = stubActivities({
      ...changing(view(), view()),
      applySubscriptionChange: async () => {
        throw ApplicationFailure.create({
          type: subscriptionFailureTypes.subscriptionBusy,
          message: 'HTTP 409 code 800082: subscription is busy',
        });
      },
    });
    await rig.withWorker(stubs, async (taskQueue) => {
      const handle = await start(taskQueue, { action: 'setQuantity', quantity: 8 });
      const failure = await workflowFailure(handle);
      expect(failure.type).toBe(subscriptionFailureTypes.subscriptionBusy);
      expect(failure.nonRetryable).toBe(false);
      expect(failure.message).toMatch(/800082/);
      await recordHistory('change-subscription-busy', handle);
    });
    // Attempts at 0 s and 1 s; the next (3 s) would pass the 2.5 s deadline.
    expect(stubs.applySubscriptionChange.mock.calls.length).toBeGreaterThanOrEqual(2);
    expect(stubs.applySubscriptionChange.mock.calls.length).toBeLessThanOrEqual(3);
    expect(stubs.awaitSubscriptionChange).not.toHaveBeenCalled();
  });

  it('fails SubscriptionBusy when an accepted change has not landed by the deadline', async () => {
    const stubs = stubActivities({
      ...changing(view(), view()),
      awaitSubscriptionChange: async () => {
        throw notYet(
          internalFailureTypes.subscriptionNotReady,
          `Accepted change of subscription ${subscriptionId} has not landed yet`,
        );
      },
    });
    await rig.withWorker(stubs, async (taskQueue) => {
      const handle = await start(taskQueue, { action: 'setQuantity', quantity: 8 });
      const failure = await workflowFailure(handle);
      expect(failure.type).toBe(subscriptionFailureTypes.subscriptionBusy);
      expect(failure.nonRetryable).toBe(false);
      await recordHistory('change-accepted-not-landed', handle);
    });
    expect(stubs.applySubscriptionChange).toHaveBeenCalledTimes(1);
    expect(stubs.awaitSubscriptionChange.mock.calls.length).toBeGreaterThanOrEqual(3);
  });

  it('fails InvalidChangeRequest naming the bad field, before any activity runs', async () => {
    const stubs = stubActivities(changing(view(), view()));
    await rig.withWorker(stubs, async (taskQueue) => {
      const failure = await workflowFailure(await start(taskQueue, { action: 'setQuantity', quantity: 0 }));
      expect(failure.type).toBe(subscriptionFailureTypes.invalidRequest);
      expect(failure.message).toMatch(/change\.quantity/);
    });
    for (const stub of Object.values(stubs)) expect(stub).not.toHaveBeenCalled();
  });
});
