import { builtEntry, runNode } from '../../support/processes';
import { testServerAddress } from '../../support/temporal';
import { offers, startRig, type PurchaseRig } from '../purchase/harness';

/** `npx pcw` (lib/cli/pcw.js) as an operator runs it, against a worker serving the real sandbox. */

let rig: PurchaseRig;
beforeAll(async () => {
  rig = await startRig();
});
afterAll(async () => {
  await rig?.close();
});

async function pcw(args: string[], taskQueue = 'unused'): Promise<{ code: number | null; output: string }> {
  const run = runNode(builtEntry('cli/pcw.js'), args, {
    TEMPORAL_ADDRESS: testServerAddress(),
    TEMPORAL_TASK_QUEUE: taskQueue,
    TEMPORAL_CONFIG_FILE: '/nonexistent/temporal.toml',
  });
  const { code } = await run.exited;
  return { code, output: run.output() };
}

const lastJson = (output: string) => JSON.parse(output.trim().split('\n').pop() as string);

describe('pcw', () => {
  it('buys with flags, waits in awaiting-approval, is approved by an operator and completes', async () => {
    await rig.withWorker(async ({ taskQueue }) => {
      const requestId = `cli-${Date.now()}`;
      const started = await pcw(
        [
          'purchase',
          '--customer', rig.sandbox.customerIds[0],
          '--request-id', requestId,
          '--product', offers.businessBasic.productId,
          '--sku', offers.businessBasic.skuId,
          '--quantity', '4',
          '--term', 'P1M',
          '--billing', 'monthly',
          '--require-approval',
          '--json',
        ],
        taskQueue,
      );
      expect(started.code).toBe(0);
      expect(lastJson(started.output)).toEqual({ workflowId: `purchase-${requestId}` });

      let step = '';
      for (let i = 0; i < 100 && step !== 'awaiting-approval'; i++) {
        step = lastJson((await pcw(['status', requestId, '--json'])).output).step;
        if (step !== 'awaiting-approval') await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(step).toBe('awaiting-approval');

      const approved = await pcw(['approve', requestId, '--by', 'alice@contoso', '--json']);
      expect(approved.code).toBe(0);

      const watched = await pcw(['watch', requestId]);
      expect(watched.code).toBe(0);
      expect(watched.output).toMatch(new RegExp(`purchase ${requestId}: completed`));
      expect(watched.output).toMatch(/subscriptions\s+\S+/);

      // A second start with the same request id attaches to the same purchase instead of buying again.
      const again = await pcw(
        [
          'purchase', '--customer', rig.sandbox.customerIds[0], '--request-id', requestId,
          '--product', offers.businessBasic.productId, '--sku', offers.businessBasic.skuId,
          '--quantity', '4', '--term', 'P1M', '--billing', 'monthly', '--wait', '--json',
        ],
        taskQueue,
      );
      expect(again.code).toBe(0);
      expect(lastJson(again.output)).toMatchObject({ requestId, status: 'completed' });
      const counters = await rig.sandbox.control.counters();
      expect(Object.values(counters.ordersPerCart).every((orders) => orders === 1)).toBe(true);
    });
  });

  it('changes a subscription it bought: more seats, then auto-renew off', async () => {
    await rig.withWorker(async ({ taskQueue }) => {
      const customer = rig.sandbox.customerIds[0];
      const bought = await pcw(
        [
          'purchase', '--customer', customer, '--request-id', `cli-buy-${Date.now()}`,
          '--product', offers.businessBasic.productId, '--sku', offers.businessBasic.skuId,
          '--quantity', '2', '--term', 'P1Y', '--billing', 'monthly', '--wait', '--json',
        ],
        taskQueue,
      );
      const subscriptionId = lastJson(bought.output).subscriptions[0].id as string;

      const more = await pcw(
        ['change', '--customer', customer, '--subscription', subscriptionId, '--request-id', `cli-more-${Date.now()}`, '--quantity', '6', '--wait', '--json'],
        taskQueue,
      );
      expect(more.code).toBe(0);
      expect(lastJson(more.output)).toMatchObject({ before: { quantity: 2 }, after: { quantity: 6, autoRenewEnabled: true } });

      const noRenew = await pcw(
        ['change', '--customer', customer, '--subscription', subscriptionId, '--request-id', `cli-renew-${Date.now()}`, '--auto-renew', 'off', '--wait'],
        taskQueue,
      );
      expect(noRenew.code).toBe(0);
      expect(noRenew.output).toMatch(/disable auto-renew .*quantity 6 → 6, status active, auto-renew off/);

      const twoChanges = await pcw(['change', '--customer', customer, '--subscription', subscriptionId, '--request-id', 'x', '--cancel', '--quantity', '1']);
      expect(twoChanges.code).toBe(2);
      expect(twoChanges.output).toMatch(/give exactly one of --quantity, --auto-renew/);
    });
  });

  it('reconciles unbilled charges now, and on a Temporal Schedule', async () => {
    await rig.withWorker(async ({ taskQueue }) => {
      const customer = rig.sandbox.customerIds[0];
      await pcw(
        [
          'purchase', '--customer', customer, '--request-id', `cli-recon-${Date.now()}`,
          '--product', offers.businessBasic.productId, '--sku', offers.businessBasic.skuId,
          '--quantity', '3', '--term', 'P1M', '--billing', 'monthly', '--wait', '--json',
        ],
        taskQueue,
      );
      const now = await pcw(['reconcile', '--currency', 'USD', '--customer', customer, '--billing-delay-hours', '0', '--wait', '--json'], taskQueue);
      expect(now.code).toBe(0);
      const report = lastJson(now.output);
      expect(report).toMatchObject({ period: 'current', currency: 'USD', customerId: customer });
      expect(report.lines).toBeGreaterThan(0);
      expect(report.matched).toBeGreaterThan(0);

      const scheduleId = `cli-reconcile-${Date.now()}`;
      const scheduled = await pcw(['reconcile', '--currency', 'USD', '--schedule', '0 6 * * *', '--schedule-id', scheduleId, '--json'], taskQueue);
      expect(scheduled.code).toBe(0);
      expect(lastJson(scheduled.output)).toEqual({ scheduleId, cron: '0 6 * * *' });
      const schedule = rig.client.schedule.getHandle(scheduleId);
      const description = await schedule.describe();
      expect(description.action).toMatchObject({ type: 'startWorkflow', workflowType: 'reconcileBilling', taskQueue });
      await schedule.delete();

      const bad = await pcw(['reconcile', '--currency', 'dollars', '--billing-delay-hours', '500', '--schedule', '0 6 * * *']);
      expect(bad.code).toBe(2);
      expect(bad.output).toMatch(/currency/);
      expect(bad.output).toMatch(/billingDelayHours/);
    });
  });

  it('reports an unknown purchase with exit 1', async () => {
    const unknown = await pcw(['cancel', 'no-such-request', '--reason', 'test', '--json']);
    expect(unknown.code).toBe(1);
    expect(lastJson(unknown.output).error).toMatch(/purchase-no-such-request|not found/i);
  });

  it('names the missing flag and shows usage, exit 2', async () => {
    const missing = await pcw(['purchase', '--customer', rig.sandbox.customerIds[0], '--request-id', 'x']);
    expect(missing.code).toBe(2);
    expect(missing.output).toMatch(/--product is required/);
    expect(missing.output).toMatch(/Usage: pcw/);
    const unknownFlag = await pcw(['status', 'x', '--colour']);
    expect(unknownFlag.code).toBe(2);
    expect(unknownFlag.output).toMatch(/--colour/);
  });
});
