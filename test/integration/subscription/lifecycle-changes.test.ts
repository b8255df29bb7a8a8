import { randomUUID } from 'node:crypto';
import { Context } from '@temporalio/activity';
import type { WorkflowHandle } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import type { SubscriptionActivities } from '../../../src/activities';
import type { WorkerSettings } from '../../../src/workflows/common/settings';
import { startSubscriptionChange } from '../../../src/client';
import {
  lifecycleStateQuery,
  lifecycleWorkflowId,
  subscriptionChangedSignal,
} from '../../../src/workflows/subscription/api';
import { startStubRig, stubActivities, type StubRig } from '../../support/stub-worker';
import { recordHistory } from '../purchase/harness';
import { purchasing, request, startOn } from '../purchase/workflow-stubs';
import {
  childStarts,
  customerId,
  DAY_MS,
  FakeSubscription,
  fast,
  signalsReceived,
  startLifecycle,
  stateWhen,
  subscription,
} from './lifecycle-stubs';

/**
 * subscriptionLifecycle after its review, against stubbed activities on the dev server: changes made by others (a
 * lost scheduled change), the end of a term (continue-as-new), the end of the subscription, a worker restart in the
 * middle of a review, and the purchases that start lifecycles.
 */

let rig: StubRig;
beforeAll(async () => {
  rig = await startStubRig();
});
afterAll(async () => {
  await rig?.close();
});

/** Partner Center's rule: an immediate change (here a seat increase) deletes every scheduled change. */
function withImmediateChanges(fake: FakeSubscription): Partial<SubscriptionActivities> {
  const stubs = fake.stubs();
  return {
    ...stubs,
    applySubscriptionChange: async (input) => {
      if (input.change.action !== 'setQuantity') return stubs.applySubscriptionChange(input);
      fake.update({ quantity: input.change.quantity, scheduledNextTerm: undefined });
      return { completion: 'immediate', subscription: { ...fake.view, readAt: new Date().toISOString() } };
    },
  };
}

