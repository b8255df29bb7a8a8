/**
 * assignLicences through its adapters: `pcw licences assign|remove` (the installed bin) and
 * `POST /v1/licence-assignments` with its Idempotency-Key, against a worker serving the sandbox.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { installedTree, spawnPcw, type InstalledTree } from '../../support/pcw';
import { testServerAddress } from '../../support/temporal';
import { call, read, startApi, submit, until } from '../api/support';
import { offers, type PurchaseRig } from '../purchase/harness';
import { startLicenceRig } from './harness';

let rig: PurchaseRig;
let tree: InstalledTree;
let customer: string;
let upn: (name: string) => string;
beforeAll(async () => {
  tree = installedTree();
  ({ rig, customer, upn } = await startLicenceRig({ orderListDelayMs: 0 }));
}, 120_000);
beforeEach(() => rig.sandbox.control.reset());
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
const seedSubscription = (quantity: number) =>
  rig.sandbox.control.seedSubscription({
    customerId: customer,
    ...offers.businessBasic,
    quantity,
    termDuration: 'P1Y',
  });

describe('pcw licences', () => {
  it('assigns users from --user and --file, then removes one, each user reported (--json)', async () => {
    const { id } = await seedSubscription(3);
    const file = join(tree.dir, 'users.txt');
    writeFileSync(file, `# new starters\n${upn('user02')}\n\n${upn('ghost')}  # left already\n`);
    await rig.withWorker(async ({ taskQueue }) => {
      const flags = ['--customer', customer, '--subscription', id];
      const assigned = await pcw(
        ['licences', 'assign', ...flags, '--user', upn('user01'), '--file', file, '--wait', '--json'],
        taskQueue,
      );
      expect(assigned.code).toBe(0);
      const result = JSON.parse(assigned.stdout.trim().split('\n').at(-1)!) as { users: unknown[]; sku: unknown };
      expect(result.users).toEqual([
        { user: upn('user01'), outcome: 'assigned' },
        { user: upn('user02'), outcome: 'assigned' },
        expect.objectContaining({ user: upn('ghost'), outcome: 'userNotFound' }),
      ]);
      expect(result.sku).toMatchObject({ total: 3, consumed: 2 });

      const removed = await pcw(['licences', 'remove', ...flags, '--user', upn('user01'), '--wait'], taskQueue);
      expect(removed.code).toBe(0);
      expect(removed.stdout).toMatch(/1\/3 assigned; 1 removed/);
    });
  });

  it('refuses bad users as a usage error naming each, before starting anything', async () => {
    const bad = await pcw(
      ['licences', 'assign', '--customer', customer, '--subscription', 'nope', '--user', 'x', '--user', upn('a')],
      'unused',
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--subscription must be a GUID');
    expect(bad.stderr).toContain('--user #1 must be a user principal name');
    expect((await pcw(['licences', 'give'], 'unused')).code).toBe(2);
  });
});

describe('POST /v1/licence-assignments', () => {
  it('starts once per Idempotency-Key and shows each user at the status URL', async () => {
    const { id } = await seedSubscription(1);
    await rig.withWorker(async ({ taskQueue }) => {
      const api = await startApi(rig.client, taskQueue);
      try {
        const key = `api-${randomUUID()}`;
        const body = { customerId: customer, subscriptionId: id, assign: [upn('user03'), upn('user04')] };
        const headers = { 'idempotency-key': key };
        const first = await call(api, 'POST', '/v1/licence-assignments', { token: submit, body, headers });
        expect(first.status).toBe(202);
        expect(first.body).toMatchObject({ workflowId: `licences-${key}` });
        const statusUrl = (first.body as { statusUrl: string }).statusUrl;
        const view = await until(api, statusUrl, read, (v) => v.execution === 'COMPLETED');
        expect(view.result).toMatchObject({
          users: [
            { user: upn('user03'), outcome: 'assigned' },
            expect.objectContaining({ user: upn('user04'), outcome: 'noLicenceAvailable' }),
          ],
          sku: { total: 1, consumed: 1 },
        });
        const again = await call(api, 'POST', '/v1/licence-assignments', { token: submit, body, headers });
        expect(again.status).toBe(200);
        const invalid = await call(api, 'POST', '/v1/licence-assignments', {
          token: submit,
          body: { ...body, requestId: 'x', assign: ['nobody'] },
        });
        expect(invalid.status).toBe(400);
        expect(invalid.text).toContain('assign[0]');
        expect((await call(api, 'POST', '/v1/licence-assignments', { token: read, body, headers })).status).toBe(403);
        expect((await call(api, 'GET', '/v1/licence-assignments/none-such', { token: read })).status).toBe(404);
      } finally {
        await api.close();
      }
    });
  });
});
