/**
 * A purchase against Partner Center's 2026 token enforcement, on the real dev server with the real
 * worker: App+User without the MFA claim fails MfaRequired at the first Partner Center call (no
 * request repeated, one activity attempt) with the operator's action and no secret; App-only is not subject to
 * the MFA check; a token for the retired audience fails Unauthorized naming the audience to use.
 */
import type { WorkflowHandle } from '@temporalio/client';
import {
  historyText,
  JWT_PATTERN,
  line,
  offers,
  purchaseRequest,
  secretsOf,
  startRig,
  workflowFailure,
  type PurchaseRig,
} from './harness';

let rig: PurchaseRig;
let usCustomer: string;

beforeAll(async () => {
  rig = await startRig();
  usCustomer = rig.sandbox.customerIds[0];
});
afterAll(async () => {
  await rig?.close();
});
beforeEach(async () => {
  await rig.sandbox.control.reset();
});

/** Every activity attempt the workflow started, by activity type. */
async function activityAttempts(handle: WorkflowHandle): Promise<Array<{ activity: string; attempt: number }>> {
  const { events } = await handle.fetchHistory();
  const scheduled = new Map<string, string>();
  const attempts: Array<{ activity: string; attempt: number }> = [];
  for (const event of events ?? []) {
    const schedule = event.activityTaskScheduledEventAttributes;
    if (schedule) scheduled.set(String(event.eventId), schedule.activityType?.name ?? '?');
    const started = event.activityTaskStartedEventAttributes;
    if (started)
      attempts.push({
        activity: scheduled.get(String(started.scheduledEventId)) ?? '?',
        attempt: started.attempt ?? 0,
      });
  }
  return attempts;
}

describe('purchase under the 2026 token enforcement', () => {
  it('App+User without the MFA claim fails MfaRequired at the first Partner Center call: no repeat, one attempt, the operator action, no secret', async () => {
    await rig.sandbox.control.setAuthorityPolicy({ mfaClaim: false });
    await rig.withWorker(
      async ({ start }) => {
        const handle = await start(purchaseRequest(usCustomer, [line(offers.businessBasic, 1)]));
        const failure = await workflowFailure(handle);
        expect(failure.type).toBe('MfaRequired');
        expect(failure.nonRetryable).toBe(true);
        expect(failure.message).toContain('MFA required (900421)');
        expect(failure.message).toContain('re-consent with Microsoft Entra MFA through the secure application model');
        expect(failure.message).toContain('PARTNER_CENTER_REFRESH_TOKEN');
        expect(failure.details).toEqual([expect.objectContaining({ status: 401, code: 900421 })]);

        const counters = await rig.sandbox.control.counters();
        // The first step's catalog reads (product, SKU, availabilities, in parallel) were each answered 401/900421
        // once and nothing was sent after them: no repeat with a refreshed token, no retry, no cart.
        expect(Object.keys(counters.requests).sort()).toEqual([
          'GET /v1/products/{productId}',
          'GET /v1/products/{productId}/skus/{skuId}',
          'GET /v1/products/{productId}/skus/{skuId}/availabilities',
        ]);
        expect(Object.values(counters.requests)).toEqual([1, 1, 1]);
        expect(counters.tokens.refreshToken).toBe(1);
        const attempts = await activityAttempts(handle);
        expect(attempts).toHaveLength(1);
        expect(attempts[0].attempt).toBe(1);

        const history = await historyText(handle);
        expect(history).toContain('MfaRequired');
        for (const secret of secretsOf(rig.sandbox)) {
          expect(history).not.toContain(secret);
          expect(failure.message).not.toContain(secret);
        }
        expect(history).not.toMatch(JWT_PATTERN);
      },
      { appPlusUser: true },
    );
  });

  it('App-only purchases are not subject to the MFA check', async () => {
    await rig.sandbox.control.setAuthorityPolicy({ mfaClaim: false });
    await rig.withWorker(async ({ start }) => {
      const result = await (await start(purchaseRequest(usCustomer, [line(offers.businessBasic, 1)]))).result();
      expect(result.status).toBe('completed');
      expect(result.subscriptions).toHaveLength(1);
    });
  });

  it('a token for the retired audience fails Unauthorized naming https://api.partnercenter.microsoft.com', async () => {
    await rig.sandbox.control.setAuthorityPolicy({ legacyAudience: true });
    await rig.withWorker(async ({ start }) => {
      const handle = await start(purchaseRequest(usCustomer, [line(offers.businessBasic, 1)]));
      const failure = await workflowFailure(handle);
      expect(failure.type).toBe('Unauthorized');
      expect(failure.nonRetryable).toBe(true);
      expect(failure.message).toContain('retired Azure AD Graph audience (900420)');
      expect(failure.message).toContain('https://api.partnercenter.microsoft.com');
      expect(await activityAttempts(handle)).toHaveLength(1);
    });
  });
});
