/**
 * Licence assignment under the 2026 token enforcement, on the real dev server with an App+User worker against the
 * sandbox. Partner Center's MFA check (401/900421) is Partner Center's: with tokens lacking the MFA claim, a purchase
 * with `assignTo` fails MfaRequired at its first Partner Center call, before anything is bought or assigned, while an
 * assignment alone calls only Microsoft Graph in the customer's tenant, which the sandbox does not subject to it. A
 * Graph refusal that does say MFA fails the assignment MfaRequired as Partner Center's does: once, not retried, not a
 * per-user outcome, with the operator's action and no secret.
 */
import { randomUUID } from 'node:crypto';
import { startLicenceAssignment, type LicenceRequest } from '../../../src/client';
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
  await rig.sandbox.control.setAuthorityPolicy({ mfaClaim: false });
});

const appPlusUser = { appPlusUser: true };
const DIRECTORY_SUBSCRIPTIONS = 'GET /v1.0/directory/subscriptions';
const requests = async () => (await rig.sandbox.control.counters()).requests;
const licenceRequest = (subscriptionId: string, assign: string[]): LicenceRequest => ({
  requestId: `lic-${randomUUID()}`,
  customerId: customer,
  subscriptionId,
  assign,
});
const seedSubscription = () =>
  rig.sandbox.control.seedSubscription({
    customerId: customer,
    ...offers.businessBasic,
    quantity: 2,
    termDuration: 'P1Y',
  });
const holders = async () =>
  (await rig.sandbox.control.tenant(customer)).users.filter((u) => u.assignedSkuIds.length > 0).map((u) => u.id);

describe('licences with App+User tokens lacking the MFA claim', () => {
  it('a purchase with assignTo fails MfaRequired at its first Partner Center call: nothing bought, nothing assigned', async () => {
    await rig.withWorker(async ({ start }) => {
      const purchase = purchaseRequest(customer, [line(offers.businessBasic, 1, { assignTo: [upn('user01')] })]);
      const failure = await workflowFailure(await start(purchase));
      expect(failure.type).toBe('MfaRequired');
      expect(failure.nonRetryable).toBe(true);
      expect(failure.message).toContain('PARTNER_CENTER_REFRESH_TOKEN');
      const child = rig.client.workflow.getHandle(`licences-${purchase.requestId}-0`);
      await expect(child.describe()).rejects.toThrow(/not found/i);
      const called = await requests();
      expect(called['POST /v1/customers/{customerId}/carts']).toBeUndefined();
      expect(called[DIRECTORY_SUBSCRIPTIONS]).toBeUndefined();
      expect(await holders()).toEqual([]);
    }, appPlusUser);
  });

  it("an assignment alone completes: Graph in the customer's tenant is not subject to Partner Center's check", async () => {
    const subscription = await seedSubscription();
    await rig.withWorker(async ({ taskQueue }) => {
      const handle = await startLicenceAssignment(rig.client, licenceRequest(subscription.id, [upn('user01')]), {
        taskQueue,
      });
      const result = await handle.result();
      expect(result.users).toEqual([{ user: upn('user01'), outcome: 'assigned' }]);
      // The worker was App+User: the customer tenant's tokens came from the refresh token, without the MFA claim.
      expect((await rig.sandbox.control.counters()).tokens.refreshToken).toBeGreaterThan(0);
    }, appPlusUser);
  });

  it('Graph refusing the token for MFA fails the assignment MfaRequired: one request, not retried, no secret', async () => {
    const subscription = await seedSubscription();
    await rig.sandbox.control.addFault({
      path: `/graph/v1.0/directory/subscriptions`,
      kind: 'status',
      status: 401,
      code: 'InvalidAuthenticationToken',
      description: 'MFA required: the access token has no mfa claim in amr.',
    });
    await rig.withWorker(async ({ taskQueue }) => {
      const before = (await requests())[DIRECTORY_SUBSCRIPTIONS] ?? 0;
      const handle = await startLicenceAssignment(rig.client, licenceRequest(subscription.id, [upn('user01')]), {
        taskQueue,
      });
      const failure = await workflowFailure(handle);
      expect(failure.type).toBe('MfaRequired');
      expect(failure.nonRetryable).toBe(true);
      expect(failure.message).toContain('MFA required');
      expect(failure.message).toContain('PARTNER_CENTER_REFRESH_TOKEN');
      // No repeat with a refreshed token, no second attempt, no user tried.
      expect(((await requests())[DIRECTORY_SUBSCRIPTIONS] ?? 0) - before).toBe(1);
      expect(await holders()).toEqual([]);
      const history = await historyText(handle);
      for (const secret of secretsOf(rig.sandbox)) expect(`${history}${failure.message}`).not.toContain(secret);
      expect(history).not.toMatch(JWT_PATTERN);
      await recordHistory('licences-mfa-required', handle);
    }, appPlusUser);
  });
});