describe('subscriptionLifecycle after the review', () => {
  it('applies a plan again when a changeSubscription run deleted its scheduled change', async () => {
    const id = randomUUID();
    const fake = new FakeSubscription(subscription(id, 3_000));
    const stubs = stubActivities(withImmediateChanges(fake));
    await rig.withWorker(stubs, async (taskQueue) => {
      const handle = await startLifecycle(rig, taskQueue, id, { review: 'apply' });
      await stateWhen(handle, (s) => s.plan?.status === 'applied');
      expect(fake.view.scheduledNextTerm?.quantity).toBe(6);

      const change = await startSubscriptionChange(
        rig.client,
        {
          requestId: `more-seats-${randomUUID()}`,
          customerId,
          subscriptionId: id,
          change: { action: 'setQuantity', quantity: 12 },
        },
        { taskQueue },
      );
      await change.result();
      expect(fake.view.scheduledNextTerm).toBeUndefined();

      const again = await stateWhen(handle, (s) => s.plan?.status === 'applied' && s.plan.attempts === 2);
      expect(again.subscription).toMatchObject({ quantity: 12, scheduledNextTerm: { quantity: 6 } });
      expect(await signalsReceived(handle)).toEqual(['subscriptionChanged']);
      expect((await childStarts(handle)).map((c) => c.workflowId)).toEqual([
        expect.stringMatching(new RegExp(`^change-lifecycle-${id}-\\d{4}-\\d\\d-\\d\\d-1$`)),
        expect.stringMatching(new RegExp(`^change-lifecycle-${id}-\\d{4}-\\d\\d-\\d\\d-2$`)),
      ]);
      await stateWhen(handle, () => fake.eventTypes().length === 3);
      expect(fake.eventTypes()).toEqual([
        'subscription.renewal-planned',
        'subscription.scheduled-change-lost',
        'subscription.renewal-planned',
      ]);
      expect(fake.lifecycleEvents()[1].data).toMatchObject({ sources: ['changeSubscription'] });
      await recordHistory('lifecycle-scheduled-change-lost', handle);
      await recordHistory('change-notifies-lifecycle', change);
      await handle.terminate('test done');
    });
  });

  it('a change of a subscription without a lifecycle completes as before (the notice finds nobody)', async () => {
    const id = randomUUID();
    const fake = new FakeSubscription(subscription(id, 60_000));
    await rig.withWorker(stubActivities(withImmediateChanges(fake)), async (taskQueue) => {
      const change = await startSubscriptionChange(
        rig.client,
        {
          requestId: `alone-${randomUUID()}`,
          customerId,
          subscriptionId: id,
          change: { action: 'setQuantity', quantity: 12 },
        },
        { taskQueue },
      );
      expect((await change.result()).completion).toBe('immediate');
      const { events } = await change.fetchHistory();
      const failedSignals = (events ?? []).filter((e) => e.signalExternalWorkflowExecutionFailedEventAttributes);
      expect(failedSignals).toHaveLength(1);
      await recordHistory('change-without-lifecycle', change);
    });
  });

  it("proposes a lost plan again with review 'propose'", async () => {
    const id = randomUUID();
    const fake = new FakeSubscription(subscription(id, 3_000));
    await rig.withWorker(stubActivities(fake.stubs()), async (taskQueue) => {
      const handle = await startLifecycle(rig, taskQueue, id);
      await stateWhen(handle, (s) => s.step === 'awaiting-renewal-approval');
      await handle.executeUpdate('approvePlan', { args: [{ by: 'ops' }] });
      await stateWhen(handle, (s) => s.plan?.status === 'applied');
      fake.update({ scheduledNextTerm: undefined });
      await handle.signal(subscriptionChangedSignal, { source: 'partner-center-event' });
      const lost = await stateWhen(handle, (s) => s.plan?.status === 'lost');
      expect(lost.step).toBe('awaiting-renewal-approval');
      await handle.executeUpdate('approvePlan', { args: [{ by: 'ops' }] });
      await stateWhen(handle, (s) => s.plan?.status === 'applied' && s.plan.attempts === 2);
      expect(fake.view.scheduledNextTerm?.quantity).toBe(6);
      await handle.terminate('test done');
    });
  });

  it('continues as new with the renewed subscription once the term ends', async () => {
    const id = randomUUID();
    // The term's last day began a day ago less 3 s: the review is due now, the next term starts in 3 s.
    const fake = new FakeSubscription(subscription(id, 3_000 - DAY_MS));
    await rig.withWorker(stubActivities(fake.stubs()), async (taskQueue) => {
      const handle = await startLifecycle(rig, taskQueue, id);
      const first = await stateWhen(handle, (s) => s.step === 'awaiting-renewal-approval');
      const firstRunId = (await handle.describe()).runId;
      const nextEnd = new Date(Date.parse(fake.view.commitmentEndDate ?? '') + 365 * DAY_MS).toISOString();
      fake.update({ commitmentEndDate: nextEnd });
      // The first run holds the renewed subscription for a moment before it continues as new: wait for the next run.
      const next = await stateWhen(
        handle,
        (s) => s.subscription?.commitmentEndDate === nextEnd && s.step === 'awaiting-review',
      );
      expect((await rig.client.workflow.getHandle(handle.workflowId, firstRunId).describe()).status.name).toBe(
        'CONTINUED_AS_NEW',
      );
      expect(next.reviews).toEqual(first.reviews);
      expect(next.plan).toBeUndefined();
      expect(next.nextReviewAt).toBe(new Date(Date.parse(nextEnd) - 2_000).toISOString());
      await recordHistory('lifecycle-term-rollover', rig.client.workflow.getHandle(handle.workflowId, firstRunId));
      await handle.terminate('test done');
    });
  });

  it('ends with its last state when the subscription is cancelled', async () => {
    const id = randomUUID();
    const fake = new FakeSubscription(subscription(id, 60_000));
    await rig.withWorker(stubActivities(fake.stubs()), async (taskQueue) => {
      const handle = await startLifecycle(rig, taskQueue, id);
      await stateWhen(handle, (s) => s.step === 'awaiting-review');
      fake.update({ status: 'deleted' });
      await handle.signal(subscriptionChangedSignal, { source: 'test' });
      const last = await handle.result();
      expect(last).toMatchObject({ step: 'ended', subscription: { id, status: 'deleted' } });
      expect(last.nextReviewAt).toBeUndefined();
      await recordHistory('lifecycle-ended', handle);
    });
  });

  it('applies one plan once when the worker stops in the middle of the review', async () => {
    const id = randomUUID();
    const fake = new FakeSubscription(subscription(id, 3_000));
    const stuck = stubActivities({
      ...fake.stubs(),
      // Never answers: the worker stops in the middle of it (its shutdown cancels it).
      readTenantLicences: () => Context.current().cancelled,
    });
    const { taskQueue, workflowId } = await rig.withWorker(stuck, async (queue) => {
      const handle = await startLifecycle(rig, queue, id, { review: 'apply' });
      await stateWhen(handle, (s) => s.step === 'reviewing');
      return { taskQueue: queue, workflowId: handle.workflowId };
    });
    const stubs = stubActivities(fake.stubs());
    await rig.withWorker(
      stubs,
      async () => {
        const handle = rig.client.workflow.getHandle(workflowId);
        // The stopped worker's attempt ends with its failure report or, when that report is lost in the shutdown, at
        // the 20 s heartbeat timeout; the retry comes after either.
        await stateWhen(handle, (s) => s.plan?.status === 'applied', 45_000);
        expect(await childStarts(handle)).toHaveLength(1);
        expect(stubs.applySubscriptionChange).toHaveBeenCalledTimes(1);
        expect(fake.view.scheduledNextTerm?.quantity).toBe(6);
        await recordHistory('lifecycle-worker-restarted-in-review', handle);
        await handle.terminate('test done');
      },
      taskQueue,
    );
  }, 90_000);
});

/**
 * Purchase stubs whose subscriptions get the ids `ids` in order (the stubs name them sub-<cart>-<line>; Partner
 * Center's are GUIDs), and whose lifecycles read a subscription 300 days from its end.
 */
