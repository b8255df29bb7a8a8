/**
 * assignLicences end to end: the real worker and client on the dev server, the customer's tenant on the sandbox's
 * Graph host over HTTP with msal-node tokens for that tenant. Alone and from a purchase with `assignTo`.
 */
import { randomUUID } from 'node:crypto';
import {
  getLicenceAssignmentStatus,
  startLicenceAssignment,
  type LicenceRequest,
  type LicenceResult,
} from '../../../src/client';
import {
  historyText,
  JWT_PATTERN,
  line,
  offers,
  purchaseRequest,
  recordHistory,
  secretsOf,
  workflowFailure,
  type PurchaseRig,
} from '../purchase/harness';
import { startLicenceRig } from './harness';

let rig: PurchaseRig;
let customer: string;
let upn: (name: string) => string;

beforeAll(async () => {
  ({ rig, customer, upn } = await startLicenceRig({ orderCompletionDelayMs: 200, orderListDelayMs: 0 }));
}, 60_000);
afterAll(() => rig?.close());
beforeEach(async () => {
  await rig.sandbox.control.reset();
  await rig.sandbox.control.setDelays({ licenceVisibilityMs: 0 });
});

const seedSubscription = (quantity: number) =>
  rig.sandbox.control.seedSubscription({
    customerId: customer,
    ...offers.businessBasic,
    quantity,
    termDuration: 'P1Y',
  });
const request = (subscriptionId: string, assign: string[], remove: string[] = []): LicenceRequest => ({
  requestId: `lic-${randomUUID()}`,
  customerId: customer,
  subscriptionId,
  assign,
  remove,
});
const outcomes = (result: LicenceResult) => Object.fromEntries(result.users.map((u) => [u.user, u.outcome]));
const graphRequests = async (route: string) => (await rig.sandbox.control.counters()).requests[route] ?? 0;

async function expectNoSecretIn(handle: Parameters<typeof historyText>[0], result?: unknown): Promise<void> {
  const text = `${await historyText(handle)}\n${JSON.stringify(result ?? null)}`;
  for (const secret of secretsOf(rig.sandbox)) expect(text).not.toContain(secret);
  expect(text).not.toMatch(JWT_PATTERN);
}

