import { join } from 'node:path';
import { installedTree, spawnPcw, type InstalledTree } from '../../support/pcw';
import { testServerAddress } from '../../support/temporal';
import {
  businessBasicPurchaseFlags,
  line,
  offers,
  purchaseRequest,
  startRig,
  untilStep,
  type PurchaseRig,
} from '../purchase/harness';

/**
 * `pcw` through its installed bin against the stack a user runs: the dev server, a worker serving the real
 * sandbox. Orders take 6 s to complete, so a purchase can be caught in awaiting-order.
 */

let rig: PurchaseRig;
let tree: InstalledTree;
beforeAll(async () => {
  tree = installedTree();
  rig = await startRig({ orderCompletionDelayMs: 6_000 });
});
afterAll(async () => {
  tree?.remove();
  await rig?.close();
});

function spawn(args: string[], taskQueue = 'cli-nobody') {
  return spawnPcw(
    tree.bin,
    args,
    {
      TEMPORAL_ADDRESS: testServerAddress(),
      TEMPORAL_CONFIG_FILE: '/nonexistent/temporal.toml',
      TEMPORAL_TASK_QUEUE: taskQueue,
    },
    tree.dir,
  );
}
const pcw = (args: string[], taskQueue?: string) => spawn(args, taskQueue).exited;
const oneLine = (text: string) => expect(text.trim().split('\n')).toHaveLength(1);

const buyFlags = (requestId: string, customer: string, ...extra: string[]) =>
  businessBasicPurchaseFlags(customer, requestId, 2, ...extra);