function buyingSubscriptions(settings: WorkerSettings, ids: string[]) {
  const bought = purchasing(settings);
  const guids = new Map<string, string>();
  const guid = (stubId: string) => guids.get(stubId) ?? guids.set(stubId, ids[guids.size]).get(stubId)!;
  const stubOf = (id: string) => [...guids].find(([, g]) => g === id)?.[0] ?? id;
  const lifecycleReads = new FakeSubscription(subscription(randomUUID(), 300 * DAY_MS)).stubs(settings);
  return stubActivities({
    ...bought,
    awaitOrderCompletion: async (input) => {
      const order = await bought.awaitOrderCompletion(input);
      const lineItems = order.lineItems.map((l) => ({
        ...l,
        subscriptionId: l.subscriptionId && guid(l.subscriptionId),
      }));
      return { ...order, lineItems };
    },
    provisionSubscription: async (input) => ({
      ...(await bought.provisionSubscription({ ...input, subscriptionId: stubOf(input.subscriptionId) })),
      id: input.subscriptionId,
    }),
    readSubscriptionForLifecycle: async (ref) => {
      const read = await lifecycleReads.readSubscriptionForLifecycle(ref);
      return { ...read, subscription: { ...read.subscription!, id: ref.subscriptionId } };
    },
  });
}

/** The events of the run's history. */
async function eventsOf(handle: WorkflowHandle): Promise<temporal.api.history.v1.IHistoryEvent[]> {
  return (await handle.fetchHistory()).events ?? [];
}

/** How many runs the server holds for `workflowId` (each start of it is one). */
async function runsOf(workflowId: string): Promise<number> {
  return (await rig.client.workflow.count(`WorkflowId = '${workflowId}'`)).count;
}

describe('purchases start lifecycles', () => {
  const { webhooks: _off, ...quiet } = fast;

  it('starts one abandoned lifecycle per subscription bought, and waits only for its start', async () => {
    const ids = [randomUUID(), randomUUID()];
    await rig.withWorker(buyingSubscriptions(quiet, ids), async (taskQueue) => {
      const handle = await startOn(rig, taskQueue, request());
      const result = await handle.result();
      expect(result.status).toBe('completed');
      expect(result.subscriptions.map((s) => s.id)).toEqual(ids);
      const starts = await childStarts(handle);
      expect(starts).toEqual(
        ids.map((id) => ({ workflowId: lifecycleWorkflowId(id), input: { customerId, subscriptionId: id } })),
      );
      const events = await eventsOf(handle);
      const policies = events.flatMap(
        (e) => e.startChildWorkflowExecutionInitiatedEventAttributes?.parentClosePolicy ?? [],
      );
      expect(policies).toEqual([2, 2]); // PARENT_CLOSE_POLICY_ABANDON
      // It waits for each start: Temporal (1.29.1) drops the start of an abandoned child whose parent has closed.
      const started = events.flatMap((e) => e.childWorkflowExecutionStartedEventAttributes?.workflowExecution ?? []);
      expect(started.map((execution) => execution.workflowId).sort()).toEqual(ids.map(lifecycleWorkflowId).sort());
      for (const id of ids) {
        const lifecycle = rig.client.workflow.getHandle(lifecycleWorkflowId(id));
        const state = await stateWhen(lifecycle, (s) => s.step === 'awaiting-review');
        expect(state).toMatchObject({ customerId, subscriptionId: id });
        expect((await lifecycle.describe()).status.name).toBe('RUNNING');
        expect(await lifecycle.query(lifecycleStateQuery)).toMatchObject({ step: 'awaiting-review' });
        const [first] = await eventsOf(lifecycle);
        expect(first.workflowExecutionStartedEventAttributes?.parentWorkflowExecution?.workflowId).toBe(
          handle.workflowId,
        );
        expect(await runsOf(lifecycleWorkflowId(id))).toBe(1);
        await lifecycle.terminate('test done');
      }
      await recordHistory('purchase-starts-lifecycles', handle);
    });
  });

  it('leaves a lifecycle already running as it is, and completes', async () => {
    const ids = [randomUUID(), randomUUID()];
    await rig.withWorker(buyingSubscriptions(quiet, ids), async (taskQueue) => {
      const running = await startLifecycle(rig, taskQueue, ids[0]);
      await stateWhen(running, (s) => s.step === 'awaiting-review');
      const handle = await startOn(rig, taskQueue, request());
      expect((await handle.result()).status).toBe('completed');
      const events = await eventsOf(handle);
      expect(events.filter((e) => e.workflowTaskFailedEventAttributes)).toEqual([]);
      const refused = events.flatMap((e) => e.startChildWorkflowExecutionFailedEventAttributes ?? []);
      expect(refused.map((failed) => failed.workflowId)).toEqual([lifecycleWorkflowId(ids[0])]);
      expect((await running.describe()).status.name).toBe('RUNNING');
      for (const id of ids) expect(await runsOf(lifecycleWorkflowId(id))).toBe(1);
      const second = rig.client.workflow.getHandle(lifecycleWorkflowId(ids[1]));
      await stateWhen(second, (s) => s.step === 'awaiting-review');
      for (const lifecycle of [running, second]) await lifecycle.terminate('test done');
    });
  });
});
