import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import {
  partnerCenterEventWorkflowId,
  startPartnerCenterEvent,
  type PartnerCenterEvent,
  type PartnerCenterEventResult,
} from '../../../src/client';
import { lifecycleWorkflowId } from '../../../src/workflows/subscription/api';
import { startStubRig, stubActivities, type StubRig } from '../../support/stub-worker';
import { recordHistory } from '../purchase/harness';
import {
  childStarts,
  customerId,
  DAY_MS,
  FakeSubscription,
  signalsReceived,
  startLifecycle,
  stateWhen,
  subscription,
} from '../subscription/lifecycle-stubs';

/**
 * partnerCenterEvent on the dev server with stubbed activities: each route of an event (a subscription's lifecycle
 * started or told, an invoice's reconciliation started once, test, onboarding and unknown events recorded) and the
 * same event twice doing the work once. Each path's history is recorded for the replay test.
 */

let rig: StubRig;
beforeAll(async () => {
  rig = await startStubRig();
});
afterAll(async () => {
  await rig?.close();
});

function event(EventName: string, ResourceUri: string): PartnerCenterEvent {
  return {
    EventName,
    ResourceUri,
    ResourceName: EventName.split('-')[0] ?? '',
    AuditUri: '',
    ResourceChangeUtcDate: new Date().toISOString(),
  };
}

const subscriptionUri = (id: string) =>
  `https://api.partnercenter.microsoft.com/v1/customers/${customerId}/subscriptions/${id}`;

async function handled(taskQueue: string, pcEvent: PartnerCenterEvent, fixture?: string) {
  const handle = await startPartnerCenterEvent(rig.client, pcEvent, { taskQueue });
  const result: PartnerCenterEventResult = await handle.result();
  if (fixture !== undefined) await recordHistory(fixture, handle);
  return { handle, result };
}

