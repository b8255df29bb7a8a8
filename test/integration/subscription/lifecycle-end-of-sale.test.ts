import { startSubscriptionLifecycle } from '../../../src/client';
import { installedTree, spawnPcw, type InstalledTree } from '../../support/pcw';
import { testServerAddress } from '../../support/temporal';
import { offers, recordHistory } from '../purchase/harness';
import { seedRenewingSubscription, startLifecycleSandbox, type LifecycleSandbox } from './lifecycle-sandbox-rig';

/**
 * Issue 27's "the subscription lifecycle issue's review includes the end-of-sale date in its state when it applies",
 * against the sandbox: a lifecycle of a subscription whose offer is on the market's end-of-sale list shows the date
 * in its `state`, its review and `pcw subscriptions show`; a worker without App+User access to the price sheets still
 * reviews, saying the date is unknown and why.
 */

/** The sandbox's offer on the end-of-sale list: it leaves on the first day of the third month after this one. */
const endOfSaleDate = () => {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 3, 1)).toISOString();
};

let sandbox: LifecycleSandbox;
let tree: InstalledTree;
beforeAll(async () => {
  tree = installedTree();
  sandbox = await startLifecycleSandbox();
});
afterAll(async () => {
  tree?.remove();
  await sandbox?.close();
});

describe('a lifecycle review and the end-of-sale list', () => {
  it('shows the end-of-sale date of an offer on the list in its state and in pcw', async () => {
    const { rig } = sandbox;
    await rig.withWorker(
      async ({ taskQueue }) => {
        const customerId = sandbox.customerIds[0]!;
        const { seeded, handle, reviewed } = await firstReview(taskQueue, customerId);
        const date = endOfSaleDate();
        expect(reviewed.endOfSale).toEqual({ date });
        expect(reviewed.reviews.at(-1)).toMatchObject({ outcome: 'nothing-to-cut', endOfSale: { date } });
        expect(reviewed.reviews.at(-1)!.endOfSaleUnknown).toBeUndefined();

        const shown = spawnPcw(tree.bin, ['subscriptions', 'show', seeded.id], pcwEnv(taskQueue), tree.dir);
        const { code, stdout } = await shown.exited;
        expect(code).toBe(0);
        expect(stdout).toMatch(new RegExp(`end of sale +${date.slice(0, 10)}`));
        await recordHistory('lifecycle-end-of-sale-listed', handle);
      },
      { appPlusUser: true },
    );
  });

  it('reviews without the date when the worker has no App+User access to the price sheets', async () => {
    const { rig } = sandbox;
    await rig.withWorker(async ({ taskQueue }) => {
      const customerId = sandbox.customerIds[1]!;
      const { handle, reviewed } = await firstReview(taskQueue, customerId);
      expect(reviewed.endOfSale).toBeUndefined();
      const review = reviewed.reviews.at(-1)!;
      expect(review.outcome).toBe('nothing-to-cut');
      expect(review.endOfSaleUnknown).toMatch(/^end of sale unknown: Unauthorized: .*App\+User/);
      const text = JSON.stringify(reviewed);
      expect(text).not.toMatch(/eyJ[\w-]+\.|Bearer /);
      expect(text).not.toContain(rig.sandbox.clientSecret);
      await recordHistory('lifecycle-end-of-sale-unknown', handle);
    });
  });

  /** A Teams Essentials subscription (on the end-of-sale list) due for review 5 s from now, its lifecycle's first review. */
  async function firstReview(taskQueue: string, customerId: string) {
    const seeded = await seedRenewingSubscription(
      sandbox.rig.sandbox,
      customerId,
      { quantity: 10, assigned: 10, reviewInMs: 5_000 },
      offers.teamsEssentials,
    );
    const input = { customerId, subscriptionId: seeded.id, policy: { leadTime: seeded.leadTime } };
    const handle = await startSubscriptionLifecycle(sandbox.rig.client, input, { taskQueue });
    return { seeded, handle, reviewed: await sandbox.stateWhen(seeded.id, (s) => s.reviews.length > 0) };
  }

  function pcwEnv(taskQueue: string): Record<string, string> {
    const { sandbox: pc } = sandbox.rig;
    return {
      TEMPORAL_ADDRESS: testServerAddress(),
      TEMPORAL_CONFIG_FILE: '/nonexistent/temporal.toml',
      TEMPORAL_TASK_QUEUE: taskQueue,
      PARTNER_CENTER_BASE_URL: pc.baseUrl,
      AZURE_AUTHORITY_HOST: pc.authorityHost,
      AZURE_TENANT_ID: pc.tenantId,
      AZURE_CLIENT_ID: pc.clientId,
      AZURE_CLIENT_SECRET: pc.clientSecret,
      NODE_EXTRA_CA_CERTS: pc.caFile,
    };
  }
});
