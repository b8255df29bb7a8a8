import { installedTree, spawnPcw, type InstalledTree } from '../../support/pcw';
import { testServerAddress } from '../../support/temporal';
import { startRig, type PurchaseRig } from '../purchase/harness';

/**
 * Issue 10's "done when" for the lifecycle: an upgrade, a trial conversion and a suspend/reactivate complete
 * through `pcw change --wait` (the installed bin), against a worker serving the sandbox.
 */

let rig: PurchaseRig;
let tree: InstalledTree;
let customer: string;
beforeAll(async () => {
  tree = installedTree();
  rig = await startRig();
  customer = rig.sandbox.customerIds[0]!;
});
afterAll(async () => {
  tree?.remove();
  await rig?.close();
});

const pcw = (args: string[], taskQueue: string) =>
  spawnPcw(
    tree.bin,
    args,
    {
      TEMPORAL_ADDRESS: testServerAddress(),
      TEMPORAL_CONFIG_FILE: '/nonexistent/temporal.toml',
      TEMPORAL_TASK_QUEUE: taskQueue,
    },
    tree.dir,
  ).exited;

const changeOf = (subscriptionId: string, requestId: string, ...flags: string[]) => [
  'change',
  '--customer',
  customer,
  '--subscription',
  subscriptionId,
  '--request-id',
  `${requestId}-${Date.now()}`,
  ...flags,
  '--wait',
];

describe('pcw change through the subscription lifecycle', () => {
  it('upgrades with --transition-to and reports the subscription that got the seats (--json)', async () => {
    await rig.withWorker(async ({ taskQueue }) => {
      const { id } = await rig.sandbox.control.seedSubscription({
        customerId: customer,
        productId: 'CFQ7TTC0LH18',
        skuId: '0001',
        termDuration: 'P1Y',
        quantity: 8,
      });
      const standard = await rig.catalogItemIdOf({ productId: 'CFQ7TTC0LDPB', skuId: '0001' }, 'P1Y', 'monthly');
      const upgraded = await pcw(
        changeOf(id, 'cli-upgrade', '--transition-to', standard, '--quantity', '3', '--json'),
        taskQueue,
      );
      expect(upgraded.code).toBe(0);
      const result = JSON.parse(upgraded.stdout.trim().split('\n').pop()!);
      expect(result).toMatchObject({
        completion: 'accepted',
        after: { id, quantity: 5 },
        transition: { toCatalogItemId: standard, quantity: 3, target: { catalogItemId: standard, quantity: 3 } },
      });

      const text = await pcw(changeOf(id, 'cli-upgrade-rest', '--transition-to', standard), taskQueue);
      expect(text.code).toBe(0);
      expect(text.stdout).toMatch(
        new RegExp(
          `transition to ${standard} \\(accepted\\); quantity 5 → 0, status deleted, auto-renew off; 5 seats now in [0-9a-f-]{36} \\(${standard}, P1Y monthly\\)`,
        ),
      );
    });
  });

  it('converts a trial with --convert-trial, and refuses fewer seats with the rule', async () => {
    await rig.withWorker(async ({ taskQueue }) => {
      const trial = await rig.sandbox.control.seedSubscription({
        customerId: customer,
        productId: 'CFQ7TTC0LDPB',
        skuId: '0002',
        quantity: 25,
      });
      const fewer = await pcw(changeOf(trial.id, 'cli-convert-few', '--convert-trial', '--quantity', '5'), taskQueue);
      expect(fewer.code).toBe(1);
      expect(fewer.stderr).toMatch(/ChangeRejected: .*a trial converts at least its 25 seats \(asked 5\)/);

      const converted = await pcw(
        changeOf(trial.id, 'cli-convert', '--convert-trial', '--billing', 'annual'),
        taskQueue,
      );
      expect(converted.code).toBe(0);
      expect(converted.stdout).toMatch(
        /convert the trial to paid, billed annual \(accepted\); quantity 25 → 25, status expired, auto-renew off; 25 seats now in [0-9a-f-]{36} \(CFQ7TTC0LDPB:0001:\w+, P1Y annual\)/,
      );
    });
  });

  it('suspends and reactivates with --suspend and --reactivate', async () => {
    await rig.withWorker(async ({ taskQueue }) => {
      const { id } = await rig.sandbox.control.seedSubscription({
        customerId: customer,
        productId: 'CFQ7TTC0LH18',
        skuId: '0001',
        termDuration: 'P1Y',
        quantity: 2,
      });
      const suspended = await pcw(changeOf(id, 'cli-suspend', '--suspend'), taskQueue);
      expect(suspended.code).toBe(0);
      expect(suspended.stdout).toMatch(
        /suspend \(still billed while suspended\) \(immediate\); quantity 2 → 2, status suspended/,
      );
      const reactivated = await pcw(changeOf(id, 'cli-reactivate', '--reactivate'), taskQueue);
      expect(reactivated.code).toBe(0);
      expect(reactivated.stdout).toMatch(/reactivate \(immediate\); quantity 2 → 2, status active, auto-renew on/);
    });
  });

  it('refuses a lifecycle flag that does not fit, naming it, with exit 2', async () => {
    const bad = await pcw(
      [
        'change',
        '--customer',
        customer,
        '--subscription',
        customer,
        '--request-id',
        'cli-bad-lifecycle',
        '--suspend',
        '--timing',
        'later',
      ],
      'cli-nobody',
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--timing applies only with --transition-to/);
    const both = await pcw(
      [
        'change',
        '--customer',
        customer,
        '--subscription',
        customer,
        '--request-id',
        'cli-both',
        '--suspend',
        '--reactivate',
      ],
      'cli-nobody',
    );
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/give exactly one of .*--suspend, --reactivate/);
  });
});
