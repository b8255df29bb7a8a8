import { randomUUID } from 'node:crypto';
import { WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { PcRenewalDate, PcStep, PcUnusedSeats } from '../../../src/workflows/common/search-attributes';
import {
  approvePlanUpdate,
  lifecycleStateQuery,
  rejectPlanUpdate,
  setPolicyUpdate,
  type RenewalPolicy,
} from '../../../src/workflows/subscription/api';
import { searchAttributeHistory, startStubRig, stubActivities, type StubRig } from '../../support/stub-worker';
import { recordHistory } from '../purchase/harness';
import {
  childStarts,
  currentDetails,
  customerId,
  DAY_MS,
  FakeSubscription,
  signalsReceived,
  startLifecycle,
  stateWhen,
  subscription,
} from './lifecycle-stubs';

/**
 * subscriptionLifecycle's review against stubbed activities on the dev server: the review 2 s before the term's last
 * day, the plan proposed or applied through a child changeSubscription run, and the updates that refuse bad input.
 */

let rig: StubRig;
beforeAll(async () => {
  rig = await startStubRig();
});
afterAll(async () => {
  await rig?.close();
});

/** Why an update was refused: the failure's type and message. */
async function refusal(promise: Promise<unknown>): Promise<{ type?: string | null; message: string }> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
  const cause = (err as WorkflowUpdateFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  return { type: (cause as ApplicationFailure).type, message: (cause as ApplicationFailure).message };
}

describe('subscriptionLifecycle reviews a renewal', () => {
  it('proposes a plan at the lead time, and on approval schedules it as the next term by a child change', async () => {
    const id = randomUUID();
    // The review is due 4 s after the start (term end less the 2 s lead time): time for a loaded machine's first read,
    // so the run is seen waiting for it ('awaiting-review').
    const fake = new FakeSubscription(subscription(id, 6_000));
    const stubs = stubActivities(fake.stubs());
    await rig.withWorker(stubs, async (taskQueue) => {
      const handle = await startLifecycle(rig, taskQueue, id);
      const waiting = await stateWhen(handle, (s) => s.step === 'awaiting-renewal-approval');
      expect(waiting.plan).toMatchObject({ quantity: 6, currentQuantity: 10, assigned: 6, status: 'proposed' });
      expect(waiting.usage).toMatchObject({ skuId: 'sku-basic', assigned: 6, total: 10 });
      expect(waiting.reviews).toEqual([expect.objectContaining({ outcome: 'plan-proposed', plannedQuantity: 6 })]);
      const renews = new Date(Date.parse(fake.view.commitmentEndDate ?? '') + 86_400_000).toISOString().slice(0, 10);
      expect(await currentDetails(handle)).toContain(
        `renews ${renews} · 10 seats, 6 assigned · plan: 6 next term, awaiting approval`,
      );
      // Nothing scheduled before approval.
      expect(stubs.applySubscriptionChange).not.toHaveBeenCalled();

      const approved = await handle.executeUpdate(approvePlanUpdate, { args: [{ by: 'ops@example.com' }] });
      expect(approved.plan).toMatchObject({ status: 'approved', decidedBy: 'ops@example.com' });
      const applied = await stateWhen(handle, (s) => s.plan?.status === 'applied');
      expect(applied.step).toBe('awaiting-renewal');
      expect(applied.subscription?.scheduledNextTerm?.quantity).toBe(6);
      expect(await childStarts(handle)).toEqual([
        {
          workflowId: `change-lifecycle-${id}-${renews}-1`,
          input: {
            requestId: `lifecycle-${id}-${renews}-1`,
            customerId,
            subscriptionId: id,
            change: { action: 'scheduleNextTerm', quantity: 6 },
          },
        },
      ]);
      await stateWhen(handle, () => fake.eventTypes().length === 2);
      expect(fake.lifecycleEvents().map((e) => [e.type, e.id])).toEqual([
        ['subscription.renewal-review', `subscription-${id}/subscription.renewal-review/${renews}`],
        ['subscription.renewal-planned', `subscription-${id}/subscription.renewal-planned/${renews}-1`],
      ]);
      // Its own change does not come back as a subscriptionChanged signal.
      expect(await signalsReceived(handle)).toEqual([]);
      expect(await searchAttributeHistory(handle, PcStep.name)).toEqual([
        'reading',
        'awaiting-review',
        'reviewing',
        'awaiting-renewal-approval',
        'applying',
        'awaiting-renewal',
      ]);
      expect(await searchAttributeHistory(handle, PcUnusedSeats.name)).toEqual([4]);
      expect(await searchAttributeHistory(handle, PcRenewalDate.name)).toEqual([
        `${renews}T${fake.view.commitmentEndDate?.slice(11)}`,
      ]);
      await recordHistory('lifecycle-plan-approved', handle);
      await handle.terminate('test done');
    });
  });

  it("applies the plan without waiting with review 'apply'", async () => {
    const id = randomUUID();
    const fake = new FakeSubscription(subscription(id, 3_000));
    fake.assigned = 3;
    const stubs = stubActivities(fake.stubs());
    await rig.withWorker(stubs, async (taskQueue) => {
      const handle = await startLifecycle(rig, taskQueue, id, { review: 'apply', headroom: 1 });
      const applied = await stateWhen(handle, (s) => s.plan?.status === 'applied');
      expect(applied.plan).toMatchObject({ quantity: 4, reason: '3 assigned + 1 headroom', attempts: 1 });
      expect(applied.reviews).toEqual([expect.objectContaining({ outcome: 'plan-applied', plannedQuantity: 4 })]);
      expect(fake.view.scheduledNextTerm?.quantity).toBe(4);
      expect(stubs.applySubscriptionChange).toHaveBeenCalledTimes(1);
      await stateWhen(handle, () => fake.eventTypes().length === 1);
      expect(fake.eventTypes()).toEqual(['subscription.renewal-planned']);
      await recordHistory('lifecycle-plan-applied', handle);
      await handle.terminate('test done');
    });
  });

  it('keeps the seats when the plan is rejected', async () => {
    const id = randomUUID();
    const fake = new FakeSubscription(subscription(id, 3_000));
    const stubs = stubActivities(fake.stubs());
    await rig.withWorker(stubs, async (taskQueue) => {
      const handle = await startLifecycle(rig, taskQueue, id);
      await stateWhen(handle, (s) => s.step === 'awaiting-renewal-approval');
      const rejected = await handle.executeUpdate(rejectPlanUpdate, {
        args: [{ by: 'ops@example.com', reason: 'hiring in March' }],
      });
      expect(rejected.plan).toMatchObject({ status: 'rejected', rejectionReason: 'hiring in March' });
      expect(rejected.step).toBe('awaiting-renewal');
      const after = await stateWhen(handle, (s) => s.step === 'awaiting-renewal');
      expect(after.plan?.status).toBe('rejected');
      expect(await childStarts(handle)).toEqual([]);
      expect(stubs.applySubscriptionChange).not.toHaveBeenCalled();
      await recordHistory('lifecycle-plan-rejected', handle);
      await handle.terminate('test done');
    });
  });

  it('records a review that finds nothing to cut, and says so', async () => {
    const id = randomUUID();
    const fake = new FakeSubscription(subscription(id, 3_000));
    fake.assigned = 10;
    await rig.withWorker(stubActivities(fake.stubs()), async (taskQueue) => {
      const handle = await startLifecycle(rig, taskQueue, id);
      const state = await stateWhen(handle, (s) => s.reviews.length === 1 && s.step === 'awaiting-renewal');
      expect(state.plan).toBeUndefined();
      expect(state.reviews[0]).toMatchObject({ outcome: 'nothing-to-cut', assigned: 10, currentQuantity: 10 });
      expect(await currentDetails(handle)).toContain('10 seats, 10 assigned · reviewed: nothing to cut');
      expect(fake.lifecycleEvents()).toEqual([]);
      await handle.terminate('test done');
    });
  });

  it('with auto-renew off sends subscription.expiring and plans nothing', async () => {
    const id = randomUUID();
    const fake = new FakeSubscription(subscription(id, 3_000, { autoRenewEnabled: false }));
    const stubs = stubActivities(fake.stubs());
    await rig.withWorker(stubs, async (taskQueue) => {
      const handle = await startLifecycle(rig, taskQueue, id);
      const state = await stateWhen(handle, (s) => s.reviews.length === 1);
      expect(state.reviews[0]).toMatchObject({ outcome: 'expiring' });
      expect(state.plan).toBeUndefined();
      expect(stubs.readTenantLicences).not.toHaveBeenCalled();
      await stateWhen(handle, () => fake.eventTypes().length === 1);
      expect(fake.lifecycleEvents()[0]).toMatchObject({
        type: 'subscription.expiring',
        data: expect.objectContaining({ customerId, subscriptionId: id, quantity: 10 }),
      });
      await recordHistory('lifecycle-expiring', handle);
      await handle.terminate('test done');
    });
  });

  it('retries a licence read Graph forbids, saying why, and never plans from missing data', async () => {
    const id = randomUUID();
    const fake = new FakeSubscription(subscription(id, 3_000));
    fake.usageFailure = '403 Forbidden: the partner has no GDAP role in this tenant';
    const stubs = stubActivities(fake.stubs());
    await rig.withWorker(stubs, async (taskQueue) => {
      const handle = await startLifecycle(rig, taskQueue, id);
      const failing = await stateWhen(handle, (s) => s.lastError !== undefined);
      expect(failing.lastError).toBe('usage unavailable: 403 Forbidden: the partner has no GDAP role in this tenant');
      expect(failing.step).toBe('reviewing');
      expect(failing.plan).toBeUndefined();
      fake.usageFailure = undefined;
      const planned = await stateWhen(handle, (s) => s.plan !== undefined);
      expect(planned.lastError).toBeUndefined();
      expect(planned.plan?.quantity).toBe(6);
      expect(stubs.readTenantLicences.mock.calls.length).toBeGreaterThanOrEqual(3);
      await handle.terminate('test done');
    });
  });

  it('refuses bad updates naming the field, and changes nothing', async () => {
    const id = randomUUID();
    const fake = new FakeSubscription(subscription(id, 60_000));
    await rig.withWorker(stubActivities(fake.stubs()), async (taskQueue) => {
      const handle = await startLifecycle(rig, taskQueue, id, { minSeats: 2 });
      const before = await stateWhen(handle, (s) => s.step === 'awaiting-review');
      const update = (policy: unknown) =>
        refusal(handle.executeUpdate(setPolicyUpdate, { args: [policy as RenewalPolicy] }));
      expect(await update({ minSeat: 3 })).toEqual({
        type: 'InvalidRenewalPolicy',
        message: 'Invalid renewal policy: minSeat is not a known field',
      });
      expect((await update({ minSeats: -1 })).message).toMatch(/^Invalid renewal policy: minSeats must be at least 0/);
      expect((await update({ leadTime: 'P400D' })).message).toMatch(
        /leadTime must not be longer than the subscription's term P1Y/,
      );
      expect(await refusal(handle.executeUpdate(approvePlanUpdate, { args: [{ by: 'ops' }] }))).toEqual({
        type: 'NoPlanWaiting',
        message: 'plan: no plan awaits approval (there is none)',
      });
      const after = await handle.query(lifecycleStateQuery);
      expect(after.policy).toEqual(before.policy);
      expect(after.policy.minSeats).toBe(2);
      // A valid policy is taken, with its defaults.
      const changed = await handle.executeUpdate(setPolicyUpdate, { args: [{ review: 'apply', leadTime: 'P1D' }] });
      expect(changed.policy).toEqual({ review: 'apply', leadTime: 'P1D', headroom: 0, includeMonthly: false });
      await recordHistory('lifecycle-updates-refused', handle);
      await handle.terminate('test done');
    });
  });

  it.each([
    ['P1M', 'P29D', 'P28D'],
    ['P1Y', 'P366D', 'P365D'],
    ['P3Y', 'P1096D', 'P1095D'],
  ])(
    'on a %s term refuses a lead time of %s at start and in setPolicy, naming leadTime, and changes nothing',
    async (termDuration, tooLong, longest) => {
      const message = `Invalid renewal policy: leadTime must not be longer than the subscription's term ${termDuration} (got ${tooLong})`;
      const view = (id: string) => subscription(id, 20 * DAY_MS, { termDuration });
      // At start: the run reads the subscription, refuses, and ends before any review.
      const started = new FakeSubscription(view(randomUUID()));
      const startStubs = stubActivities(started.stubs());
      await rig.withWorker(startStubs, async (taskQueue) => {
        const handle = await startLifecycle(rig, taskQueue, started.view.id, { review: 'apply', leadTime: tooLong });
        const err = await handle.result().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(WorkflowFailedError);
        const cause = (err as WorkflowFailedError).cause as ApplicationFailure;
        expect(cause).toMatchObject({ type: 'InvalidRenewalPolicy', message, nonRetryable: true });
        expect(cause.details).toEqual([[{ field: 'leadTime', problem: expect.stringContaining(tooLong) }]]);
        expect(startStubs.readTenantLicences).not.toHaveBeenCalled();
        expect(await childStarts(handle)).toEqual([]);
        if (termDuration === 'P1M') await recordHistory('lifecycle-start-lead-time-refused', handle);
      });
      // In setPolicy: refused, the policy as it was; the longest lead time the term allows is taken.
      const running = new FakeSubscription(view(randomUUID()));
      await rig.withWorker(stubActivities(running.stubs()), async (taskQueue) => {
        const handle = await startLifecycle(rig, taskQueue, running.view.id, { leadTime: 'P1D' });
        await stateWhen(handle, (s) => s.subscription !== undefined);
        const refused = await refusal(
          handle.executeUpdate(setPolicyUpdate, { args: [{ review: 'apply', leadTime: tooLong }] }),
        );
        expect(refused).toEqual({ type: 'InvalidRenewalPolicy', message });
        expect((await handle.query(lifecycleStateQuery)).policy).toMatchObject({ review: 'propose', leadTime: 'P1D' });
        const taken = await handle.executeUpdate(setPolicyUpdate, { args: [{ leadTime: longest }] });
        expect(taken.policy.leadTime).toBe(longest);
        await handle.terminate('test done');
      });
    },
  );
});
