import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import {
  cancelOnboardingUpdate,
  gdapApprovedSignal,
  onboardStatusQuery,
  startPartnerCenterEvent,
} from '../../../src/client';
import { connectPartnerCenter } from '../../../src/partner-center-connection';
import { sandboxPartnerCenterSettings } from '../../../src/sandbox-settings';
import { gdapDisplayName } from '../../../src/workflows/customer/rules';
import { recordHistory } from '../purchase/harness';
import {
  createRequest,
  globalAdministrator,
  roles,
  securityGroup,
  startOnboardRig,
  untilListed,
  untilStep,
  type OnboardRig,
} from './harness';

/** onboardCustomer against the sandbox (contract §3, v3): both paths, each failure, exactly-once creation. */

let rig: OnboardRig;
beforeAll(async () => {
  rig = await startOnboardRig();
});
afterAll(async () => {
  await rig?.close();
});
beforeEach(async () => {
  await rig.sandbox.control.reset();
});

const CREATES = 'POST /v1/customers';
const MCA_TEMPLATE = '117a77b0-9360-443b-8795-c6dedc750cf9';
const RELATIONSHIPS = '/v1.0/tenantRelationships/delegatedAdminRelationships';

async function eventually<T>(call: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await call();
    } catch (err) {
      if (Date.now() > until) throw err;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** What the Temporal UI shows of the run now (its current details). */
async function uiDetails(handle: { query<R>(name: string): Promise<R> }): Promise<string | undefined> {
  return (await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata')).currentDetails;
}

async function failureOf(handle: { result(): Promise<unknown> }) {
  const error = await handle.result().then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof WorkflowFailedError)) throw new Error(`expected a failed run, got ${String(error)}`);
  return error.cause;
}

