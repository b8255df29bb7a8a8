import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { type AuditBackfillResult, type AuditBackfillWorkflow } from '../../../src/client';
import { startApi } from '../api/support';
import { createRequest, roles, startOnboardRig, untilListed, untilStep, type OnboardRig } from '../customer/harness';
import { signalsReceived } from '../subscription/lifecycle-stubs';

/**
 * The activity log catches the onboarding events a webhook missed, end to end: the real worker, the sandbox, the HTTP
 * API receiving the sandbox's signed deliveries. With delivery suppressed, the customer's acceptance of the reseller
 * relationship reaches the waiting onboarding through `auditBackfill` only; the GDAP approval is delivered and then
 * read back too. Polls are 60 s apart, so only an event can end a wait within the test; each wait hears its signal
 * once, and a second backfill run finds every event already handled.
 */

let rig: OnboardRig;
beforeAll(async () => {
  rig = await startOnboardRig();
}, 60_000);
afterAll(async () => {
  await rig?.close();
});

async function backfill(taskQueue: string, since: string): Promise<AuditBackfillResult> {
  return rig.client.workflow.execute<AuditBackfillWorkflow>('auditBackfill', {
    taskQueue,
    workflowId: `backfill-onboarding-${randomUUID()}`,
    args: [{ since }],
  });
}

const onboardingSignals = async (handle: WorkflowHandle) =>
  (await signalsReceived(handle)).filter((name) => name === 'relationshipAccepted' || name === 'gdapApproved');

it('a suppressed acceptance moves the onboarding on through the backfill, once; an approval seen both ways is handled once', async () => {
  const { sandbox } = rig;
  const tenant = randomUUID();
  await rig.withWorker(
    async ({ taskQueue, start }) => {
      const api = await startApi(rig.client, taskQueue, {
        partnerCenterEvents: { certHosts: ['127.0.0.1'], trustedCaPem: sandbox.caPem },
      });
      try {
        await sandbox.control.registerEventWebhook(`${api.url}/v1/partner-center/events`);
        await sandbox.control.suppressEventDelivery(true);
        const since = new Date(Date.now() - 1_000).toISOString();
        const handle = await start({
          requestId: `test-backfill-${randomUUID()}`,
          customer: { existingTenantId: tenant },
          agreement: createRequest().agreement,
          gdap: { roles: [roles.directoryReaders] },
        });
        const started = Date.now();
        await untilStep(handle, 'awaiting-relationship');
        await untilListed(rig.client, `PcCustomerId = '${tenant}'`, handle.workflowId);
        const accepted = await sandbox.control.onboarding.acceptRelationship(tenant, {
          domain: `bf${tenant.slice(0, 8)}.onmicrosoft.com`,
        });
        expect(accepted.event.delivery).toBeNull();

        const first = await backfill(taskQueue, since);
        expect(first).toMatchObject({ events: 1, started: 1, alreadyHandled: 0 });
        const waiting = await untilStep(handle, 'awaiting-gdap-approval', 20_000);
        expect(await backfill(taskQueue, since)).toMatchObject({ events: 1, started: 0, alreadyHandled: 1 });

        await sandbox.control.suppressEventDelivery(false);
        await untilListed(rig.client, `PcGdapRelationshipId = '${waiting.gdapRelationshipId}'`, handle.workflowId);
        const approved = await sandbox.control.onboarding.approveGdap(waiting.gdapRelationshipId!);
        expect(approved.event?.delivery?.status).toBe(202);
        const result = await handle.result();
        expect(result.gdap).toMatchObject({ relationshipId: waiting.gdapRelationshipId, status: 'active' });
        expect(Date.now() - started).toBeLessThan(55_000);

        expect(await backfill(taskQueue, since)).toMatchObject({ events: 2, started: 0, alreadyHandled: 2 });
        expect(await onboardingSignals(handle)).toEqual(['relationshipAccepted', 'gdapApproved']);
      } finally {
        await api.close();
      }
    },
    { pollIntervalMs: 60_000, waitMs: 120_000 },
  );
}, 120_000);
