import { randomUUID } from 'node:crypto';
import { Worker } from '@temporalio/worker';
import {
  startSubscriptionChange,
  type SubscriptionChangeHandle,
  type SubscriptionChangeRequest,
} from '../../../src/client';
import { PcSubscriptionIds } from '../../../src/workflows/common/search-attributes';
import { workflowBundle } from '../../support/temporal';
import {
  historyText,
  JWT_PATTERN,
  recordHistory,
  secretsOf,
  startRig,
  workflowFailure,
  type PurchaseRig,
} from '../purchase/harness';

/**
 * changeSubscription's transitions (upgrades), trial conversions, suspension and reactivation end to end (dev
 * server, real worker options, real client, sandbox). Subscriptions are seeded through
 * the sandbox's control API (`seedSubscription`), trials included.
 */

const POST_TRANSITION = 'POST /v1/customers/{customerId}/subscriptions/{subscriptionId}/transitions';
const PATCH_ROUTE = 'PATCH /v1/customers/{customerId}/subscriptions/{subscriptionId}';
const DAY_MS = 24 * 3_600_000;
const BUSINESS_BASIC = { productId: 'CFQ7TTC0LH18', skuId: '0001' };
const BUSINESS_STANDARD = { productId: 'CFQ7TTC0LDPB', skuId: '0001' };
const BUSINESS_STANDARD_TRIAL = { productId: 'CFQ7TTC0LDPB', skuId: '0002' };
const OFFICE_E3 = { productId: 'CFQ7TTC0LF8R', skuId: '0001' };

let rig: PurchaseRig;
let customerId: string;
let standardP1Y: string;
beforeAll(async () => {
  rig = await startRig();
  customerId = rig.sandbox.customerIds[0]!;
  standardP1Y = await rig.catalogItemIdOf(BUSINESS_STANDARD, 'P1Y', 'monthly');
});
afterAll(async () => {
  await rig?.close();
});
afterEach(async () => {
  await rig.sandbox.control.clearFaults();
  await rig.sandbox.control.setApiPolicy({ requestIdReplay: true, transitionEvents: 'state' });
});

async function seed(
  offer: { productId: string; skuId: string },
  quantity: number,
  termDuration?: 'P1M' | 'P1Y' | 'P3Y',
): Promise<string> {
  return (
    await rig.sandbox.control.seedSubscription({
      customerId,
      ...offer,
      quantity,
      ...(termDuration !== undefined ? { termDuration } : {}),
    })
  ).id;
}

function change(
  taskQueue: string,
  subscriptionId: string,
  what: SubscriptionChangeRequest['change'],
  requestId = `lifecycle-${randomUUID()}`,
): Promise<SubscriptionChangeHandle> {
  return startSubscriptionChange(rig.client, { requestId, customerId, subscriptionId, change: what }, { taskQueue });
}

async function requests(route: string): Promise<number> {
  return (await rig.sandbox.control.counters()).requests[route] ?? 0;
}

