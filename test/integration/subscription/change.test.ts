import { randomUUID } from 'node:crypto';
import { Worker } from '@temporalio/worker';
import {
  subscriptionChangeStatusQuery,
  getSubscriptionChange,
  startSubscriptionChange,
  type SubscriptionChangeHandle,
  type ChangeStep,
  type PurchaseHandle,
  type PurchaseRequest,
  type SubscriptionChange,
} from '../../../src/client';
import { PcCustomerId, PcStep, PcSubscriptionIds } from '../../../src/workflows/common/search-attributes';
import { workflowBundle } from '../../support/temporal';
import {
  historyText,
  JWT_PATTERN,
  recordHistory,
  workflowFailure,
  line,
  offers,
  purchaseRequest,
  secretsOf,
  startRig,
  type PurchaseRig,
} from '../purchase/harness';

/**
 * changeSubscription end to end: the run's Temporal dev server, the real worker options (every workflow
 * and activity), the real Partner Center client and the sandbox. Each test first buys its subscription
 * with the purchase workflow.
 */

const PATCH_ROUTE = 'PATCH /v1/customers/{customerId}/subscriptions/{subscriptionId}';
const GET_ROUTE = 'GET /v1/customers/{customerId}/subscriptions/{subscriptionId}';
const HOUR_MS = 3_600_000;

let rig: PurchaseRig;
let customerId: string;
beforeAll(async () => {
  rig = await startRig();
  customerId = rig.sandbox.customerIds[0]!;
});
afterAll(async () => {
  await rig?.close();
});
afterEach(async () => {
  await rig.sandbox.control.clearFaults();
  await rig.sandbox.control.setDelays({ patchAcceptedMs: 0 });
});

interface Ctx {
  taskQueue: string;
  start: (request: PurchaseRequest) => Promise<PurchaseHandle>;
}

/** Buys `quantity` Business Basic seats (one year, monthly, auto-renew) and returns the subscription id. */
async function buy(ctx: Ctx, quantity: number, extra: Parameters<typeof line>[2] = {}): Promise<string> {
  const result = await (
    await ctx.start(purchaseRequest(customerId, [line(offers.businessBasic, quantity, extra)]))
  ).result();
  return result.subscriptions[0]!.id;
}

function change(
  ctx: Ctx,
  subscriptionId: string,
  what: SubscriptionChange,
  requestId = `change-test-${randomUUID()}`,
): Promise<SubscriptionChangeHandle> {
  return startSubscriptionChange(
    rig.client,
    { requestId, customerId, subscriptionId, change: what },
    { taskQueue: ctx.taskQueue },
  );
}

async function requests(route: string): Promise<number> {
  return (await rig.sandbox.control.counters()).requests[route] ?? 0;
}

