import { ApplicationFailure } from '@temporalio/common';
import { createLicenceActivities, type LicenceTenantClient } from '../../../src/activities/licence/activities';
import {
  PartnerCenterBusinessError,
  PartnerCenterNotFoundError,
  PartnerCenterThrottledError,
  type TenantUser,
} from '../../../src/partner-center';
import type { LicenceBatchInput, LicenceBatchResult } from '../../../src/workflows/licence/types';
import { activityContext } from '../../support/activities';

/** The batch activity against a tenant double: outcomes per Graph answer, and a retry resuming from its heartbeat. */

const SKU = 'b0a1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d';
const customerId = '4f1b9c7e-2d3a-4c5b-8e6f-0a1b2c3d4e5f';

function tenant(users: Record<string, string[]>, seats: number) {
  const calls: string[] = [];
  let free = seats;
  const client: LicenceTenantClient = {
    readLicenceUsage: () => Promise.reject(new Error('not used')),
    getUser: async (_tenant, user) => {
      calls.push(`get ${user}`);
      const held = users[user];
      return held === undefined
        ? undefined
        : ({ id: user, assignedLicenses: held.map((skuId) => ({ skuId })) } as TenantUser);
    },
    assignLicence: async (_tenant, user, add, remove = []) => {
      calls.push(`assign ${user} +${add.length} -${remove.length}`);
      if (user === 'throttled@contoso.com')
        throw new PartnerCenterThrottledError({ status: 429, description: 'Too many requests', retryAfterMs: 2_000 });
      if (user === 'gone@contoso.com') throw new PartnerCenterNotFoundError({ status: 404, description: 'gone' });
      if (add.length > 0 && free === 0)
        throw new PartnerCenterBusinessError({
          status: 400,
          description: `Subscription with SKU ${SKU} does not have any available licenses.`,
        });
      free -= add.length - remove.length;
      return { id: user, assignedLicenses: [] } as unknown as TenantUser;
    },
  };
  return { client, calls };
}

function run(client: LicenceTenantClient, input: LicenceBatchInput, heartbeatDetails?: LicenceBatchResult) {
  const context = activityContext({
    activityId: '1',
    workflowExecution: { workflowId: 'licences-1', runId: 'run-1' },
    ...(heartbeatDetails !== undefined ? { attempt: 2, heartbeatDetails } : {}),
  });
  const heartbeats: LicenceBatchResult[] = [];
  context.mock.on('heartbeat', (details: LicenceBatchResult) => heartbeats.push(structuredClone(details)));
  const { assignLicenceBatch } = createLicenceActivities({ customerTenants: client });
  return { result: context.run(assignLicenceBatch, input), heartbeats };
}

const assign = (...users: string[]) => users.map((user) => ({ user, action: 'assign' as const }));

describe('assignLicenceBatch', () => {
  it('gives each user an outcome and stops trying once the seats run out', async () => {
    const { client, calls } = tenant(
      { 'a@contoso.com': [], 'b@contoso.com': [SKU], 'c@contoso.com': [], 'd@contoso.com': [], 'e@contoso.com': [SKU] },
      1,
    );
    const changes = assign(
      'a@contoso.com',
      'b@contoso.com',
      'x@contoso.com',
      'c@contoso.com',
      'd@contoso.com',
      'e@contoso.com',
    );
    const { result, heartbeats } = run(client, { customerId, skuId: SKU, changes, seatsExhausted: false });
    const done = await result;
    expect(done.users.map((u) => u.outcome)).toEqual([
      'assigned',
      'alreadyAssigned',
      'userNotFound',
      'noLicenceAvailable',
      'noLicenceAvailable',
      'alreadyAssigned',
    ]);
    expect(done.seatsExhausted).toBe(true);
    expect(calls.filter((c) => c.startsWith('assign'))).toEqual([
      'assign a@contoso.com +1 -0',
      'assign c@contoso.com +1 -0',
    ]);
    expect(heartbeats.at(-1)).toEqual(done);
  });

  it('resumes after the last user a previous attempt heartbeat', async () => {
    const { client, calls } = tenant({ 'a@contoso.com': [], 'b@contoso.com': [] }, 5);
    const changes = assign('a@contoso.com', 'b@contoso.com');
    const previous = { users: [{ user: 'a@contoso.com', outcome: 'assigned' as const }], seatsExhausted: false };
    const done = await run(client, { customerId, skuId: SKU, changes, seatsExhausted: false }, previous).result;
    expect(done.users).toEqual([
      { user: 'a@contoso.com', outcome: 'assigned' },
      { user: 'b@contoso.com', outcome: 'assigned' },
    ]);
    expect(calls).toEqual(['get b@contoso.com', 'assign b@contoso.com +1 -0']);
  });

  it("ignores a heartbeat that is not this batch's", async () => {
    const { client, calls } = tenant({ 'a@contoso.com': [] }, 5);
    const stranger = { users: [{ user: 'z@contoso.com', outcome: 'assigned' as const }], seatsExhausted: false };
    await run(client, { customerId, skuId: SKU, changes: assign('a@contoso.com'), seatsExhausted: false }, stranger)
      .result;
    expect(calls).toEqual(['get a@contoso.com', 'assign a@contoso.com +1 -0']);
  });

  it('fails the attempt retryably on a 429, after Retry-After, keeping the users done so far', async () => {
    const { client } = tenant({ 'a@contoso.com': [], 'throttled@contoso.com': [] }, 5);
    const changes = assign('a@contoso.com', 'throttled@contoso.com');
    const { result, heartbeats } = run(client, { customerId, skuId: SKU, changes, seatsExhausted: false });
    const failure = await result.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect((failure as ApplicationFailure).nonRetryable).toBe(false);
    expect((failure as ApplicationFailure).nextRetryDelay).toBe(2_000);
    expect(heartbeats.at(-1)?.users).toEqual([{ user: 'a@contoso.com', outcome: 'assigned' }]);
  });

  it('removes, and reports a user deleted between the read and the assignment as not found', async () => {
    const { client } = tenant({ 'a@contoso.com': [SKU], 'gone@contoso.com': [], 'n@contoso.com': [] }, 5);
    const changes = [
      { user: 'a@contoso.com', action: 'remove' as const },
      { user: 'n@contoso.com', action: 'remove' as const },
      ...assign('gone@contoso.com'),
    ];
    const done = await run(client, { customerId, skuId: SKU, changes, seatsExhausted: false }).result;
    expect(done.users.map((u) => u.outcome)).toEqual(['removed', 'removed', 'userNotFound']);
    expect(done.users[1].detail).toBe('did not hold the licence');
  });
});