describe('partnerCenterEvent', () => {
  it('adopts an unknown subscription, then tells its lifecycle of the next change', async () => {
    const id = randomUUID();
    const fake = new FakeSubscription(subscription(id, 30 * DAY_MS));
    const stubs = stubActivities(fake.stubs());
    await rig.withWorker(stubs, async (taskQueue) => {
      const first = await handled(
        taskQueue,
        event('subscription-updated', subscriptionUri(id)),
        'event-lifecycle-started',
      );
      expect(first.result).toEqual({
        eventName: 'subscription-updated',
        outcome: 'lifecycle-started',
        detail: `no lifecycle knew subscription ${id}`,
        workflowId: lifecycleWorkflowId(id),
      });
      expect(await childStarts(first.handle)).toEqual([
        { workflowId: lifecycleWorkflowId(id), input: { customerId, subscriptionId: id } },
      ]);
      const lifecycle = rig.client.workflow.getHandle(lifecycleWorkflowId(id));
      await stateWhen(lifecycle, (s) => s.step === 'awaiting-review');
      const reads = stubs.readSubscriptionForLifecycle.mock.calls.length;

      const second = await handled(
        taskQueue,
        event('subscription-updated', subscriptionUri(id)),
        'event-lifecycle-signalled',
      );
      expect(second.result).toMatchObject({ outcome: 'lifecycle-signalled', workflowId: lifecycleWorkflowId(id) });
      expect(await signalsReceived(lifecycle)).toEqual(['subscriptionChanged']);
      // The lifecycle re-reads the subscription Partner Center said changed.
      await stateWhen(lifecycle, () => stubs.readSubscriptionForLifecycle.mock.calls.length > reads);
      await lifecycle.terminate('test over');
    });
  });

  it('does the work of the same event once, however often it is delivered', async () => {
    const id = randomUUID();
    const fake = new FakeSubscription(subscription(id, 30 * DAY_MS));
    await rig.withWorker(stubActivities(fake.stubs()), async (taskQueue) => {
      const lifecycle = await startLifecycle(rig, taskQueue, id);
      const repeated = event('subscription-updated', subscriptionUri(id));
      const first = await startPartnerCenterEvent(rig.client, repeated, { taskQueue });
      await first.result();
      const again = await startPartnerCenterEvent(rig.client, { ...repeated }, { taskQueue });
      expect([first.newlyStarted, again.newlyStarted]).toEqual([true, false]);
      expect(again.workflowId).toBe(first.workflowId);
      expect(first.workflowId).toBe(partnerCenterEventWorkflowId(repeated));
      expect(await signalsReceived(lifecycle)).toEqual(['subscriptionChanged']);
      await lifecycle.terminate('test over');
    });
  });

  it('says so when the subscription’s lifecycle has ended, without starting another', async () => {
    const id = randomUUID();
    const fake = new FakeSubscription(subscription(id, 30 * DAY_MS));
    await rig.withWorker(stubActivities(fake.stubs()), async (taskQueue) => {
      const lifecycle = await startLifecycle(rig, taskQueue, id);
      await lifecycle.terminate('subscription gone');
      const { result } = await handled(
        taskQueue,
        event('subscription-updated', subscriptionUri(id)),
        'event-lifecycle-ended',
      );
      expect(result).toMatchObject({ outcome: 'lifecycle-ended', workflowId: lifecycleWorkflowId(id) });
      const { status } = await lifecycle.describe();
      expect(status.name).toBe('TERMINATED');
    });
  });

  it('starts one billed reconciliation per invoice', async () => {
    const invoiceId = `D0${Date.now()}`;
    // The reconciliation itself is not this test's: its export fails at once, quietly.
    const noExport = stubActivities({
      requestBillingExport: async () => {
        throw ApplicationFailure.nonRetryable('no export in this test', 'ReconciliationFailed');
      },
    });
    await rig.withWorker(noExport, async (taskQueue) => {
      const uri = `https://api.partnercenter.microsoft.com/v1/invoices/${invoiceId}`;
      const first = await handled(taskQueue, event('invoice-ready', uri), 'event-invoice-reconciliation');
      expect(first.result).toMatchObject({
        outcome: 'reconciliation-started',
        workflowId: `reconcile-invoice-${invoiceId}`,
      });
      expect(await childStarts(first.handle)).toEqual([
        { workflowId: `reconcile-invoice-${invoiceId}`, input: { invoiceId } },
      ]);
      // Another event for the same invoice (a later change date) finds the reconciliation already there.
      const second = await handled(taskQueue, { ...event('invoice-ready', uri), ResourceChangeUtcDate: 'later' });
      expect(second.result).toMatchObject({ outcome: 'reconciliation-already-started' });
    });
  });

  it.each([
    ['test-created', 'recorded', /a test event/, 'event-test-created'],
    // With no onboarding of that tenant running (event-onboarding-recorded.json keeps the run from before onboarding).
    ['reseller-relationship-accepted-by-customer', 'recorded', /no running onboarding waits on tenant/, undefined],
    ['granular-admin-relationship-approved', 'ignored', /names no GDAP relationship/, undefined],
    ['azure-fraud-event-detected', 'ignored', /not an event this worker acts on/, 'event-unknown-ignored'],
  ])('records %s (%s) and starts nothing', async (name, outcome, detail, fixture) => {
    const stubs = stubActivities({ findWaitingOnboardings: async () => [] });
    await rig.withWorker(stubs, async (taskQueue) => {
      const pcEvent = event(name, `https://api.partnercenter.microsoft.com/v1/customers/${customerId}`);
      const { handle, result } = await handled(taskQueue, pcEvent, fixture);
      expect(result).toMatchObject({ eventName: name, outcome });
      expect(result.detail).toMatch(detail);
      expect(await childStarts(handle)).toEqual([]);
    });
  });

  it('ignores a subscription-updated whose resource names no subscription', async () => {
    await rig.withWorker(stubActivities({}), async (taskQueue) => {
      const { result } = await handled(taskQueue, event('subscription-updated', '/v1/customers/abc'));
      expect(result).toMatchObject({ outcome: 'ignored' });
      await expect(rig.client.workflow.getHandle(lifecycleWorkflowId('abc')).describe()).rejects.toThrow(
        WorkflowNotFoundError,
      );
    });
  });
});
