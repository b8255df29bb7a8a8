import { randomBytes, randomUUID } from 'node:crypto';
import {
  signalSubscriptionChanged,
  startSubscriptionChange,
  startSubscriptionLifecycle,
  type RenewalPolicy,
} from '../../../src/client';
import { lifecycleStateQuery, lifecycleWorkflowId } from '../../../src/workflows/subscription/api';
import { recordHistory } from '../purchase/harness';
import { startReceiver, type Receiver } from '../webhooks/receiver';
import { childStarts } from './lifecycle-stubs';
import {
  BUSINESS_BASIC,
  DAY_MS,
  seedRenewingSubscription,
  startLifecycleSandbox,
  type LifecycleSandbox,
} from './lifecycle-sandbox-rig';

/**
 * Issue 24's renewals end to end: real activities in a real worker, the sandbox over HTTP as Partner Center and the
 * customer's tenant, events to a verifying receiver. Review 'apply' schedules the next term in Partner Center; an
 * immediate change (a changeSubscription run, or one made in Partner Center and reported by a signal) deletes it and
 * the lifecycle schedules it again, once each time; auto-renew off plans nothing and sends `subscription.expiring`;
 * and after the term ends the lifecycle continues as new with the renewed subscription.
 *
 * The sandbox clock starts two days behind the wall clock (the lifecycle's): a subscription seeded now can have a term
 * that ended before the lifecycle's now and that the sandbox renews only once its clock is advanced.
 */

const CLOCK_LAG_MS = 2 * DAY_MS;
const secret = `whsec_${randomBytes(32).toString('base64')}`;

let sandbox: LifecycleSandbox;
let receiver: Receiver;
beforeAll(async () => {
  [sandbox, receiver] = await Promise.all([
    startLifecycleSandbox({ clockOffsetMs: -CLOCK_LAG_MS }),
    startReceiver(secret),
  ]);
});
afterAll(async () => {
  await Promise.allSettled([sandbox?.close(), receiver?.close()]);
});

/** Runs `body` with a real worker that sends events to the receiver. */
function withWorker<T>(body: (taskQueue: string) => Promise<T>): Promise<T> {
  const webhooks = { url: receiver.url, secret, deadlineMs: 60_000, allowedOrigins: [] };
  return sandbox.rig.withWorker(({ taskQueue }) => body(taskQueue), { webhooks, orderPollMaxIntervalMs: 1_000 });
}

function adopt(taskQueue: string, customerId: string, subscriptionId: string, policy: RenewalPolicy) {
  return startSubscriptionLifecycle(sandbox.rig.client, { customerId, subscriptionId, policy }, { taskQueue });
}

/** Events of the lifecycle of `subscriptionId`, of `type`, as the receiver kept them. */
function eventsOf(subscriptionId: string, type: string) {
  return receiver.unique().filter((e) => e.type === type && e.data.subscriptionId === subscriptionId);
}

