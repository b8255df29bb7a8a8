import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installedTree, spawnPcw, type InstalledTree } from '../../support/pcw';
import { testServerAddress } from '../../support/temporal';
import { businessBasicPurchaseFlags, line, offers, purchaseRequest, startRig, type PurchaseRig } from './harness';

/**
 * Issue 10's "done when", through the installed `pcw` bin: one `pcw purchase --wait` buys for a customer whose
 * Microsoft Customer Agreement must be confirmed, offers that enforce attestations and the best promotion,
 * co-termed to a subscription the customer already has.
 */

let rig: PurchaseRig;
let tree: InstalledTree;
let dir: string;
beforeAll(async () => {
  tree = installedTree();
  dir = mkdtempSync(join(tmpdir(), 'pcw-prerequisites-'));
  rig = await startRig();
});
afterAll(async () => {
  tree?.remove();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  await rig?.close();
});

const pcw = (args: string[], taskQueue = 'cli-nobody') =>
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

it('one `pcw purchase --wait`: MCA confirmed, attested offers (customer and partner of record), best promotion, co-termed to an existing subscription', async () => {
  const customer = rig.sandbox.customerIds[0]!;
  await rig.withWorker(
    async ({ start, taskQueue }) => {
      const existing = (await (await start(purchaseRequest(customer, [line(offers.office365E3, 2)]))).result())
        .subscriptions[0]!;
      await rig.sandbox.control.advanceClock(40 * 24 * 3_600_000);
      await rig.sandbox.control.withdrawAgreements(customer);
      const alignWith = { subscriptionId: existing.id };
      const file = join(dir, 'request.json');
      writeFileSync(
        file,
        JSON.stringify({
          requestId: `cli-prerequisites-${Date.now()}`,
          customerId: customer,
          agreement: { firstName: 'Dana', lastName: 'Lopez', email: 'dana.lopez@example.com' },
          items: [
            { ...line(offers.businessBasic, 4), promotionId: 'best', alignWith },
            {
              ...line({ productId: 'CFQ7TTC0HD32', skuId: '0001' }, 3),
              attestationAccepted: true,
              alignWith,
            },
            {
              ...line({ productId: 'CFQ7TTC0LH0Z', skuId: '0001' }, 2),
              partnerOnRecordAttestationAccepted: true,
              alignWith,
            },
          ],
        }),
      );
      const run = await pcw(['purchase', '--file', file, '--wait', '--json'], taskQueue);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      const result = JSON.parse(run.stdout.trim().split('\n').at(-1)!);
      expect(result.status).toBe('completed');
      expect(result.promotions).toEqual([{ item: 0, promotionId: '39NFJQT1Q5KL:0001:39NFJQT1BB20' }]);
      expect(result.subscriptions).toHaveLength(3);
      for (const subscription of result.subscriptions)
        expect(subscription.commitmentEndDate).toBe(existing.commitmentEndDate);
    },
    { appPlusUser: true },
  );
  const counters = await rig.sandbox.control.counters();
  expect(counters.agreementsPerCustomer[customer]).toBe(1);
});

it('the prerequisite flags reach the request, and a bad one is a usage error naming the flag (exit 2)', async () => {
  const flags = businessBasicPurchaseFlags(
    rig.sandbox.customerIds[0]!,
    'cli-flags-1',
    2,
    '--promotion',
    'best',
    '--attestation-accepted',
    '--partner-on-record-attestation-accepted',
    '--agreement-first-name',
    'Dana',
    '--agreement-last-name',
    'Lopez',
  );
  const refused = await pcw([...flags, '--agreement-email', 'not-an-email', '--align-with', 'fiscalYear', '--json']);
  expect(refused.code).toBe(2);
  expect(refused.stderr + refused.stdout).toContain('--agreement-email');
  expect(refused.stderr + refused.stdout).toContain('--align-with');
  const mixed = await pcw([
    ...flags,
    '--agreement-email',
    'dana@example.com',
    '--align-with',
    'calendarMonth',
    '--custom-term-end-date',
    '2027-01-31',
  ]);
  expect(mixed.code).toBe(2);
  expect(mixed.stderr + mixed.stdout).toContain('give either alignWith or customTermEndDate');
});