describe('create path', () => {
  it('creates the customer once, confirms the MCA, qualifies, sets up GDAP and its access; no password kept anywhere', async () => {
    const request = createRequest({
      qualification: 'Education',
      gdap: {
        roles: [roles.directoryReaders, roles.userAdmin],
        accessAssignments: [{ securityGroupId: securityGroup, roles: [roles.userAdmin] }],
      },
    });
    const { result, handle, status } = await rig.withWorker(async ({ start }) => {
      const handle = await start(request);
      const waiting = await untilStep(handle, 'awaiting-gdap-approval');
      expect(waiting.gdapApprovalUrl).toBe(
        `https://admin.microsoft.com/AdminPortal/Home#/partners/invitation/granularAdminRelationships/${waiting.gdapRelationshipId}`,
      );
      await untilListed(rig.client, `PcGdapRelationshipId = '${waiting.gdapRelationshipId}'`, handle.workflowId);
      expect(await uiDetails(handle)).toContain(waiting.gdapApprovalUrl);
      await rig.sandbox.control.onboarding.approveGdap(waiting.gdapRelationshipId!);
      await handle.signal(gdapApprovedSignal, { relationshipId: waiting.gdapRelationshipId });
      const result = await handle.result();
      await recordHistory('onboard-created', handle);
      return { result, handle, status: await handle.query(onboardStatusQuery) };
    });
    const domain = `${request.customer.create!.domainPrefix}.onmicrosoft.com`;
    expect(result).toMatchObject({
      requestId: request.requestId,
      domain,
      created: true,
      adminUserPrincipalName: expect.stringMatching(new RegExp(`@${domain}$`)),
      adminPasswordNote: expect.stringMatching(/not kept: reset it/),
      agreement: { templateId: MCA_TEMPLATE },
      qualification: 'Education',
      gdap: { status: 'active', accessAssignmentIds: [expect.any(String)] },
    });
    expect((await rig.sandbox.control.counters()).requests[CREATES]).toBe(1);
    // The one-time password reached the worker, and went no further.
    expect(rig.passwords).toHaveLength(1);
    const [password] = rig.passwords;
    const history = JSON.stringify((await handle.fetchHistory()).events);
    const description = await handle.describe();
    expect(status.step).toBe('completed');
    const onboarded = await rig.receiver.waitFor(
      (e) => e.type === 'customer.onboarded' && e.data.workflowId === handle.workflowId,
    );
    const approval = await rig.receiver.waitFor(
      (e) => e.type === 'customer.gdap-approval' && e.data.workflowId === handle.workflowId,
    );
    for (const place of [
      history,
      JSON.stringify(result),
      JSON.stringify(description.searchAttributes),
      JSON.stringify(status),
      JSON.stringify(onboarded),
      JSON.stringify(approval),
      ...rig.logLines,
    ])
      expect(place).not.toContain(password);
    expect(history).not.toMatch(/"password"/i);
    // The witnesses saw the run: its workflow's log and the client's calls.
    expect(rig.logLines.some((line) => line.includes('onboarding step'))).toBe(true);
    expect(rig.logLines.some((line) => line.includes('Partner Center call'))).toBe(true);
  });

  it('a create whose answer is lost (commit-then-drop) is found by its domain, not created again', async () => {
    await rig.sandbox.control.addFault({ method: 'POST', path: '/v1/customers', kind: 'commit-then-drop' });
    const request = createRequest();
    const result = await rig.withWorker(async ({ start }) => {
      const handle = await start(request);
      const result = await handle.result();
      await recordHistory('onboard-create-answer-lost', handle);
      return result;
    });
    expect(result.created).toBe(true);
    expect(result.adminUserPrincipalName).toBeUndefined();
    expect(result.adminPasswordNote).toMatch(/first admin/);
    expect((await rig.sandbox.control.counters()).requests[CREATES]).toBe(1);
  });

  it('a domain already taken → DomainUnavailable, nothing created', async () => {
    const first = createRequest();
    await rig.withWorker(async ({ start }) => {
      await (await start(first)).result();
      const second = createRequest();
      second.customer.create!.domainPrefix = first.customer.create!.domainPrefix;
      const failure = await failureOf(await start(second));
      expect(failure).toBeInstanceOf(ApplicationFailure);
      expect((failure as ApplicationFailure).type).toBe('DomainUnavailable');
    });
    expect((await rig.sandbox.control.counters()).requests[CREATES]).toBe(1);
  });

  it('a bad request names every problem at once and calls nothing; Global Administrator with autoExtend → GdapRefused', async () => {
    await rig.withWorker(async ({ start }) => {
      const bad = createRequest({ gdap: { roles: ['nope'], duration: 'P800D' } });
      bad.customer.create!.country = 'XX';
      const failure = (await failureOf(await start(bad))) as ApplicationFailure;
      expect(failure.type).toBe('InvalidOnboardRequest');
      expect(failure.message).toMatch(/customer\.create\.country .*gdap\.roles\[0\].*gdap\.duration|country/);
      expect(failure.message).toContain('gdap.roles[0]');
      expect(failure.message).toContain('gdap.duration');
      const refused = (await failureOf(
        await start(createRequest({ gdap: { roles: [globalAdministrator], autoExtend: true } })),
      )) as ApplicationFailure;
      expect(refused.type).toBe('GdapRefused');
    });
    expect((await rig.sandbox.control.counters()).requests[CREATES]).toBeUndefined();
  });

  it('a denied qualification → QualificationRefused with the reason', async () => {
    await rig.sandbox.control.setDelays({ qualificationReviewMs: 600_000 });
    await rig.withWorker(async ({ start }) => {
      const handle = await start(createRequest({ qualification: 'StateOwnedEntity' }));
      const status = await untilStep(handle, 'qualifying');
      // The step is set before the qualification is asked for: retried until the sandbox has it to review.
      await eventually(() =>
        rig.sandbox.control.onboarding.setQualificationResult(status.customerId!, {
          status: 'Denied',
          reason: 'not state owned',
        }),
      );
      const failure = (await failureOf(handle)) as ApplicationFailure;
      expect(failure.type).toBe('QualificationRefused');
      expect(failure.message).toContain('not state owned');
    });
  });

  it('a qualification never reviewed → QualificationRefused after GDAP_APPROVAL_TIMEOUT, which it shares', async () => {
    await rig.sandbox.control.setDelays({ qualificationReviewMs: 600_000 });
    await rig.withWorker(
      async ({ start }) => {
        const failure = (await failureOf(
          await start(createRequest({ qualification: 'Education' })),
        )) as ApplicationFailure;
        expect(failure.type).toBe('QualificationRefused');
        expect(failure.message).toBe('The Education qualification was not reviewed within 3s');
      },
      // RELATIONSHIP_ACCEPT_TIMEOUT far longer: the wait ends at GDAP_APPROVAL_TIMEOUT.
      { waitMs: 3_000, acceptWaitMs: 600_000 },
    );
  });

  it('GDAP not approved in time → GdapNotApproved naming the relationship', async () => {
    await rig.withWorker(async ({ start }) => {
      const handle = await start(createRequest({ gdap: { roles: [roles.directoryReaders] } }));
      const failure = (await failureOf(handle)) as ApplicationFailure;
      expect(failure.type).toBe('GdapNotApproved');
      expect(failure.message).toMatch(/GDAP relationship .* was not approved within 6s/);
      await recordHistory('onboard-gdap-not-approved', handle);
    });
  });

  it('a GDAP create whose answer is lost is found by its display name on a later page, not created again', async () => {
    // Four other relationships first, two a page: the lost one is the fifth, on the third page of the list.
    const { gdap } = connectPartnerCenter(sandboxPartnerCenterSettings(rig.sandbox), {
      trustedCaPem: rig.sandbox.caPem,
    });
    for (const n of [1, 2, 3, 4])
      await gdap.createRelationship({
        displayName: `other-${n}`,
        duration: 'P30D',
        customerTenantId: rig.sandbox.customerIds[0],
        roleIds: [roles.directoryReaders],
        autoExtend: false,
      });
    await rig.sandbox.control.setGraphPolicy({ tenantPageSize: 2 });
    await rig.sandbox.control.addFault({ method: 'POST', path: `/graph${RELATIONSHIPS}`, kind: 'commit-then-drop' });
    const before = (await rig.sandbox.control.counters()).requests;
    const request = createRequest({ gdap: { roles: [roles.directoryReaders] } });
    const result = await rig.withWorker(async ({ start }) => {
      const handle = await start(request);
      const waiting = await untilStep(handle, 'awaiting-gdap-approval');
      await rig.sandbox.control.onboarding.approveGdap(waiting.gdapRelationshipId!);
      const result = await handle.result();
      await recordHistory('onboard-gdap-create-answer-lost', handle);
      return result;
    });
    const ours = await gdap.findRelationships(gdapDisplayName(request.requestId, undefined));
    expect(ours.map((r) => r.id)).toEqual([result.gdap!.relationshipId]);
    const after = (await rig.sandbox.control.counters()).requests;
    expect(after[`POST ${RELATIONSHIPS}`] - before[`POST ${RELATIONSHIPS}`]).toBe(1);
    // The retry read the list to its last page: three pages, and the check above read three more.
    expect(after[`GET ${RELATIONSHIPS}`] - (before[`GET ${RELATIONSHIPS}`] ?? 0)).toBe(6);
  });

  it('cancel while waiting for GDAP approval ends the run cancelled, saying what exists', async () => {
    await rig.withWorker(async ({ start }) => {
      const handle = await start(createRequest({ gdap: { roles: [roles.directoryReaders] } }));
      const waiting = await untilStep(handle, 'awaiting-gdap-approval');
      const ack = await handle.executeUpdate(cancelOnboardingUpdate, { args: [{ reason: 'customer withdrew' }] });
      expect(ack).toEqual({
        step: 'awaiting-gdap-approval',
        customerId: waiting.customerId,
        gdapRelationshipId: waiting.gdapRelationshipId,
        nothingCreated: false,
      });
      const failure = await failureOf(handle);
      expect(failure).toBeInstanceOf(CancelledFailure);
      expect(failure?.message).toContain(`customer ${waiting.customerId}`);
      expect(failure?.message).toContain(`GDAP relationship ${waiting.gdapRelationshipId}`);
      expect((await handle.query(onboardStatusQuery)).step).toBe('cancelled');
      await recordHistory('onboard-cancelled-awaiting-gdap', handle);
    });
  });
});