describe('transition (upgrade)', () => {
  it('moves seats to the target offer, follows the events to Completed and reports both subscriptions', async () => {
    await rig.withWorker(async ({ taskQueue }) => {
      const subscriptionId = await seed(BUSINESS_BASIC, 10, 'P1Y');
      const handle = await change(taskQueue, subscriptionId, {
        action: 'transition',
        toCatalogItemId: standardP1Y,
        quantity: 4,
      });
      const result = await handle.result();
      expect(result).toMatchObject({
        completion: 'accepted',
        before: { quantity: 10, status: 'active' },
        after: { id: subscriptionId, quantity: 6, status: 'active' },
        transition: {
          toCatalogItemId: standardP1Y,
          quantity: 4,
          transitionType: 'transition_with_license_transfer',
          events: [
            expect.objectContaining({ name: 'Conversion', status: 'Completed' }),
            expect.objectContaining({ name: 'LicenseReassignment', status: 'Completed' }),
          ],
          target: { catalogItemId: standardP1Y, quantity: 4, status: 'active', termDuration: 'P1Y' },
        },
      });
      const targetId = result.transition!.target!.id;
      expect((await handle.describe()).typedSearchAttributes.get(PcSubscriptionIds)).toEqual([
        subscriptionId,
        targetId,
      ]);
      const history = await historyText(handle);
      for (const secret of secretsOf(rig.sandbox)) expect(history).not.toContain(secret);
      expect(history).not.toMatch(JWT_PATTERN);
      await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, await handle.fetchHistory());
      await recordHistory('change-transition-upgraded', handle);
    });
  });

  it('completes a transition whose events read as a log: each step Started, then Completed', async () => {
    await rig.withWorker(async ({ taskQueue }) => {
      await rig.sandbox.control.setApiPolicy({ transitionEvents: 'log' });
      const subscriptionId = await seed(BUSINESS_BASIC, 6, 'P1Y');
      const result = await (
        await change(taskQueue, subscriptionId, { action: 'transition', toCatalogItemId: standardP1Y, quantity: 2 })
      ).result();
      expect(result).toMatchObject({
        completion: 'accepted',
        after: { id: subscriptionId, quantity: 4, status: 'active' },
        transition: { quantity: 2, target: { catalogItemId: standardP1Y, quantity: 2, status: 'active' } },
      });
      // The Started events stay in the log: waiting for every event to say Completed would never end.
      expect(result.transition!.events.map((e) => `${e.name} ${e.status}`)).toEqual([
        'Conversion Started',
        'LicenseReassignment Started',
        'Conversion Completed',
        'LicenseReassignment Completed',
      ]);
    });
  });

  it('a lost POST answer is retried without transitioning twice (no MS-RequestId replay on the server)', async () => {
    await rig.withWorker(async ({ taskQueue }) => {
      const subscriptionId = await seed(BUSINESS_BASIC, 5, 'P1Y');
      // The worker's own protection, not the server's replay cache.
      await rig.sandbox.control.setApiPolicy({ requestIdReplay: false });
      await rig.sandbox.control.addFault({
        method: 'POST',
        path: '/v1/customers/*/subscriptions/*/transitions',
        kind: 'commit-then-drop',
      });
      const posts = await requests(POST_TRANSITION);
      const result = await (
        await change(taskQueue, subscriptionId, { action: 'transition', toCatalogItemId: standardP1Y, quantity: 2 })
      ).result();
      // The first POST committed; the retry found that transition and posted nothing.
      expect(await requests(POST_TRANSITION)).toBe(posts + 1);
      expect(result.after.quantity).toBe(3);
      expect(result.transition?.target?.quantity).toBe(2);
    });
  });

  it('moves every seat into an existing subscription once its window has passed; the source is cancelled', async () => {
    await rig.withWorker(async ({ taskQueue }) => {
      const subscriptionId = await seed(BUSINESS_BASIC, 3, 'P1Y');
      const into = await seed(BUSINESS_STANDARD, 2, 'P1Y');
      // Code 2 keeps a target inside its cancellation window; 8 days later it can take seats.
      await rig.sandbox.control.advanceClock(8 * DAY_MS);
      const result = await (
        await change(taskQueue, subscriptionId, {
          action: 'transition',
          toCatalogItemId: standardP1Y,
          toSubscriptionId: into,
          transitionType: 'transition_only',
        })
      ).result();
      expect(result.after).toMatchObject({ status: 'deleted' });
      expect(result.transition).toMatchObject({
        transitionType: 'transition_only',
        quantity: 3,
        target: { id: into, quantity: 5 },
      });
    });
  });

  it('refuses with TransitionNotEligible naming every source and target reason, before any POST', async () => {
    await rig.withWorker(async ({ taskQueue }) => {
      const subscriptionId = await seed(BUSINESS_BASIC, 4, 'P1Y');
      // Bought now, one month: inside its window (2), a shorter term (3), ending earlier (4).
      const into = await seed(BUSINESS_STANDARD, 1, 'P1M');
      const suspended = await (await change(taskQueue, subscriptionId, { action: 'suspend' })).result();
      expect(suspended.after.status).toBe('suspended');
      const posts = await requests(POST_TRANSITION);
      const failure = await workflowFailure(
        await change(taskQueue, subscriptionId, {
          action: 'transition',
          toCatalogItemId: standardP1Y,
          toSubscriptionId: into,
        }),
      );
      expect(failure.type).toBe('TransitionNotEligible');
      expect(failure.nonRetryable).toBe(true);
      const [details] = failure.details as [{ reasons: Array<{ side: string; code: number }> }];
      expect(details.reasons.map((r) => `${r.side} ${r.code}`).sort()).toEqual([
        'source 5',
        'target 2',
        'target 3',
        'target 4',
      ]);
      expect(failure.message).toMatch(/source 5 \(The subscription is not active\.\)/);

      const notATarget = await workflowFailure(
        await change(taskQueue, subscriptionId, {
          action: 'transition',
          toCatalogItemId: await rig.catalogItemIdOf(OFFICE_E3, 'P1Y', 'monthly'),
        }),
      );
      expect(notATarget.type).toBe('TransitionNotEligible');
      expect(notATarget.message).toMatch(/is not one of its targets/);
      expect(await requests(POST_TRANSITION)).toBe(posts);
    });
  });

  it('schedules a transition for the renewal as next-term instructions', async () => {
    await rig.withWorker(async ({ taskQueue }) => {
      const subscriptionId = await seed(BUSINESS_BASIC, 6, 'P1Y');
      const result = await (
        await change(taskQueue, subscriptionId, {
          action: 'transition',
          toCatalogItemId: standardP1Y,
          timing: 'scheduled',
        })
      ).result();
      expect(result.after).toMatchObject({
        catalogItemId: expect.stringMatching(/^CFQ7TTC0LH18:0001:/),
        scheduledNextTerm: { catalogItemId: standardP1Y, termDuration: 'P1Y', quantity: 6 },
      });
      expect(result.transition).toBeUndefined();
    });
  });
});