describe('pcw against a worker', () => {
  it('watches a purchase live through awaiting-approval, approves it, and refuses what no longer applies', async () => {
    await rig.withWorker(async ({ taskQueue }) => {
      const customer = rig.sandbox.customerIds[0];
      const requestId = `cli-approve-${Date.now()}`;
      const started = await pcw(buyFlags(requestId, customer, '--require-approval', '--json'), taskQueue);
      expect(started.code).toBe(0);
      expect(JSON.parse(started.stdout)).toEqual({ workflowId: `purchase-${requestId}`, newlyStarted: true });

      const watch = spawn(['watch', requestId]);
      await watch.waitFor(/awaiting-approval/);
      // The same request id while it runs: attached to, not started again.
      const attached = await pcw(buyFlags(requestId, customer, '--require-approval'), taskQueue);
      expect(attached.code).toBe(0);
      expect(attached.stdout).toMatch(
        new RegExp(
          `^purchase ${requestId} already running \\(step awaiting-approval, started 20\\d\\d-.*\\), attached`,
        ),
      );
      const approved = await pcw(['approve', requestId, '--by', 'alice@contoso']);
      expect(approved.code).toBe(0);
      expect(approved.stdout).toMatch(
        new RegExp(
          `purchase ${requestId} approved by alice@contoso; now (carting|checking-out|awaiting-order|provisioning|completed)`,
        ),
      );
      const watched = await watch.exited;
      expect(watched.code).toBe(0);
      // Each step as it happened: approval first, then the order, then the end with its subscription.
      expect(watched.stdout).toMatch(
        /awaiting-approval[\s\S]*awaiting-order[\s\S]*: completed[\s\S]*subscriptions\s+\S+/,
      );

      const again = await pcw(buyFlags(requestId, customer, '--wait'), taskQueue);
      expect(again.code).toBe(1);
      oneLine(again.stderr);
      expect(again.stderr).toMatch(
        new RegExp(
          `^pcw: purchase ${requestId} already exists \\(completed on 20\\d\\d-.*\\); nothing was started: use a new --request-id`,
        ),
      );

      const cancel = await pcw(['cancel', requestId, '--reason', 'too late']);
      expect(cancel.code).toBe(1);
      oneLine(cancel.stderr);
      expect(cancel.stderr).toMatch(
        /is already finished \(completed on .*\); to cancel what it bought, run `pcw change --cancel --customer \S+ --subscription ID --request-id NEW_ID` for subscription [0-9a-f-]{36}/,
      );
      const counters = await rig.sandbox.control.counters();
      expect(Object.values(counters.ordersPerCart).every((orders) => orders === 1)).toBe(true);
    });
  });

  it('gives the reason of a refused approve, and of a purchase that fails, in one line', async () => {
    await rig.withWorker(async ({ taskQueue, start }) => {
      const customer = rig.sandbox.customerIds[0];
      // Its order stays pending while two pcw processes start (seconds on a loaded machine), then 6 s again.
      await rig.sandbox.control.setDelays({ orderCompletionMs: 60_000 });
      const running = await start(purchaseRequest(customer, [line(offers.businessBasic, 1)]));
      await untilStep(running, 'awaiting-order');
      await rig.sandbox.control.setDelays({ orderCompletionMs: 6_000 });
      const requestId = running.workflowId.replace('purchase-', '');
      const [refused, refusedJson] = await Promise.all([
        pcw(['approve', requestId, '--by', 'bob']),
        pcw(['approve', requestId, '--by', 'bob', '--json']),
      ]);
      expect(refused.code).toBe(1);
      oneLine(refused.stderr);
      expect(refused.stderr).toMatch(
        new RegExp(
          `^pcw: purchase ${requestId}: approve refused: Purchase is (awaiting-order|provisioning), not awaiting approval\\n$`,
        ),
      );
      expect(refusedJson.code).toBe(1);
      expect(JSON.parse(refusedJson.stdout)).toEqual({
        error: {
          type: 'UpdateRejected',
          message: expect.stringMatching(
            new RegExp(
              `^purchase ${requestId}: approve refused: Purchase is (awaiting-order|provisioning), not awaiting approval$`,
            ),
          ),
        },
      });

      const nope = [
        'purchase',
        '--customer',
        customer,
        '--product',
        'NOPE',
        '--sku',
        '0001',
        '--quantity',
        '1',
        '--term',
        'P1M',
        '--billing',
        'monthly',
        '--wait',
      ];
      const [failed, failedJson, verbose] = await Promise.all([
        pcw([...nope, '--request-id', `cli-nope-${Date.now()}`], taskQueue),
        pcw([...nope, '--request-id', `cli-nope-json-${Date.now()}`, '--json'], taskQueue),
        pcw([...nope, '--request-id', `cli-nope-verbose-${Date.now()}`, '--verbose'], taskQueue),
      ]);
      // --verbose adds the stacks down the cause chain (the worker's included); never without it.
      expect(verbose.stderr).toMatch(
        /^pcw: purchase cli-nope-verbose-\d+ failed: CatalogItemNotFound: .*\n[\s\S]*Caused by: ApplicationFailure[\s\S]*\n\s+at /,
      );
      expect(failed.code).toBe(1);
      oneLine(failed.stderr);
      expect(failed.stderr).toMatch(/^pcw: purchase cli-nope-\d+ failed: CatalogItemNotFound: .*NOPE/);
      expect(failedJson.code).toBe(1);
      expect(JSON.parse(failedJson.stdout.trim().split('\n').pop() as string)).toEqual({
        error: {
          type: 'CatalogItemNotFound',
          message: expect.stringMatching(/^purchase cli-nope-json-\d+ failed: .*NOPE/),
          details: expect.anything(),
        },
      });
    });
  });

  it('changes a subscription with live steps, refuses a bad renewal with its reason, and shows changes in status and list', async () => {
    await rig.withWorker(async ({ taskQueue, start }) => {
      const customer = rig.sandbox.customerIds[0];
      const bought = await (await start(purchaseRequest(customer, [line(offers.businessBasic, 2)]))).result();
      const subscriptionId = bought.subscriptions[0].id;
      const requestId = `cli-more-${Date.now()}`;
      const more = await pcw(
        [
          'change',
          '--customer',
          customer,
          '--subscription',
          subscriptionId,
          '--request-id',
          requestId,
          '--quantity',
          '6',
          '--wait',
        ],
        taskQueue,
      );
      expect(more.code).toBe(0);
      expect(more.stdout).toMatch(
        new RegExp(
          `change ${requestId}: [a-z-]+\\n[\\s\\S]*change ${requestId}: set quantity to 6 \\(\\w+\\); quantity 2 → 6, status active, auto-renew on`,
        ),
      );

      const renew = await pcw(
        [
          'change',
          '--customer',
          customer,
          '--subscription',
          subscriptionId,
          '--request-id',
          `cli-renew-${Date.now()}`,
          '--schedule-next-term',
          '--term',
          'P1M',
          '--wait',
        ],
        taskQueue,
      );
      expect(renew.code).toBe(1);
      oneLine(renew.stderr);
      expect(renew.stderr).toMatch(
        /failed: InvalidChangeRequest: .*change\.catalogItemId is required to renew into P1M/,
      );

      const status = await pcw(['status', requestId]);
      expect(status.code).toBe(0);
      expect(status.stdout).toMatch(
        new RegExp(
          `^change ${requestId}: completed \\(closed .*\\)\\n  subscription\\s+${subscriptionId}\\n  change\\s+set quantity to 6`,
        ),
      );
      const byWorkflowId = await pcw(['watch', `change-${requestId}`, '--json']);
      expect(byWorkflowId.code).toBe(0);
      expect(JSON.parse(byWorkflowId.stdout)).toMatchObject({
        kind: 'change',
        step: 'completed',
        result: { after: { quantity: 6 } },
      });

      // Every run of this seeded customer on the shared dev server (lifecycles of other files' purchases too): all of them.
      const list = await pcw(['list', '--customer', customer, '--limit', '1000']);
      expect(list.code).toBe(0);
      expect(list.stdout).toMatch(/^WORKFLOW ID\s+KIND\s+STATUS\s+STEP\s+CUSTOMER\s+STARTED/);
      expect(list.stdout).toMatch(new RegExp(`change-${requestId}\\s+change\\s+COMPLETED\\s+completed`));
      expect(list.stdout).toMatch(/purchase-\S+\s+purchase\s+COMPLETED/);
      const none = await pcw([
        'list',
        '--customer',
        '00000000-0000-0000-0000-000000000000',
        '--step',
        'awaiting-change',
      ]);
      expect(none.stdout.trim()).toBe(
        'no purchases, changes or reconciliations of customer 00000000-0000-0000-0000-000000000000 in step awaiting-change',
      );
    });
  });

  it('reconciles now (status and watch by workflow id) and on a schedule that schedules list and delete show', async () => {
    await rig.withWorker(async ({ taskQueue }) => {
      const customer = rig.sandbox.customerIds[2];
      const waited = await pcw(
        ['reconcile', '--currency', 'USD', '--customer', customer, '--billing-delay-hours', '0', '--wait'],
        taskQueue,
      );
      expect(waited.code).toBe(0);
      // The report, labelled with the run's workflow id (reconcileBilling has no status query: `running` while it runs).
      const workflowId =
        /^reconcile (reconcile-USD-current-\S+): USD current .* lines, \d+ subscriptions matched/m.exec(
          waited.stdout,
        )?.[1] as string;
      expect(workflowId).toBeDefined();
      const watched = await pcw(['watch', workflowId]);
      expect(watched.code).toBe(0);
      expect(watched.stdout).toMatch(
        new RegExp(
          `reconcile ${workflowId}: completed[\\s\\S]*report\\s+USD current .* lines, \\d+ subscriptions matched`,
        ),
      );
      const status = await pcw(['status', workflowId, '--json']);
      expect(JSON.parse(status.stdout)).toMatchObject({
        kind: 'reconcile',
        execution: 'COMPLETED',
        result: { currency: 'USD', customerId: customer },
      });
      const listed = await pcw(['list', '--customer', customer, '--limit', '1000']);
      expect(listed.stdout).toMatch(new RegExp(`${workflowId}\\s+reconcile\\s+COMPLETED`));

      const scheduleId = `cli-reconcile-${Date.now()}`;
      const scheduled = await pcw(
        ['reconcile', '--currency', 'USD', '--schedule', '0 6 * * MON-FRI', '--schedule-id', scheduleId, '--json'],
        taskQueue,
      );
      expect(scheduled.code).toBe(0);
      expect(JSON.parse(scheduled.stdout)).toEqual({ scheduleId, cron: '0 6 * * MON-FRI' });
      const schedules = await pcw(['schedules', 'list']);
      expect(schedules.code).toBe(0);
      expect(schedules.stdout).toMatch(/^SCHEDULE ID\s+CRON \(UTC\)\s+WORKFLOW TYPE\s+NEXT RUN\s+PAUSED/);
      expect(schedules.stdout).toMatch(
        new RegExp(`${scheduleId}\\s+0 6 \\* \\* MON-FRI\\s+reconcileBilling\\s+20\\d\\d-\\S+\\s+no`),
      );
      const deleted = await pcw(['schedules', 'delete', scheduleId]);
      expect(deleted.code).toBe(0);
      expect(deleted.stdout).toMatch(`deleted schedule ${scheduleId}`);
      expect((await pcw(['schedules', 'list'])).stdout).not.toMatch(scheduleId);
    });
  });

  it('buys from the example request file exactly as the README shows (--file examples/purchase.json --wait)', async () => {
    await rig.withWorker(async ({ taskQueue }) => {
      const example = join(__dirname, '..', '..', '..', 'examples', 'purchase.json');
      const bought = await pcw(['purchase', '--file', example, '--wait'], taskQueue);
      expect(bought.code).toBe(0);
      expect(bought.stdout).toMatch(/purchase example-purchase-1: completed/);
      const status = await pcw(['status', 'example-purchase-1', '--json']);
      expect(JSON.parse(status.stdout)).toMatchObject({ step: 'completed' });
      const counters = await rig.sandbox.control.counters();
      expect(Object.values(counters.ordersPerCart).every((orders) => orders === 1)).toBe(true);
    });
  });
});
