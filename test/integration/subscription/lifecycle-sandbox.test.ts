import { WorkflowNotFoundError, type WorkflowHandle } from '@temporalio/client';
import type { PartnerCenterClient } from '../../../src/partner-center';
import { installedTree, spawnPcw, type InstalledTree } from '../../support/pcw';
import { testServerAddress } from '../../support/temporal';
import { call, operate, read, startApi, type RunningApi } from '../api/support';
import { recordHistory, type PurchaseRig } from '../purchase/harness';
import {
  BUSINESS_BASIC,
  DAY_MS,
  seedRenewingSubscription,
  startLifecycleSandbox,
  type LifecycleSandbox,
} from './lifecycle-sandbox-rig';

/**
 * Issue 24's "done when", end to end: `pcw subscriptions adopt` (the installed bin) starts lifecycles for a customer's
 * subscriptions from Partner Center, a real worker reviews one whose renewal is near (its licences read from the
 * customer's tenant on the sandbox's Graph host), the plan waits for approval, the HTTP API approves it, and the
 * sandbox's subscription then holds the scheduled next-term quantity.
 */

let sandbox: LifecycleSandbox;
let rig: PurchaseRig;
let tree: InstalledTree;
let pc: PartnerCenterClient;
let customerId: string;
beforeAll(async () => {
  tree = installedTree();
  sandbox = await startLifecycleSandbox();
  ({ rig, pc } = sandbox);
  customerId = sandbox.customerIds[0]!;
});
afterAll(async () => {
  tree?.remove();
  await sandbox?.close();
});

function pcw(args: string[], taskQueue: string) {
  const { sandbox } = rig;
  return spawnPcw(
    tree.bin,
    args,
    {
      TEMPORAL_ADDRESS: testServerAddress(),
      TEMPORAL_CONFIG_FILE: '/nonexistent/temporal.toml',
      TEMPORAL_TASK_QUEUE: taskQueue,
      PARTNER_CENTER_BASE_URL: sandbox.baseUrl,
      AZURE_AUTHORITY_HOST: sandbox.authorityHost,
      AZURE_TENANT_ID: sandbox.tenantId,
      AZURE_CLIENT_ID: sandbox.clientId,
      AZURE_CLIENT_SECRET: sandbox.clientSecret,
      NODE_EXTRA_CA_CERTS: sandbox.caFile,
    },
    tree.dir,
  ).exited;
}