describe('convertTrial', () => {
  it('converts a trial into a paid subscription of at least its seats (P1Y monthly by default)', async () => {
    await rig.withWorker(async ({ taskQueue }) => {
      const trial = await rig.sandbox.control.seedSubscription({
        customerId,
        ...BUSINESS_STANDARD_TRIAL,
        quantity: 25,
      });
      expect(trial.isTrial).toBe(true);
      const handle = await change(taskQueue, trial.id, { action: 'convertTrial', quantity: 30 });
      const result = await handle.result();
      expect(result).toMatchObject({
        completion: 'accepted',
        before: { isTrial: true, quantity: 25, billingCycle: 'none' },
        after: { id: trial.id, status: 'expired' },
        transition: {
          toCatalogItemId: standardP1Y,
          quantity: 30,
          target: { isTrial: false, quantity: 30, termDuration: 'P1Y', billingCycle: 'monthly', status: 'active' },
        },
      });
      await recordHistory('change-trial-converted', handle);
    });
  });

  it('refuses fewer seats than the trial has, and a subscription that is no trial, before any POST', async () => {
    await rig.withWorker(async ({ taskQueue }) => {
      const trial = await rig.sandbox.control.seedSubscription({
        customerId,
        ...BUSINESS_STANDARD_TRIAL,
        quantity: 25,
      });
      const paid = await seed(BUSINESS_BASIC, 2, 'P1Y');
      const posts = await requests(POST_TRANSITION);
      const fewer = await workflowFailure(await change(taskQueue, trial.id, { action: 'convertTrial', quantity: 10 }));
      expect(fewer.type).toBe('ChangeRejected');
      expect(fewer.message).toMatch(/a trial converts at least its 25 seats \(asked 10\)/);
      const notTrial = await workflowFailure(await change(taskQueue, paid, { action: 'convertTrial' }));
      expect(notTrial.type).toBe('ChangeRejected');
      expect(notTrial.details).toEqual([expect.objectContaining({ code: 'NotATrial' })]);
      expect(await requests(POST_TRANSITION)).toBe(posts);
    });
  });
});

