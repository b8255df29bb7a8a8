import { Context } from '@temporalio/activity';
import type { temporal } from '@temporalio/proto';
import { startSubscriptionLifecycle } from '../../../src/client';
import { recordHistory } from '../purchase/harness';
import {
  BUSINESS_BASIC,
  seedRenewingSubscription,
  startLifecycleSandbox,
  type LifecycleSandbox,
} from './lifecycle-sandbox-rig';

/**
 * Issue 24's rate budget (PARTNER_CENTER_REQUESTS_PER_MINUTE) is the task queue's activity rate limit: it counts
 * activity tasks, not requests. A renewal review of a subscription whose SKU has other subscriptions reads each of
 * them from Partner Center in an activity task of its own, so the budget counts every one: a real worker against the
 * sandbox, each Partner Center request the worker sends attributed to the activity attempt that sent it.
 */

let sandbox: LifecycleSandbox;
/** Partner Center requests by activity attempt (`workflowId activityType activityId attempt`): their paths. */
const requestsByTask = new Map<string, string[]>();
const realFetch = globalThis.fetch;

beforeAll(async () => {
  sandbox = await startLifecycleSandbox();
  const partnerCenterRoot = `${sandbox.rig.sandbox.baseUrl}/v1/`;
  // Wrapped before the worker creates its clients (they take the global fetch then): each request the worker sends
  // inside an activity is filed under that activity's attempt.
  globalThis.fetch = (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    if (url.startsWith(partnerCenterRoot)) {
      const task = currentTask();
      if (task !== undefined) requestsByTask.set(task, [...(requestsByTask.get(task) ?? []), new URL(url).pathname]);
    }
    return realFetch(input, init);
  };
});
afterAll(async () => {
  globalThis.fetch = realFetch;
  await sandbox?.close();
});

function currentTask(): string | undefined {
  try {
    const { workflowExecution, activityType, activityId, attempt } = Context.current().info;
    return [workflowExecution?.workflowId, activityType, activityId, attempt].join(' ');
  } catch {
    return undefined; // not an activity's request
  }
}

/** The activities the run scheduled: their type and, for subscription reads, the subscription read. */
function activitiesScheduled(history: temporal.api.history.v1.IHistory): string[] {
  return (history.events ?? []).flatMap((event) => {
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (!scheduled) return [];
    const type = scheduled.activityType?.name ?? '';
    const payload = scheduled.input?.payloads?.[0]?.data;
    const input = payload ? (JSON.parse(Buffer.from(payload).toString('utf8')) as { subscriptionId?: string }) : {};
    return [type === 'readSubscriptionForLifecycle' ? `${type} ${input.subscriptionId}` : type];
  });
}

describe('a renewal review of a SKU with other subscriptions', () => {
  it('reads each other subscription as an activity task of its own, keeps one Partner Center refuses with its directory seats, and retries one that fails transiently', async () => {
    const { rig } = sandbox;
    const [customerId] = await rig.sandbox.control.addCustomers({ count: 1 });
    await rig.withWorker(async ({ taskQueue }) => {
      const ours = await seedRenewingSubscription(rig.sandbox, customerId!, {
        quantity: 10,
        assigned: 34,
        reviewInMs: 5_000,
      });
      // Three more of the SKU, renewing in a year: each carries its 10 seats past our renewal.
      const others = await Promise.all(
        [0, 1, 2].map(async () => {
          const seeded = { customerId: customerId!, ...BUSINESS_BASIC, termDuration: 'P1Y' as const, quantity: 10 };
          return (await rig.sandbox.control.seedSubscription(seeded)).id;
        }),
      );
      await rig.sandbox.control.setAssignedSeats(customerId!, { productId: BUSINESS_BASIC.productId, assigned: 34 });
      const [readable, refused, flaky] = others as [string, string, string];
      const pathOf = (id: string) => `/v1/customers/${customerId}/subscriptions/${id}`;
      await rig.sandbox.control.addFault({
        method: 'GET',
        path: pathOf(refused),
        kind: 'status',
        status: 403,
        count: 5,
      });
      await rig.sandbox.control.addFault({ method: 'GET', path: pathOf(flaky), kind: 'status', status: 503 });

      const policy = { review: 'apply', leadTime: ours.leadTime } as const;
      const handle = await startSubscriptionLifecycle(
        rig.client,
        { customerId: customerId!, subscriptionId: ours.id, policy },
        { taskQueue },
      );
      const applied = await sandbox.stateWhen(ours.id, (s) => s.plan?.status === 'applied');
      // 34 assigned − 30 on the others: the refused one counted with the 10 seats the directory shows.
      expect(applied.plan).toMatchObject({ quantity: 4, currentQuantity: 10, assigned: 34 });
      expect(applied.usage?.siblings).toHaveLength(3);
      expect(applied.usage?.siblings).toContainEqual({ subscriptionId: refused, seats: 10 });
      expect(applied.usage?.siblings).toContainEqual(expect.objectContaining({ subscriptionId: readable, seats: 10 }));

      const history = await handle.fetchHistory();
      const scheduled = activitiesScheduled(history);
      expect(scheduled).not.toContain('readLicenceUsage');
      expect(scheduled.filter((t) => t === 'readTenantLicences')).toHaveLength(1);
      // Ours once (the run's first read), each other one once: the review does not read ours again.
      for (const id of [ours.id, readable, refused, flaky])
        expect(scheduled.filter((t) => t === `readSubscriptionForLifecycle ${id}`)).toHaveLength(1);

      // Each of the run's activity attempts sent at most one Partner Center request; the licence read sent none for a
      // subscription (the catalog's SKU minimum only, cached per process).
      const ownTasks = [...requestsByTask].filter(([task]) => task.startsWith(`${handle.workflowId} `));
      expect(ownTasks.length).toBeGreaterThanOrEqual(6); // ours, 3 others (the flaky one twice), the licences' catalog
      for (const [task, paths] of ownTasks) {
        if (task.includes(' readTenantLicences '))
          expect(paths.filter((p) => p.includes('/subscriptions'))).toEqual([]);
        else expect({ task, paths: paths.length }).toEqual({ task, paths: 1 });
      }
      const flakyReads = ownTasks.filter(([, paths]) => paths.includes(pathOf(flaky)));
      expect(flakyReads.map(([task]) => task.split(' ').at(-1))).toEqual(['1', '2']);
      await recordHistory('lifecycle-review-reads-siblings-as-tasks', handle);
      await handle.terminate('test done');
    });
  });
});
