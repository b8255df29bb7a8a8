import { randomUUID } from 'node:crypto';
import {
  createCatalogResolver,
  createPartnerCenterClient,
  createTokenProvider,
  type PartnerCenterClient,
} from '../../../src/partner-center';
import { sandboxTokenOptions } from '../../../src/sandbox-settings';
import { offers, startRig, type PurchaseRig } from '../purchase/harness';
import { buySubscriptions } from '../../support/reconcile';
import { call, operate, read, startApi, submit, until, type RunningApi } from './support';

/**
 * The HTTP API's subscription-change and reconciliation routes followed to their results, over real HTTP, with a real
 * worker (every activity) against the sandbox: what an upstream system sees, not only that a run started.
 */

let rig: PurchaseRig;
let pc: PartnerCenterClient;
let customerId: string;
beforeAll(async () => {
  rig = await startRig({ orderCompletionDelayMs: 0, orderListDelayMs: 0 });
  customerId = rig.sandbox.customerIds[0]!;
  pc = createPartnerCenterClient({
    baseUrl: rig.sandbox.baseUrl,
    tokens: createTokenProvider(sandboxTokenOptions(rig.sandbox)),
  });
});
afterAll(async () => {
  await rig?.close();
});

/** Runs `body` with an API whose runs a worker serves. */
function withApi<T>(body: (api: RunningApi) => Promise<T>): Promise<T> {
  return rig.withWorker(async ({ taskQueue }) => {
    const api = await startApi(rig.client, taskQueue);
    try {
      return await body(api);
    } finally {
      await api.close();
    }
  });
}

const ended = (view: Record<string, unknown>) => view.execution !== 'RUNNING';

describe('HTTP API runs followed to their results', () => {
  it('a subscription change: 202, then the completed view with its result, and Partner Center holds the new quantity', async () => {
    const [bought] = await buySubscriptions(pc, createCatalogResolver(pc, {}), customerId, [[offers.businessBasic, 3]]);
    const requestId = `api-change-result-${randomUUID()}`;
    const change = {
      requestId,
      customerId,
      subscriptionId: bought!.id,
      change: { action: 'setQuantity', quantity: 5 },
    };
    await withApi(async (api) => {
      expect((await call(api, 'POST', '/v1/subscription-changes', { token: operate, body: change })).status).toBe(202);
      const view = await until(api, `/v1/subscription-changes/${requestId}`, read, ended, 60_000);
      expect(view).toMatchObject({ kind: 'change', execution: 'COMPLETED', result: { subscriptionId: bought!.id } });
    });
    expect((await pc.getSubscription(customerId, bought!.id)).quantity).toBe(5);
  });

  it('a reconciliation: 202, then the completed view with its report of the month', async () => {
    const [bought] = await buySubscriptions(pc, createCatalogResolver(pc, {}), customerId, [
      [offers.teamsEssentials, 2],
    ]);
    await withApi(async (api) => {
      const started = await call(api, 'POST', '/v1/reconciliations', {
        token: submit,
        body: { period: 'current', currency: 'USD', customerId, billingDelayHours: 0 },
      });
      expect(started.status).toBe(202);
      const { statusUrl } = started.body as { statusUrl: string };
      const view = await until(api, statusUrl, read, ended, 60_000);
      expect(view).toMatchObject({ kind: 'reconcile', execution: 'COMPLETED' });
      const report = view.result as {
        lines: number;
        matched: number;
        missingCharges: Array<{ subscriptionId: string }>;
      };
      expect(report.lines).toBeGreaterThan(0);
      expect(report.matched).toBeGreaterThan(0);
      expect(report.missingCharges.map((m) => m.subscriptionId)).not.toContain(bought!.id);
    });
  });
});