describe('suspend and reactivate', () => {
  it('suspends (still billed, scheduled changes dropped), refuses other changes meanwhile, and reactivates', async () => {
    await rig.withWorker(async ({ taskQueue }) => {
      const subscriptionId = await seed(BUSINESS_BASIC, 3, 'P1Y');
      await (await change(taskQueue, subscriptionId, { action: 'scheduleNextTerm', quantity: 5 })).result();
      const suspend = await change(taskQueue, subscriptionId, { action: 'suspend' });
      const suspended = await suspend.result();
      expect(suspended).toMatchObject({ completion: 'immediate', after: { status: 'suspended', quantity: 3 } });
      expect(suspended.after.scheduledNextTerm).toBeUndefined();
      await recordHistory('change-suspended', suspend);

      const again = await (await change(taskQueue, subscriptionId, { action: 'suspend' })).result();
      expect(again.completion).toBe('already-in-effect');
      const patches = await requests(PATCH_ROUTE);
      const resize = await workflowFailure(
        await change(taskQueue, subscriptionId, { action: 'setQuantity', quantity: 4 }),
      );
      expect(resize.type).toBe('ChangeRejected');
      expect(resize.message).toMatch(/is suspended; only active subscriptions can be changed/);
      expect(await requests(PATCH_ROUTE)).toBe(patches);

      const reactivate = await change(taskQueue, subscriptionId, { action: 'reactivate' });
      expect(await reactivate.result()).toMatchObject({
        completion: 'immediate',
        before: { status: 'suspended' },
        after: { status: 'active', quantity: 3 },
      });
      await recordHistory('change-reactivated', reactivate);
    });
  });

  // Last: moves the sandbox clock past every term and trial seeded so far.
  it('refuses a reactivation after the term ended, naming the date; a trial auto-converts at day 30', async () => {
    await rig.withWorker(async ({ taskQueue }) => {
      const monthly = await seed(BUSINESS_BASIC, 2, 'P1M');
      const trial = await rig.sandbox.control.seedSubscription({
        customerId,
        ...BUSINESS_STANDARD_TRIAL,
        quantity: 25,
      });
      const suspended = await (await change(taskQueue, monthly, { action: 'suspend' })).result();
      await rig.sandbox.control.advanceClock(32 * DAY_MS);

      const refused = await workflowFailure(await change(taskQueue, monthly, { action: 'reactivate' }));
      expect(refused.type).toBe('ChangeRejected');
      expect(refused.message).toContain(
        `its term ended on ${suspended.after.commitmentEndDate!.slice(0, 10)}; a suspended subscription can be reactivated only before its term ends`,
      );
      expect(refused.details).toEqual([expect.objectContaining({ code: 'TermEnded' })]);

      // Auto-renew was on: the trial became the paid offer (25 seats, one year, monthly) on its own.
      const converted = await workflowFailure(await change(taskQueue, trial.id, { action: 'convertTrial' }));
      expect(converted.details).toEqual([expect.objectContaining({ code: 'NotATrial' })]);
      const renamed = await (await change(taskQueue, trial.id, { action: 'rename', friendlyName: 'Paid' })).result();
      expect(renamed.before).toMatchObject({
        isTrial: false,
        quantity: 25,
        termDuration: 'P1Y',
        billingCycle: 'monthly',
        catalogItemId: standardP1Y,
      });
    });
  });
});