async function untilStep(handle: SubscriptionChangeHandle, step: ChangeStep): Promise<void> {
  const deadline = Date.now() + 20_000;
  while ((await handle.query(subscriptionChangeStatusQuery)).step !== step) {
    if (Date.now() > deadline) throw new Error(`change never reached ${step}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('changeSubscription against the sandbox', () => {
  it('increases the quantity: 200 answer, before/after, status, search attributes, summary, no secret in history', async () => {
    await rig.withWorker(async (ctx) => {
      const subscriptionId = await buy(ctx, 5);
      const handle = await change(ctx, subscriptionId, { action: 'setQuantity', quantity: 8 });
      const result = await handle.result();

      expect(result).toMatchObject({
        customerId,
        subscriptionId,
        completion: 'immediate',
        before: { quantity: 5, status: 'active' },
        after: { quantity: 8, autoRenewEnabled: true },
      });
      expect(result.refund).toBeUndefined();
      // The three new seats are refundable for 168 hours of their own.
      expect(result.after.refundableQuantity?.totalQuantity).toBe(8);
      expect(await handle.query(subscriptionChangeStatusQuery)).toMatchObject({
        step: 'completed',
        subscriptionId,
        customerId,
      });

      const description = await handle.describe();
      expect(description.typedSearchAttributes.get(PcStep)).toBe('completed');
      expect(description.typedSearchAttributes.get(PcCustomerId)).toBe(customerId);
      expect(description.typedSearchAttributes.get(PcSubscriptionIds)).toEqual([subscriptionId]);
      expect(await description.staticSummary()).toBe(
        `Change subscription ${subscriptionId} of customer ${customerId}: set quantity to 8`,
      );

      const history = await historyText(handle);
      await recordHistory('change-quantity-increased', handle);
      expect(history).toContain(subscriptionId);
      for (const secret of secretsOf(rig.sandbox)) expect(history).not.toContain(secret);
      expect(history).not.toMatch(JWT_PATTERN);
    });
  });

  it('decreases inside the window and shows the refund', async () => {
    await rig.withWorker(async (ctx) => {
      const subscriptionId = await buy(ctx, 10);
      const result = await (await change(ctx, subscriptionId, { action: 'setQuantity', quantity: 6 })).result();
      expect(result.after.quantity).toBe(6);
      expect(result.refund).toEqual({
        seatsRemoved: 4,
        refundableBefore: { totalQuantity: 10, details: [expect.objectContaining({ quantity: 10 })] },
        refundOptions: [expect.objectContaining({ type: 'Full' }), expect.objectContaining({ type: 'Partial' })],
      });
      expect(result.after.refundableQuantity?.totalQuantity).toBe(6);
    });
  });

  it('cancels inside the window: status deleted, every seat refunded', async () => {
    await rig.withWorker(async (ctx) => {
      const subscriptionId = await buy(ctx, 3);
      const result = await (await change(ctx, subscriptionId, { action: 'cancel' })).result();
      expect(result.after.status).toBe('deleted');
      expect(result.refund?.seatsRemoved).toBe(3);
    });
  });

  it('refuses scheduleNextTerm once auto-renew is off, before any PATCH', async () => {
    await rig.withWorker(async (ctx) => {
      const subscriptionId = await buy(ctx, 4);
      const off = await (await change(ctx, subscriptionId, { action: 'setAutoRenew', enabled: false })).result();
      expect(off.after.autoRenewEnabled).toBe(false);

      const patches = await requests(PATCH_ROUTE);
      const failure = await workflowFailure(
        await change(ctx, subscriptionId, { action: 'scheduleNextTerm', quantity: 2 }),
      );
      expect(failure.type).toBe('ChangeRejected');
      expect(failure.details).toEqual([expect.objectContaining({ code: 'AutoRenewRequired', subscriptionId })]);
      expect(await requests(PATCH_ROUTE)).toBe(patches);
    });
  });

  it('schedules next-term instructions, then a rename keeps them, auto-renew and the quantity (full body)', async () => {
    await rig.withWorker(async (ctx) => {
      const subscriptionId = await buy(ctx, 6, { friendlyName: 'Sales' });
      const scheduled = await (
        await change(ctx, subscriptionId, { action: 'scheduleNextTerm', billingCycle: 'annual', quantity: 9 })
      ).result();
      expect(scheduled.after.scheduledNextTerm).toMatchObject({
        catalogItemId: scheduled.before.catalogItemId,
        termDuration: 'P1Y',
        billingCycle: 'annual',
        quantity: 9,
      });

      const renamed = await (await change(ctx, subscriptionId, { action: 'rename', friendlyName: 'Finance' })).result();
      const { friendlyName, readAt: _r1, ...unchanged } = renamed.after;
      const { friendlyName: before, readAt: _r2, ...expected } = scheduled.after;
      expect([before, friendlyName]).toEqual(['Sales', 'Finance']);
      expect(unchanged).toEqual(expected);
      expect(unchanged.autoRenewEnabled).toBe(true);
    });
  });

  it("renews into another term only with that term's catalog item id", async () => {
    await rig.withWorker(async (ctx) => {
      const subscriptionId = await buy(ctx, 3);
      const withoutId = await workflowFailure(
        await change(ctx, subscriptionId, { action: 'scheduleNextTerm', termDuration: 'P3Y' }),
      );
      expect(withoutId.type).toBe('InvalidChangeRequest');
      expect(withoutId.message).toContain('change.catalogItemId');

      const threeYears = await rig.catalogItemIdOf(offers.businessBasic, 'P3Y', 'annual');
      const result = await (
        await change(ctx, subscriptionId, {
          action: 'scheduleNextTerm',
          catalogItemId: threeYears,
          termDuration: 'P3Y',
          billingCycle: 'annual',
        })
      ).result();
      expect(result.after.scheduledNextTerm).toEqual({
        catalogItemId: threeYears,
        termDuration: 'P3Y',
        billingCycle: 'annual',
        quantity: 3,
      });
      expect(result.after.termDuration).toBe('P1Y');
    });
  });

  it('two concurrent changes of one subscription both land, neither losing the other (busy while the first is accepted)', async () => {
    await rig.withWorker(async (ctx) => {
      const subscriptionId = await buy(ctx, 2);
      await rig.sandbox.control.setDelays({ patchAcceptedMs: 1000 });
      const [renamed, resized] = await Promise.all([
        change(ctx, subscriptionId, { action: 'rename', friendlyName: 'Ops' }).then((h) => h.result()),
        change(ctx, subscriptionId, { action: 'setQuantity', quantity: 9 }).then((h) => h.result()),
      ]);
      const last = Date.parse(renamed.after.readAt) > Date.parse(resized.after.readAt) ? renamed.after : resized.after;
      expect(last).toMatchObject({ friendlyName: 'Ops', quantity: 9, autoRenewEnabled: true });
    });
  });

  it('follows a 202 until the subscription shows the change', async () => {
    await rig.withWorker(async (ctx) => {
      const subscriptionId = await buy(ctx, 2);
      await rig.sandbox.control.setDelays({ patchAcceptedMs: 3000 });
      const handle = await change(ctx, subscriptionId, { action: 'setQuantity', quantity: 4 });
      await untilStep(handle, 'awaiting-change');
      const result = await handle.result();
      expect(result.completion).toBe('accepted');
      expect(result.after.quantity).toBe(4);
      // The recorded path (read, PATCH 202, polls) replays on today's code without a nondeterminism error.
      await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, await handle.fetchHistory());
      await recordHistory('change-accepted-202', handle);
    });
  });

  it('retries a busy subscription (409/800082) and then succeeds, with one change', async () => {
    await rig.withWorker(async (ctx) => {
      const subscriptionId = await buy(ctx, 2);
      await rig.sandbox.control.addFault({
        method: 'PATCH',
        path: '/v1/customers/*/subscriptions/*',
        kind: 'status',
        status: 409,
        code: 800082,
        count: 2,
      });
      const patches = await requests(PATCH_ROUTE);
      const result = await (await change(ctx, subscriptionId, { action: 'setQuantity', quantity: 3 })).result();
      expect(result).toMatchObject({ completion: 'immediate', after: { quantity: 3 } });
      expect(await requests(PATCH_ROUTE)).toBe(patches + 3);
    });
  });

  it('fails SubscriptionBusy (retryable) when the subscription stays busy past the deadline', async () => {
    await rig.withWorker(
      async (ctx) => {
        const subscriptionId = await buy(ctx, 2);
        await rig.sandbox.control.addFault({
          method: 'PATCH',
          path: '/v1/customers/*/subscriptions/*',
          kind: 'status',
          status: 409,
          code: 800082,
          count: 1000,
        });
        const failure = await workflowFailure(
          await change(ctx, subscriptionId, { action: 'setQuantity', quantity: 3 }),
        );
        expect(failure.type).toBe('SubscriptionBusy');
        expect(failure.nonRetryable).toBe(false);
      },
      { orderVisibilityDeadlineMs: 3000 },
    );
  });

  it('fails SubscriptionBusy at SUBSCRIPTION_CHANGE_DEADLINE when an accepted change has not landed, not at the order deadline', async () => {
    await rig.withWorker(
      async (ctx) => {
        const subscriptionId = await buy(ctx, 2);
        // Accepted (202) at once, landing only in two minutes.
        await rig.sandbox.control.setDelays({ patchAcceptedMs: 120_000 });
        const started = Date.now();
        const failure = await workflowFailure(
          await change(ctx, subscriptionId, { action: 'setQuantity', quantity: 3 }),
        );
        const waitedMs = Date.now() - started;
        expect(failure.type).toBe('SubscriptionBusy');
        expect(failure.nonRetryable).toBe(false);
        // About the 3 s deadline (it runs on the workflow's clock, which can start a few ms before this one), far
        // from the 60 s order deadline.
        expect(waitedMs).toBeGreaterThanOrEqual(2500);
        expect(waitedMs).toBeLessThan(30_000);
      },
      { subscriptionChangeDeadlineMs: 3000, orderVisibilityDeadlineMs: 60_000 },
    );
  });

  it('a lost PATCH response is retried without changing twice', async () => {
    await rig.withWorker(async (ctx) => {
      const subscriptionId = await buy(ctx, 2);
      await rig.sandbox.control.addFault({
        method: 'PATCH',
        path: '/v1/customers/*/subscriptions/*',
        kind: 'commit-then-drop',
      });
      const patches = await requests(PATCH_ROUTE);
      const result = await (await change(ctx, subscriptionId, { action: 'setQuantity', quantity: 7 })).result();
      // The retry re-read the subscription, found the change in effect and sent nothing more.
      expect(result).toMatchObject({
        completion: 'already-in-effect',
        before: { quantity: 2 },
        after: { quantity: 7 },
      });
      expect(await requests(PATCH_ROUTE)).toBe(patches + 1);
    });
  });

  it('a duplicate start with the same requestId attaches to the one change', async () => {
    await rig.withWorker(async (ctx) => {
      const subscriptionId = await buy(ctx, 2);
      const requestId = `change-test-${randomUUID()}`;
      const patches = await requests(PATCH_ROUTE);
      const [first, second] = await Promise.all([
        change(ctx, subscriptionId, { action: 'setQuantity', quantity: 5 }, requestId),
        change(ctx, subscriptionId, { action: 'setQuantity', quantity: 5 }, requestId),
      ]);
      const result = await first.result();
      const again = await change(ctx, subscriptionId, { action: 'setQuantity', quantity: 5 }, requestId);
      expect(await again.result()).toEqual(result);
      expect((await second.describe()).runId).toBe((await first.describe()).runId);
      expect((await again.describe()).runId).toBe((await first.describe()).runId);
      expect((await getSubscriptionChange(rig.client, requestId).describe()).runId).toBe(
        (await first.describe()).runId,
      );
      expect(await requests(PATCH_ROUTE)).toBe(patches + 1);
    });
  });

  it('names every bad field in InvalidChangeRequest without calling Partner Center', async () => {
    await rig.withWorker(async (ctx) => {
      const reads = await requests(GET_ROUTE);
      const handle = await startSubscriptionChange(
        rig.client,
        {
          requestId: `change-test-${randomUUID()}`,
          customerId: 'not-a-guid',
          subscriptionId: 'nope',
          change: { action: 'setQuantity', quantity: -1 },
        },
        { taskQueue: ctx.taskQueue },
      );
      const failure = await workflowFailure(handle);
      expect(failure.type).toBe('InvalidChangeRequest');
      expect(failure.nonRetryable).toBe(true);
      expect(failure.message).toMatch(/customerId .*subscriptionId .*change\.quantity/);
      expect(await requests(GET_ROUTE)).toBe(reads);
      expect((await handle.query(subscriptionChangeStatusQuery)).step).toBe('failed');
      await recordHistory('change-invalid-request', handle);
    });
  });

  // Last: moves the sandbox clock past every window bought so far.
  it('after 168 hours refuses a reduction and a cancellation with OutsideCancellationWindow and sends no PATCH', async () => {
    await rig.withWorker(async (ctx) => {
      const subscriptionId = await buy(ctx, 5);
      await rig.sandbox.control.advanceClock(169 * HOUR_MS);
      const patches = await requests(PATCH_ROUTE);

      const reduce = await workflowFailure(await change(ctx, subscriptionId, { action: 'setQuantity', quantity: 4 }));
      expect(reduce.type).toBe('OutsideCancellationWindow');
      expect(reduce.nonRetryable).toBe(true);
      const cancel = await workflowFailure(await change(ctx, subscriptionId, { action: 'cancel' }));
      expect(cancel.type).toBe('OutsideCancellationWindow');
      expect(await requests(PATCH_ROUTE)).toBe(patches);

      // Adding seats is still allowed.
      const more = await (await change(ctx, subscriptionId, { action: 'setQuantity', quantity: 6 })).result();
      expect(more.after.quantity).toBe(6);
    });
  });
});