describe('subscription lifecycles against the sandbox', () => {
  it('adopts a customer once, reviews a renewal that is near, and schedules the approved plan in Partner Center', async () => {
    await rig.withWorker(async ({ taskQueue }) => {
      // Its last day is tomorrow; the review runs at commitmentEndDate − lead time, 8 s from now.
      const { id, lastDay, leadTime, reviewAt } = await seedRenewingSubscription(sandbox.rig.sandbox, customerId, {
        quantity: 10,
        assigned: 4,
        reviewInMs: 8_000,
      });

      const adopt = ['subscriptions', 'adopt', '--customer', customerId, '--lead-time', leadTime, '--json'];
      const first = await pcw(adopt, taskQueue);
      expect(first.code).toBe(0);
      const live = (await pc.listSubscriptions(customerId)).filter((s) => s.status !== 'deleted');
      const summary = JSON.parse(first.stdout.trim()) as Record<string, unknown>;
      expect(summary).toEqual({
        customers: 1,
        adopted: live.length,
        alreadyAdopted: 0,
        ended: expect.any(Number),
        skipped: [],
      });
      // Idempotent: a second adoption finds every lifecycle there and starts none.
      const again = JSON.parse((await pcw(adopt, taskQueue)).stdout.trim()) as Record<string, number>;
      expect(again).toMatchObject({ adopted: 0, alreadyAdopted: live.length });

      const proposed = await sandbox.stateWhen(id, (s) => s.step === 'awaiting-renewal-approval');
      // It started from the subscription as adoption listed it: no read of its own before the review.
      const handle = rig.client.workflow.getHandle(`subscription-${id}`);
      expect(await activitiesRun(handle)).not.toContain('readSubscriptionForLifecycle');
      expect(Date.parse(proposed.subscription!.readAt)).toBeLessThan(Date.parse(proposed.reviews.at(-1)!.reviewedAt));
      expect(proposed.plan).toMatchObject({ status: 'proposed', currentQuantity: 10, assigned: 4 });
      expect(proposed.plan!.quantity).toBeLessThan(10);
      expect(proposed.usage).toMatchObject({ assigned: 4 });
      // The review waited for its durable timer, and the plan takes effect when the term ends (midnight after its last day).
      expect(Date.parse(proposed.reviews.at(-1)!.reviewedAt)).toBeGreaterThanOrEqual(reviewAt);
      expect(proposed.plan!.renewsAt).toBe(new Date(Date.parse(lastDay) + DAY_MS).toISOString());

      const shown = await pcw(['subscriptions', 'show', id], taskQueue);
      expect(shown.code).toBe(0);
      expect(shown.stdout).toContain(`lifecycle subscription-${id}: awaiting-renewal-approval`);

      const api: RunningApi = await startApi(rig.client, taskQueue);
      try {
        const path = `/v1/subscriptions/${id}/lifecycle`;
        const viewed = await call(api, 'GET', path, { token: read });
        expect(viewed.status).toBe(200);
        expect(viewed.body).toMatchObject({ kind: 'lifecycle', status: { step: 'awaiting-renewal-approval' } });
        expect((await call(api, 'POST', `${path}/approve-plan`, { token: read, body: { by: 'ann' } })).status).toBe(
          403,
        );
        const approved = await call(api, 'POST', `${path}/approve-plan`, { token: operate, body: { by: 'ann' } });
        expect(approved.status).toBe(200);
        expect(approved.body).toMatchObject({ plan: { decidedBy: 'ann' } });

        const applied = await sandbox.stateWhen(id, (s) => s.plan?.status === 'applied');
        await recordHistory('lifecycle-adopted-from-listed', handle);
        const inPartnerCenter = await pc.getSubscription(customerId, id);
        expect(inPartnerCenter.scheduledNextTermInstructions?.quantity).toBe(applied.plan!.quantity);
        expect(inPartnerCenter.quantity).toBe(10); // the current term keeps its seats

        // Nothing waits any more: a second decision is refused with the workflow's reason, over HTTP and in pcw.
        const again = await call(api, 'POST', `${path}/reject-plan`, {
          token: operate,
          body: { by: 'bob', reason: 'too late' },
        });
        expect(again.status).toBe(409);
        expect(again.body).toMatchObject({ type: 'urn:pcw:problem:NoPlanWaiting' });
      } finally {
        await api.close();
      }
      const refused = await pcw(
        ['subscriptions', 'reject-plan', id, '--by', 'bob', '--reason', 'late', '--json'],
        taskQueue,
      );
      expect(refused.code).toBe(1);
      expect(JSON.parse(refused.stdout.trim())).toMatchObject({ error: { type: 'NoPlanWaiting' } });
    });
  });

  it('skips, naming leadTime, a subscription whose term is shorter than the lead time given to adopt', async () => {
    const customer = sandbox.customerIds[1]!;
    const { control } = rig.sandbox;
    const monthly = await control.seedSubscription({
      customerId: customer,
      ...BUSINESS_BASIC,
      termDuration: 'P1M',
      quantity: 3,
    });
    const annual = await control.seedSubscription({
      customerId: customer,
      ...BUSINESS_BASIC,
      termDuration: 'P1Y',
      quantity: 3,
    });
    const taskQueue = `adopt-lead-time-${monthly.id}`; // no worker: adoption only starts the lifecycles
    const adopt = ['subscriptions', 'adopt', '--customer', customer, '--lead-time', '60d'];

    const first = await pcw([...adopt, '--json'], taskQueue);
    expect(first.code).toBe(0);
    const summary = JSON.parse(first.stdout.trim()) as { adopted: number; skipped: unknown[] };
    expect(summary.adopted).toBe(1);
    expect(summary.skipped).toEqual([
      {
        customerId: customer,
        subscriptionId: monthly.id,
        reason: expect.stringMatching(/^leadTime must not be longer than the subscription's term P1M \(got 60d\)/),
      },
    ]);
    // Not adopted: no lifecycle was started for it; the annual one has its lifecycle.
    await expect(rig.client.workflow.getHandle(`subscription-${monthly.id}`).describe()).rejects.toBeInstanceOf(
      WorkflowNotFoundError,
    );
    expect((await rig.client.workflow.getHandle(`subscription-${annual.id}`).describe()).status.name).toBe('RUNNING');

    const again = await pcw(adopt, taskQueue);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(
      `skipped ${monthly.id}: leadTime must not be longer than the subscription's term P1M`,
    );
    expect(again.stdout).toContain('0 subscription(s) adopted, 1 already adopted, 0 ended, 1 skipped');
  });

  it('refuses bad policies before anything is sent, and a lifecycle that does not exist', async () => {
    const usage = await pcw(['subscriptions', 'policy', 'x', '--min-seats=-1', '--lead-time', '5 years'], 'none');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--min-seats must be at least 0');
    expect(usage.stderr).toContain('--lead-time must be an ISO 8601 duration');
    const both = await pcw(['subscriptions', 'adopt', '--customer', customerId, '--all'], 'none');
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('exactly one of --customer GUID or --all');

    const api = await startApi(rig.client, 'none');
    try {
      const missing = await call(api, 'GET', '/v1/subscriptions/00000000-0000-4000-8000-00000000dead/lifecycle', {
        token: read,
      });
      expect(missing.status).toBe(404);
      const notGuid = await call(api, 'GET', '/v1/subscriptions/not-a-guid/lifecycle', { token: read });
      expect(notGuid.status).toBe(400);
      expect(notGuid.body).toMatchObject({ errors: [{ field: 'path subscriptionId' }] });
    } finally {
      await api.close();
    }
  });
});

/** The activity types the run scheduled so far, in order. */
async function activitiesRun(handle: WorkflowHandle): Promise<string[]> {
  const { events } = await handle.fetchHistory();
  return (events ?? []).flatMap((e) => {
    const name = e.activityTaskScheduledEventAttributes?.activityType?.name;
    return name ? [name] : [];
  });
}
