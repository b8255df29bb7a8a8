import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { installedTree, spawnPcw, type InstalledTree } from '../../support/pcw';
import { testEnv, testServerAddress } from '../../support/temporal';

/**
 * `pcw` as a user runs it after `npm install` (node_modules/.bin/pcw): usage, every kind of bad command line
 * (exit 2, each problem naming its flag, nothing started), unknown ids and an unreachable Temporal (exit 1).
 */

const CUSTOMER = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
let tree: InstalledTree;
let env: TestWorkflowEnvironment;
beforeAll(async () => {
  tree = installedTree();
  env = await testEnv();
});
afterAll(async () => {
  tree?.remove();
  await env?.teardown();
});

const temporalEnv = () => ({
  TEMPORAL_ADDRESS: testServerAddress(),
  TEMPORAL_CONFIG_FILE: '/nonexistent/temporal.toml',
  TEMPORAL_TASK_QUEUE: 'cli-usage-nobody',
});

function pcw(args: string[], extraEnv: NodeJS.ProcessEnv = {}) {
  return spawnPcw(tree.bin, args, { ...temporalEnv(), ...extraEnv }, tree.dir).exited;
}

async function notStarted(workflowId: string): Promise<void> {
  await expect(env.client.workflow.getHandle(workflowId).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
}

describe('pcw command line', () => {
  it('runs through npx from the installed tree: --help exits 0, no arguments print usage and exit 2', async () => {
    const help = await spawnPcw('npx', ['--no-install', 'pcw', '--help'], {}, tree.dir).exited;
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: pcw <command>/);
    expect(help.stdout).toMatch(/schedules list/);
    const none = await pcw([]);
    expect(none.code).toBe(2);
    expect(none.stdout).toMatch(/^Usage: pcw/);
  });

  it('refuses a bad purchase with every problem named by flag, exit 2, nothing started', async () => {
    const requestId = `cli-bad-${Date.now()}`;
    const bad = await pcw([
      'purchase',
      '--customer',
      'not-a-guid',
      '--request-id',
      requestId,
      '--product',
      'NOPE',
      '--sku',
      '0001',
      '--quantity',
      'abc',
      '--term',
      'P2M',
      '--billing',
      'monthly',
      '--currency',
      'XYZ',
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--customer must be a GUID \(got "not-a-guid"\)/);
    expect(bad.stderr).toMatch(/--quantity must be a whole number \(got "abc"\)/);
    expect(bad.stderr).toMatch(/--term must be one of P1M, P1Y, P3Y \(got "P2M"\)/);
    expect(bad.stderr).toMatch(/--currency must be an ISO 4217 currency code .*"XYZ"/);
    expect(bad.stderr).not.toMatch(/expected number|received/);
    await notStarted(`purchase-${requestId}`);

    const zero = await pcw([
      'purchase',
      '--customer',
      CUSTOMER,
      '--request-id',
      requestId,
      '--product',
      'P',
      '--sku',
      'S',
      '--quantity',
      '0',
      '--term',
      'P1M',
      '--billing',
      'monthly',
    ]);
    expect(zero.code).toBe(2);
    expect(zero.stderr).toMatch(/--quantity must be between 1 and 100000 \(got 0\)/);
    await notStarted(`purchase-${requestId}`);

    // Every missing flag at once, not one per attempt.
    const missing = await pcw(['purchase', '--customer', CUSTOMER, '--json']);
    expect(missing.code).toBe(2);
    const { error } = JSON.parse(missing.stdout) as { error: { type: string; message: string; details: string[] } };
    expect(error.type).toBe('UsageError');
    expect(error.details).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^--request-id is required/),
        expect.stringMatching(/^--product is required/),
        expect.stringMatching(/^--sku is required/),
        expect.stringMatching(/^--quantity is required/),
        expect.stringMatching(/^--term is required/),
        expect.stringMatching(/^--billing is required/),
      ]),
    );
  });

  it('names the request file and the field of a bad --file', async () => {
    const missingFile = await pcw(['purchase', '--file', join(tree.dir, 'nope.json')]);
    expect(missingFile.code).toBe(2);
    expect(missingFile.stderr).toMatch(/--file .*nope\.json cannot be read \(ENOENT\)/);
    const notJson = join(tree.dir, 'bad.json');
    writeFileSync(notJson, '{ "requestId": ');
    const invalidJson = await pcw(['purchase', '--file', notJson]);
    expect(invalidJson.code).toBe(2);
    expect(invalidJson.stderr).toMatch(/--file .*bad\.json is not valid JSON/);
    const badFields = join(tree.dir, 'fields.json');
    writeFileSync(
      badFields,
      JSON.stringify({
        requestId: 'cli-file',
        customerId: CUSTOMER,
        items: [{ offer: { productId: 'P', skuId: 'S' }, quantity: 0, termDuration: 'P1M', billingCycle: 'monthly' }],
      }),
    );
    const invalidFields = await pcw(['purchase', '--file', badFields]);
    expect(invalidFields.code).toBe(2);
    expect(invalidFields.stderr).toMatch(/fields\.json: items\[0\]\.quantity must be at least 1 \(got 0\)/);
  });

  it('refuses bad change, reconcile, list and schedules command lines with exit 2', async () => {
    const change = await pcw([
      'change',
      '--customer',
      CUSTOMER,
      '--subscription',
      'x',
      '--request-id',
      'cli-change-bad',
      '--cancel',
      '--quantity',
      '1',
    ]);
    expect(change.code).toBe(2);
    expect(change.stderr).toMatch(/give exactly one of --quantity, --auto-renew/);
    expect(change.stderr).toMatch(/--subscription must be a GUID/);
    await notStarted('change-cli-change-bad');

    const cron = await pcw(['reconcile', '--currency', 'USD', '--schedule', 'bogus']);
    expect(cron.code).toBe(2);
    expect(cron.stderr).toMatch(/--schedule must be a five-field cron expression/);
    const cronRange = await pcw(['reconcile', '--currency', 'USD', '--schedule', '61 6 * * *']);
    expect(cronRange.code).toBe(2);
    expect(cronRange.stderr).toMatch(/--schedule is not a valid cron expression: .*61/);

    const reconcile = await pcw(['reconcile', '--currency', 'XYZ', '--billing-delay-hours', 'x', '--period', 'last']);
    expect(reconcile.code).toBe(2);
    expect(reconcile.stderr).toMatch(/--currency must be an ISO 4217 currency code/);
    expect(reconcile.stderr).toMatch(/--billing-delay-hours must be a number \(got "x"\)/);
    expect(reconcile.stderr).toMatch(/--period must be one of current, previous \(got "last"\)/);
    const delay = await pcw(['reconcile', '--currency', 'USD', '--billing-delay-hours', '500']);
    expect(delay.code).toBe(2);
    expect(delay.stderr).toMatch(/--billing-delay-hours must be at most 168 hours/);

    const limit = await pcw(['list', '--limit', 'abc']);
    expect(limit.code).toBe(2);
    expect(limit.stderr).toMatch(/--limit must be a whole number \(got "abc"\)/);
    const step = await pcw(['list', '--step', 'bogus']);
    expect(step.code).toBe(2);
    expect(step.stderr).toMatch(
      /--step must be one of validating, resolving, awaiting-approval, .*awaiting-change.* \(got "bogus"\)/,
    );

    const schedules = await pcw(['schedules', 'frobnicate']);
    expect(schedules.code).toBe(2);
    expect(schedules.stderr).toMatch(/schedules takes `list` or `delete SCHEDULE_ID`/);
    const notForList = await pcw(['list', '--wait', '--quantity', '3']);
    expect(notForList.code).toBe(2);
    expect(notForList.stderr).toMatch(
      /--wait does not apply to `pcw list`[\s\S]*--quantity does not apply to `pcw list`/,
    );
    const unknownFlag = await pcw(['status', 'x', '--colour']);
    expect(unknownFlag.code).toBe(2);
    expect(unknownFlag.stderr).toMatch(/--colour/);
    const approve = await pcw(['reject', 'x']);
    expect(approve.code).toBe(2);
    expect(approve.stderr).toMatch(/--by is required[\s\S]*--reason is required/);
  });

  it('says which id is unknown, and which schedule, exit 1', async () => {
    for (const command of [
      ['status', 'no-such-request'],
      ['watch', 'no-such-request'],
      ['cancel', 'no-such-request', '--reason', 'test'],
    ]) {
      const unknown = await pcw(command);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
      expect(unknown.stderr).toMatch(/^pcw: no (purchase, change or reconciliation|purchase) with id no-such-request/);
    }
    const json = await pcw(['status', 'no-such-request', '--json']);
    expect(JSON.parse(json.stdout)).toEqual({
      error: {
        type: 'NotFound',
        message: expect.stringMatching(/no purchase, change or reconciliation with id no-such-request/),
      },
    });
    const schedule = await pcw(['schedules', 'delete', 'no-such-schedule']);
    expect(schedule.code).toBe(1);
    expect(schedule.stderr).toMatch(/^pcw: no schedule with id no-such-schedule/);
  });

  it('reports an unreachable Temporal in one line naming the address, exit 1, no stack', async () => {
    const down = await pcw(['status', 'x'], { TEMPORAL_ADDRESS: '127.0.0.1:1' });
    expect(down.code).toBe(1);
    expect(down.stderr.trim().split('\n')).toHaveLength(1);
    expect(down.stderr).toMatch(
      /^pcw: Temporal is not reachable at 127\.0\.0\.1:1 — start it with `npm start` or set TEMPORAL_ADDRESS/,
    );
    expect(down.stderr).not.toMatch(/\n\s+at /);
    const verbose = await pcw(['status', 'x', '--verbose'], { TEMPORAL_ADDRESS: '127.0.0.1:1' });
    expect(verbose.stderr).toMatch(/\n\s+at /);
  });
});