describe('existing tenant', () => {
  const tenantId = '7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f';

  it('invites, waits for acceptance (polled), then confirms the MCA', async () => {
    const result = await rig.withWorker(async ({ start }) => {
      const handle = await start({
        requestId: `test-existing-${Date.now()}`,
        customer: { existingTenantId: tenantId },
        agreement: createRequest().agreement,
      });
      const waiting = await untilStep(handle, 'awaiting-relationship');
      expect(waiting.invitationUrl).toMatch(/^https:\/\//);
      const invitation = await rig.receiver.waitFor(
        (e) => e.type === 'customer.invitation' && e.data.workflowId === handle.workflowId,
      );
      expect(invitation.data.invitationUrl).toBe(waiting.invitationUrl);
      expect(await uiDetails(handle)).toContain(waiting.invitationUrl);
      await rig.sandbox.control.onboarding.acceptRelationship(tenantId, { domain: 'acceptedtenant.onmicrosoft.com' });
      const result = await handle.result();
      await recordHistory('onboard-existing-tenant', handle);
      return result;
    });
    expect(result).toMatchObject({ tenantId, created: false, agreement: { templateId: MCA_TEMPLATE } });
    expect(result.adminPasswordNote).toBeUndefined();
  });

  it('not accepted in time → RelationshipNotAccepted', async () => {
    await rig.withWorker(async ({ start }) => {
      const handle = await start({
        requestId: `test-existing-late-${Date.now()}`,
        customer: { existingTenantId: '9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a' },
        agreement: createRequest().agreement,
      });
      const failure = (await failureOf(handle)) as ApplicationFailure;
      expect(failure.type).toBe('RelationshipNotAccepted');
    });
  });

  it('Partner Center events end the waits at once: relationshipAccepted and gdapApproved through partnerCenterEvent', async () => {
    const tenant = '3e4f5a6b-7c8d-4e9f-a0b1-c2d3e4f5a6b7';
    // Polls 60 s apart: only the events can end these waits within the test's time.
    await rig.withWorker(
      async ({ taskQueue, start }) => {
        const handle = await start({
          requestId: `test-events-${Date.now()}`,
          customer: { existingTenantId: tenant },
          agreement: createRequest().agreement,
          gdap: { roles: [roles.directoryReaders] },
        });
        const started = Date.now();
        await untilStep(handle, 'awaiting-relationship');
        await untilListed(rig.client, `PcCustomerId = '${tenant}'`, handle.workflowId);
        await rig.sandbox.control.onboarding.acceptRelationship(tenant, { domain: 'eventtenant.onmicrosoft.com' });
        const accepted = await routeEvent(
          taskQueue,
          'reseller-relationship-accepted-by-customer',
          `https://api.partnercenter.microsoft.com/v1/customers/${tenant}`,
        );
        expect(accepted).toMatchObject({ outcome: 'onboarding-signalled', workflowIds: [handle.workflowId] });
        const waiting = await untilStep(handle, 'awaiting-gdap-approval', 10_000);
        await untilListed(rig.client, `PcGdapRelationshipId = '${waiting.gdapRelationshipId}'`, handle.workflowId);
        expect(await uiDetails(handle)).toContain(waiting.gdapApprovalUrl);
        await rig.sandbox.control.onboarding.approveGdap(waiting.gdapRelationshipId!);
        const approved = await routeEvent(
          taskQueue,
          'granular-admin-relationship-approved',
          `https://graph.microsoft.com/v1.0/tenantRelationships/delegatedAdminRelationships/${waiting.gdapRelationshipId}`,
        );
        expect(approved).toMatchObject({ outcome: 'onboarding-signalled', workflowIds: [handle.workflowId] });
        const result = await handle.result();
        expect(result.gdap).toMatchObject({ relationshipId: waiting.gdapRelationshipId, status: 'active' });
        // Each wait polled once at its start, the next poll 60 s later: the events ended them.
        expect(Date.now() - started).toBeLessThan(30_000);
        await recordHistory('onboard-ended-by-events', handle);
      },
      { pollIntervalMs: 60_000, waitMs: 120_000 },
    );
  }, 60_000);
});

/** Visibility lags behind a run's search attributes (the events find runs through it): wait until it shows the run. */
/** The event's partnerCenterEvent run, as POST /v1/partner-center/events starts it; its result. */
async function routeEvent(taskQueue: string, EventName: string, ResourceUri: string) {
  const event = {
    EventName,
    ResourceUri,
    ResourceName: '',
    AuditUri: '',
    ResourceChangeUtcDate: new Date().toISOString(),
  };
  const handle = await startPartnerCenterEvent(rig.client, event, { taskQueue });
  const result = await handle.result();
  await recordHistory(
    `event-${EventName === 'granular-admin-relationship-approved' ? 'gdap-approved' : 'relationship-accepted'}-signalled`,
    handle,
  );
  return result;
}