describe('subscription renewals against the sandbox', () => {
  it("schedules the plan with review 'apply', and schedules it again, once, each time an immediate change deletes it", async () => {
    const customerId = sandbox.customerIds[1]!;
    const { pc, stateWhen } = sandbox;
    await withWorker(async (taskQueue) => {
      const { id, leadTime } = await seedRenewingSubscription(sandbox.rig.sandbox, customerId, {
        quantity: 10,
        assigned: 4,
        reviewInMs: 3_000,
      });
      const handle = await adopt(taskQueue, customerId, id, { review: 'apply', leadTime });
      const applied = await stateWhen(id, (s) => s.plan?.status === 'applied');
      expect(applied.plan).toMatchObject({ quantity: 4, currentQuantity: 10, assigned: 4, attempts: 1 });
      expect(applied.reviews.at(-1)).toMatchObject({ outcome: 'plan-applied', plannedQuantity: 4 });
      let inPartnerCenter = await pc.getSubscription(customerId, id);
      expect(inPartnerCenter).toMatchObject({ quantity: 10, scheduledNextTermInstructions: { quantity: 4 } });
      await receiver.waitFor((e) => e.type === 'subscription.renewal-planned' && e.data.subscriptionId === id);

      // An immediate change by a changeSubscription run: Partner Center deletes the scheduled change; the run's notice
      // makes the lifecycle re-read and schedule it again.
      const change = await startSubscriptionChange(
        sandbox.rig.client,
        {
          requestId: `seats-${randomUUID()}`,
          customerId,
          subscriptionId: id,
          change: { action: 'setQuantity', quantity: 12 },
        },
        { taskQueue },
      );
      await change.result();
      const again = await stateWhen(id, (s) => s.plan?.status === 'applied' && s.plan.attempts === 2);
      expect(again.subscription).toMatchObject({ quantity: 12, scheduledNextTerm: { quantity: 4 } });
      inPartnerCenter = await pc.getSubscription(customerId, id);
      expect(inPartnerCenter).toMatchObject({ quantity: 12, scheduledNextTermInstructions: { quantity: 4 } });

      // An immediate change made in Partner Center itself, reported to the lifecycle by a signal (as its event does).
      await pc.updateSubscription(customerId, { ...inPartnerCenter, quantity: 13 });
      expect((await pc.getSubscription(customerId, id)).scheduledNextTermInstructions).toBeUndefined();
      await signalSubscriptionChanged(sandbox.rig.client, id, 'partner-center-event');
      const third = await stateWhen(id, (s) => s.plan?.status === 'applied' && s.plan.attempts === 3);
      expect(third.subscription).toMatchObject({ quantity: 13, scheduledNextTerm: { quantity: 4 } });

      // Once each: a change the lifecycle made itself is no loss, and nothing is scheduled a fourth time.
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      const settled = await handle.query(lifecycleStateQuery);
      expect(settled).toMatchObject({ plan: { status: 'applied', attempts: 3 } });
      expect((await childStarts(handle)).map((c) => c.workflowId)).toEqual(
        [1, 2, 3].map((n) => expect.stringMatching(new RegExp(`^change-lifecycle-${id}-\\d{4}-\\d\\d-\\d\\d-${n}$`))),
      );
      await receiver.waitFor(
        (e) =>
          e.type === 'subscription.scheduled-change-lost' &&
          e.data.subscriptionId === id &&
          (e.data.sources as string[])[0] === 'partner-center-event',
      );
      expect(eventsOf(id, 'subscription.scheduled-change-lost').map((e) => e.data.sources)).toEqual([
        ['changeSubscription'],
        ['partner-center-event'],
      ]);
      await recordHistory('lifecycle-sandbox-apply-lost-twice', handle);
      await handle.terminate('test done');
    });
  });

  it('with auto-renew off plans nothing and sends subscription.expiring at the lead time', async () => {
    const customerId = sandbox.customerIds[2]!;
    const { pc, stateWhen } = sandbox;
    await withWorker(async (taskQueue) => {
      const { id, leadTime, lastDay } = await seedRenewingSubscription(sandbox.rig.sandbox, customerId, {
        quantity: 10,
        assigned: 4,
        reviewInMs: 3_000,
      });
      await pc.updateSubscription(customerId, {
        ...(await pc.getSubscription(customerId, id)),
        autoRenewEnabled: false,
      });
      const handle = await adopt(taskQueue, customerId, id, { review: 'apply', leadTime });
      const reviewed = await stateWhen(id, (s) => s.reviews.length > 0);
      expect(reviewed.reviews).toEqual([expect.objectContaining({ outcome: 'expiring', currentQuantity: 10 })]);
      expect(reviewed.plan).toBeUndefined();
      expect(reviewed.usage).toBeUndefined(); // the licences are not even read
      const expiring = await receiver.waitFor(
        (e) => e.type === 'subscription.expiring' && e.data.subscriptionId === id,
      );
      expect(expiring.data).toMatchObject({
        expiresAt: new Date(Date.parse(lastDay) + DAY_MS).toISOString(),
        quantity: 10,
      });
      expect((await pc.getSubscription(customerId, id)).scheduledNextTermInstructions).toBeUndefined();
      expect(await childStarts(handle)).toEqual([]);
      await handle.terminate('test done');
    });
  });

  it('continues as new with the renewed subscription once the term has ended and Partner Center renewed it', async () => {
    const customerId = sandbox.customerIds[0]!;
    const { rig, pc, stateWhen } = sandbox;
    await withWorker(async (taskQueue) => {
      const { id } = await rig.sandbox.control.seedSubscription({
        customerId,
        ...BUSINESS_BASIC,
        termDuration: 'P1Y',
        quantity: 10,
      });
      // Its last day was yesterday (the lifecycle's clock): the term has ended, the lagging sandbox has not renewed it.
      const yesterday = new Date(Date.now() - DAY_MS).toISOString().slice(0, 10);
      await rig.sandbox.control.setTermEnd(id, yesterday);
      const handle = await adopt(taskQueue, customerId, id, { review: 'off' });
      const renewing = await stateWhen(id, (s) => s.step === 'renewing');
      expect(renewing.renewsAt).toBe(new Date(Date.parse(yesterday) + DAY_MS).toISOString());
      const firstRunId = (await handle.describe()).runId;

      await rig.sandbox.control.advanceClock(CLOCK_LAG_MS);
      const renewed = await pc.getSubscription(customerId, id);
      expect(Date.parse(renewed.commitmentEndDate ?? '')).toBeGreaterThan(Date.now() + 300 * DAY_MS);
      // The first run holds the renewed subscription for a moment (still 'renewing') before it continues as new.
      const next = await stateWhen(
        id,
        (s) => s.subscription?.commitmentEndDate === renewed.commitmentEndDate && s.step !== 'renewing',
      );
      expect(next).toMatchObject({ step: 'awaiting-renewal', subscription: { id, quantity: 10, status: 'active' } });
      const first = rig.client.workflow.getHandle(lifecycleWorkflowId(id), firstRunId);
      expect((await first.describe()).status.name).toBe('CONTINUED_AS_NEW');
      const latest = rig.client.workflow.getHandle(lifecycleWorkflowId(id));
      expect((await latest.describe()).runId).not.toBe(firstRunId);
      await latest.terminate('test done');
    });
  });
});
