import { randomUUID } from 'node:crypto';
import { Worker } from '@temporalio/worker';
import type { Sandbox } from 'partner-center-sandbox';
import { startLicenceAssignment, type LicenceResult } from '../../src/client';
import { sandboxPartnerCenterSettings } from '../../src/sandbox-settings';
import { createActivityDeps, workerOptions } from '../../src/worker';
import { quiet, round, scenario, timed, type Figure } from './report';
import { BUSINESS_BASIC, requestCount, type TemporalRig } from './rig';

/** Graph calls in the customer's tenant, as the sandbox counts them (`GET /v1.0/users/{userId}` …). */
const isTenantCall = (key: string) => / \/v1\.0\/(users|directory|subscribedSkus)/.test(key);

/**
 * One assignLicences run for `users` users of a subscription with as many seats, on a worker with the contract's
 * default budget (PARTNER_CENTER_REQUESTS_PER_MINUTE 400), then the same request again (every user already holds
 * it): time, Graph requests, activity tasks and history events.
 */
export async function benchLicences(
  { client, nativeConnection, bundle }: TemporalRig,
  sandbox: Sandbox,
  figures: Figure[],
  users: number,
): Promise<void> {
  const deps = createActivityDeps(
    sandboxPartnerCenterSettings(sandbox),
    { orderPollIntervalMs: 250, orderVisibilityDeadlineMs: 60_000, licenceVisibilityDeadlineMs: 60_000 },
    quiet,
    sandbox.caPem,
  );
  const taskQueue = `bench-licences-${randomUUID()}`;
  const worker = await Worker.create({
    connection: nativeConnection,
    workflowBundle: bundle,
    ...workerOptions(deps, { taskQueue, requestsPerMinute: 400 }),
    shutdownGraceTime: '1s',
  });
  const customerId = sandbox.customerIds[0];
  const domain = `bench-${randomUUID().slice(0, 8)}.example`;
  await sandbox.control.seedUsers(customerId, { count: users, domain });
  const { id: subscriptionId } = await sandbox.control.seedSubscription({
    customerId,
    ...BUSINESS_BASIC,
    quantity: users,
    termDuration: 'P1Y',
  });
  const assign = Array.from({ length: users }, (_, i) => `seeded-${String(i + 1).padStart(4, '0')}@${domain}`);
  await worker.runUntil(async () => {
    const run = async (label: string) => {
      const before = await requestCount(sandbox, isTenantCall);
      const requestId = `bench-${randomUUID()}`;
      const [result, ms] = await scenario(`${label}: ${users} users`, () =>
        timed(async () => {
          const handle = await startLicenceAssignment(
            client,
            { requestId, customerId, subscriptionId, assign },
            { taskQueue },
          );
          return (await handle.result()) as LicenceResult;
        }),
      );
      const history = await client.workflow.getHandle(`licences-${requestId}`).fetchHistory();
      const events = history.events ?? [];
      const activities = events.filter(
        (e) => e.activityTaskScheduledEventAttributes !== undefined && e.activityTaskScheduledEventAttributes !== null,
      ).length;
      return {
        result,
        ms,
        requests: (await requestCount(sandbox, isTenantCall)) - before,
        events: events.length,
        activities,
      };
    };
    const first = await run('licences: assign');
    if (!first.result.users.every((u) => u.outcome === 'assigned'))
      throw new Error(`bench: not every user was assigned (${JSON.stringify(first.result.sku)})`);
    figures.push({
      name: `licences: ${users} users assigned, end to end`,
      value: round(first.ms / 1000, 2),
      unit: 's',
      note: 'budget 400 requests/min',
    });
    figures.push({
      name: 'licences: Graph requests',
      value: first.requests,
      unit: 'requests',
      note: `${round(first.requests / users, 2)} per user`,
    });
    figures.push({ name: 'licences: activity tasks (budget units)', value: first.activities, unit: 'activities' });
    figures.push({ name: 'licences: history events', value: first.events, unit: 'events' });
    const again = await run('licences: the same again (already assigned)');
    figures.push({
      name: `licences: ${users} users already assigned, end to end`,
      value: round(again.ms / 1000, 2),
      unit: 's',
    });
    figures.push({ name: 'licences: Graph requests when already assigned', value: again.requests, unit: 'requests' });
  });
}
