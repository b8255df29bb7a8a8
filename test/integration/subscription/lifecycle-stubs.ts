import type { WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import type { WebhookDelivery } from '../../../src/workflows/common/webhook-delivery';
import type { WorkerSettings } from '../../../src/workflows/common/settings';
import {
  lifecycleStateQuery,
  lifecycleWorkflowId,
  type LicenceUsage,
  type LifecycleState,
  type RenewalPolicy,
  type SubscriptionLifecycleWorkflow,
  type SubscriptionView,
} from '../../../src/workflows/subscription/api';
import type { StubRig, WorkerActivities } from '../../support/stub-worker';

/** What the lifecycle tests share: a fake subscription Partner Center keeps, activities over it, short settings. */

export const customerId = '4f1b9c7e-2d3a-4c5b-8e6f-0a1b2c3d4e5f';
export const DAY_MS = 86_400_000;

/**
 * Seconds, not days: the review 2 s before `commitmentEndDate` (RENEWAL_REVIEW_LEAD), retries every 200–400 ms, and
 * webhooks on (a stub receives them).
 */
export const fast: WorkerSettings = {
  orderPollIntervalMs: 200,
  orderPollMaxIntervalMs: 400,
  orderVisibilityDeadlineMs: 10_000,
  approvalTimeoutMs: 1_000,
  subscriptionChangeDeadlineMs: 5_000,
  renewalReviewLeadMs: 2_000,
  webhooks: { deadlineMs: 10_000, url: true },
};

/** An active annual 10-seat subscription whose last day is `lastDayInMs` from now (its review 2 s before). */
export function subscription(id: string, lastDayInMs: number, extra: Partial<SubscriptionView> = {}): SubscriptionView {
  return {
    id,
    catalogItemId: 'CFQ7TTC0LH18:0001:AAA',
    quantity: 10,
    status: 'active',
    autoRenewEnabled: true,
    termDuration: 'P1Y',
    billingCycle: 'monthly',
    commitmentEndDate: new Date(Date.now() + lastDayInMs).toISOString(),
    refundOptions: [],
    readAt: new Date().toISOString(),
    ...extra,
  };
}

type LifecycleStubs = Pick<
  WorkerActivities,
  | 'getPurchaseSettings'
  | 'readSubscriptionForLifecycle'
  | 'readLicenceUsage'
  | 'readTenantLicences'
  | 'readEndOfSale'
  | 'readSubscriptionForChange'
  | 'applySubscriptionChange'
  | 'awaitSubscriptionChange'
  | 'deliverWebhookEvent'
>;

/**
 * One subscription as Partner Center would keep it: reads see its current state, a scheduleNextTerm PATCH sets its
 * scheduled next term, `assigned` seats are in use in the customer's tenant. Events delivered are kept in order.
 */
export class FakeSubscription {
  events: WebhookDelivery[] = [];
  assigned = 6;
  /** While set, the licence read fails with it (e.g. 403 without a GDAP role). */
  usageFailure?: string;

  constructor(public view: SubscriptionView) {}

  update(changes: Partial<SubscriptionView>): void {
    this.view = { ...this.view, ...changes };
  }

  usage(): LicenceUsage {
    return {
      skuId: 'sku-basic',
      assigned: this.assigned,
      total: this.view.quantity,
      siblings: [],
      readAt: new Date().toISOString(),
    };
  }

  /** The licences, or the failure set in `usageFailure`. */
  private readUsage(): LicenceUsage {
    if (this.usageFailure !== undefined) {
      throw ApplicationFailure.create({ type: 'LicenceUsageUnavailable', message: this.usageFailure });
    }
    return this.usage();
  }

  stubs(settings: WorkerSettings = fast): LifecycleStubs {
    const read = () => ({ ...this.view, readAt: new Date().toISOString() });
    return {
      getPurchaseSettings: async () => settings,
      readSubscriptionForLifecycle: async () => ({ subscription: read(), readAt: new Date().toISOString() }),
      readLicenceUsage: async () => this.readUsage(),
      readTenantLicences: async () => {
        const { siblings, ...tenant } = this.readUsage();
        return { ...tenant, others: siblings.map(({ subscriptionId, seats }) => ({ subscriptionId, seats })) };
      },
      readEndOfSale: async () => ({}),
      readSubscriptionForChange: async () => read(),
      applySubscriptionChange: async ({ change }) => {
        if (change.action !== 'scheduleNextTerm') throw new Error(`unexpected change ${change.action}`);
        this.update({
          scheduledNextTerm: {
            catalogItemId: this.view.catalogItemId,
            quantity: change.quantity ?? this.view.quantity,
          },
        });
        return { completion: 'immediate', subscription: read() };
      },
      awaitSubscriptionChange: async () => read(),
      deliverWebhookEvent: async (delivery) => {
        this.events.push(delivery);
        return { status: 200, attempt: 1 };
      },
    };
  }

  /** The lifecycle's own events (its child changes send `subscription-change.*` too). */
  lifecycleEvents(): WebhookDelivery[] {
    return this.events.filter((e) => e.type.startsWith('subscription.'));
  }

  eventTypes(): string[] {
    return this.lifecycleEvents().map((e) => e.type);
  }
}

export async function startLifecycle(
  rig: StubRig,
  taskQueue: string,
  subscriptionId: string,
  policy?: RenewalPolicy,
): Promise<WorkflowHandle<SubscriptionLifecycleWorkflow>> {
  return rig.client.workflow.start<SubscriptionLifecycleWorkflow>('subscriptionLifecycle', {
    taskQueue,
    workflowId: lifecycleWorkflowId(subscriptionId),
    args: [{ customerId, subscriptionId, ...(policy !== undefined ? { policy } : {}) }],
  });
}

/** Polls the `state` query until `done` holds (the run moves on its own timers), or fails after `ms`. */
export async function stateWhen(
  handle: WorkflowHandle,
  done: (state: LifecycleState) => boolean,
  ms = 20_000,
): Promise<LifecycleState> {
  const until = Date.now() + ms;
  let state = await handle.query(lifecycleStateQuery);
  while (!done(state)) {
    if (Date.now() > until) throw new Error(`state never matched; last: ${JSON.stringify(state)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    state = await handle.query(lifecycleStateQuery);
  }
  return state;
}

/** The child workflows the run started, with their input: its changes, not its webhook deliveries. */
export async function childStarts(handle: WorkflowHandle): Promise<Array<{ workflowId: string; input: unknown }>> {
  const { events } = await handle.fetchHistory();
  return (events ?? []).flatMap((event: temporal.api.history.v1.IHistoryEvent) => {
    const started = event.startChildWorkflowExecutionInitiatedEventAttributes;
    if (!started || started.workflowType?.name === 'deliverWebhookEvent') return [];
    const payload = started.input?.payloads?.[0];
    const input: unknown = payload?.data ? JSON.parse(Buffer.from(payload.data).toString('utf8')) : undefined;
    return [{ workflowId: started.workflowId ?? '', input }];
  });
}

/** The names of the signals the run received. */
export async function signalsReceived(handle: WorkflowHandle): Promise<string[]> {
  const { events } = await handle.fetchHistory();
  return (events ?? []).flatMap((e) => e.workflowExecutionSignaledEventAttributes?.signalName ?? []);
}

export async function currentDetails(handle: WorkflowHandle): Promise<string> {
  const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
  return metadata.currentDetails ?? '';
}