describe('assignLicences alone', () => {
  it('gives what fits, names every user, and reads the seats after', async () => {
    const subscription = await seedSubscription(3);
    await rig.sandbox.control.setConsumedSeats(subscription.id, 1); // user01 holds one already
    await rig.withWorker(async ({ taskQueue }) => {
      const assign = [upn('user01'), upn('user02'), upn('unlocated'), upn('USER03'), upn('user04'), upn('ghost')];
      const handle = await startLicenceAssignment(rig.client, request(subscription.id, assign), { taskQueue });
      const result = await handle.result();
      expect(outcomes(result)).toEqual({
        [upn('user01')]: 'alreadyAssigned',
        [upn('user02')]: 'assigned',
        [upn('unlocated')]: 'noLicenceAvailable',
        [upn('USER03')]: 'assigned',
        [upn('user04')]: 'noLicenceAvailable',
        [upn('ghost')]: 'userNotFound',
      });
      expect(result.users.map((u) => u.user)).toEqual(assign);
      expect(result.users.find((u) => u.user === upn('unlocated'))?.detail).toMatch(/no usage location/);
      expect(result.sku).toMatchObject({ total: 3, consumed: 3 });
      expect(result.users.find((u) => u.user === upn('user04'))?.detail).toMatch(/available licenses/);
      expect((await getLicenceAssignmentStatus(rig.client, result.requestId)).step).toBe('completed');
      await expectNoSecretIn(handle, result);
      await recordHistory('licences-assigned', handle);
    });
  });

  it('removes first, by object id too, and a second run changes nothing', async () => {
    const subscription = await seedSubscription(2);
    await rig.sandbox.control.setConsumedSeats(subscription.id, 2); // user01 and user02 hold both seats
    const { users } = await rig.sandbox.control.tenant(customer);
    const user02 = users.find((u) => u.userPrincipalName === upn('user02'))!;
    await rig.withWorker(async ({ taskQueue }) => {
      const first = request(subscription.id, [upn('user05')], [user02.id.toUpperCase(), upn('user06')]);
      const result = await (await startLicenceAssignment(rig.client, first, { taskQueue })).result();
      expect(result.users).toEqual([
        { user: user02.id.toUpperCase(), outcome: 'removed' },
        { user: upn('user06'), outcome: 'removed', detail: 'did not hold the licence' },
        { user: upn('user05'), outcome: 'assigned' },
      ]);
      expect(result.sku).toMatchObject({ total: 2, consumed: 2 });
      const before = await graphRequests('POST /v1.0/users/{userId}/assignLicense');
      const again = await (
        await startLicenceAssignment(rig.client, { ...first, requestId: `${first.requestId}-again` }, { taskQueue })
      ).result();
      expect(outcomes(again)).toEqual({
        [user02.id.toUpperCase()]: 'removed',
        [upn('user06')]: 'removed',
        [upn('user05')]: 'alreadyAssigned',
      });
      expect(await graphRequests('POST /v1.0/users/{userId}/assignLicense')).toBe(before);
    });
  });

  it('waits until the subscription shows in the tenant', async () => {
    // Seeded once the worker is up, and visible 4 s later: a loaded machine's worker start does not eat the wait.
    await rig.sandbox.control.setDelays({ licenceVisibilityMs: 4_000 });
    await rig.withWorker(async ({ taskQueue }) => {
      const subscription = await seedSubscription(1);
      const reads = await graphRequests('GET /v1.0/directory/subscriptions');
      const handle = await startLicenceAssignment(rig.client, request(subscription.id, [upn('user01')]), {
        taskQueue,
      });
      const result = await handle.result();
      expect(outcomes(result)).toEqual({ [upn('user01')]: 'assigned' });
      // Polled every 250 ms while it did not show: more reads than the one that found it and the one after.
      expect((await graphRequests('GET /v1.0/directory/subscriptions')) - reads).toBeGreaterThanOrEqual(3);
      await recordHistory('licences-visibility-wait', handle);
    });
  });

  it('fails LicencesNotVisible after LICENCE_VISIBILITY_DEADLINE, having assigned nothing', async () => {
    await rig.sandbox.control.setDelays({ licenceVisibilityMs: 600_000 });
    const subscription = await seedSubscription(1);
    await rig.withWorker(
      async ({ taskQueue }) => {
        const handle = await startLicenceAssignment(rig.client, request(subscription.id, [upn('user01')]), {
          taskQueue,
        });
        const failure = await workflowFailure(handle);
        expect(failure.type).toBe('LicencesNotVisible');
        expect(failure.message).toMatch(/did not show in the customer's tenant/);
        expect(await graphRequests('POST /v1.0/users/{userId}/assignLicense')).toBe(0);
        await recordHistory('licences-not-visible', handle);
      },
      { licenceVisibilityDeadlineMs: 1_500 },
    );
  });

  it('refuses a bad request naming every field, before any Graph call', async () => {
    await rig.withWorker(async ({ taskQueue }) => {
      const bad = {
        requestId: `lic-${randomUUID()}`,
        customerId: customer,
        subscriptionId: 'not-a-guid',
        assign: ['nobody', upn('user01'), upn('USER01')],
        remove: [upn('user01')],
      };
      const handle = await startLicenceAssignment(rig.client, bad, { taskQueue });
      const failure = await workflowFailure(handle);
      expect(failure.type).toBe('InvalidLicenceRequest');
      expect(failure.nonRetryable).toBe(true);
      for (const field of ['subscriptionId', 'assign[0]', 'assign[2]', 'remove[0]'])
        expect(failure.message).toContain(field);
      expect(await graphRequests('GET /v1.0/directory/subscriptions')).toBe(0);
      await recordHistory('licences-invalid-request', handle);
    });
  });

  it('fails Unauthorized without a GDAP role in the tenant, naming the role', async () => {
    const subscription = await seedSubscription(1);
    await rig.sandbox.control.setTenant(customer, { gdapAccess: false });
    await rig.withWorker(async ({ taskQueue }) => {
      const handle = await startLicenceAssignment(rig.client, request(subscription.id, [upn('user01')]), {
        taskQueue,
      });
      const failure = await workflowFailure(handle);
      expect(failure.type).toBe('Unauthorized');
      expect(failure.message).toMatch(/GDAP/);
      await expectNoSecretIn(handle);
    });
  });
});

describe('a purchase with assignTo', () => {
  it("assigns each item's licences after provisioning and reports every user", async () => {
    await rig.withWorker(async ({ start }) => {
      const purchase = purchaseRequest(customer, [
        line(offers.businessBasic, 2, { assignTo: [upn('user07'), upn('user08'), upn('user09'), upn('nobody')] }),
        line(offers.office365E3, 1),
      ]);
      const handle = await start(purchase);
      const result = await handle.result();
      expect(result.status).toBe('completed');
      expect(result.licences).toHaveLength(1);
      const [licences] = result.licences!;
      expect(licences.item).toBe(0);
      expect(result.subscriptions.map((s) => s.id)).toContain(licences.subscriptionId);
      expect(Object.fromEntries(licences.users.map((u) => [u.user, u.outcome]))).toEqual({
        [upn('user07')]: 'assigned',
        [upn('user08')]: 'assigned',
        [upn('user09')]: 'noLicenceAvailable',
        [upn('nobody')]: 'userNotFound',
      });
      const child = rig.client.workflow.getHandle(`licences-${purchase.requestId}-0`);
      expect((await child.describe()).status.name).toBe('COMPLETED');
      await expectNoSecretIn(handle, result);
      await recordHistory('purchase-assigns-licences', handle);
      await recordHistory('licences-from-purchase', child);
    });
  });

  it('refuses a bad assignTo with the purchase request, before any call', async () => {
    await rig.withWorker(async ({ start }) => {
      const handle = await start(
        purchaseRequest(customer, [line(offers.businessBasic, 1, { assignTo: ['x', upn('a'), upn('A')] })]),
      );
      const failure = await workflowFailure(handle);
      expect(failure.type).toBe('InvalidPurchaseRequest');
      expect(failure.message).toContain('items[0].assignTo[0]');
      expect(failure.message).toContain('items[0].assignTo[2]');
    });
  });
});
