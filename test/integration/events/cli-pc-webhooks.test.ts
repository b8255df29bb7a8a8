import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { Client, Connection, ScheduleNotFoundError, ScheduleOverlapPolicy } from '@temporalio/client';
import { startSandbox, type Sandbox } from 'partner-center-sandbox';
import { AUDIT_BACKFILL_SCHEDULE_ID } from '../../../src/client';
import { installedTree, spawnPcw, type InstalledTree } from '../../support/pcw';
import { testServerAddress } from '../../support/temporal';

/**
 * `pcw pc-webhooks register|status|test` through the installed bin against the sandbox's registration API; `register`
 * also creates (or updates) the backfill Schedule on the run's dev server, on TEMPORAL_TASK_QUEUE.
 */

let tree: InstalledTree;
let sandbox: Sandbox;
let receiver: Server;
let receiverUrl: string;
const received: Array<{ body: string; authorization?: string }> = [];
const taskQueue = `pc-webhooks-${randomUUID()}`;
let connection: Connection;
let temporal: Client;
/** XDG_STATE_HOME of every run: where `test` remembers its validation event for `status`. */
const stateHome = mkdtempSync(join(tmpdir(), 'pcw-state-'));

/** The Schedule is one per namespace: another test file's worker may have made it. */
async function deleteSchedule(): Promise<void> {
  try {
    await temporal.schedule.getHandle(AUDIT_BACKFILL_SCHEDULE_ID).delete();
  } catch (err) {
    if (!(err instanceof ScheduleNotFoundError)) throw err;
  }
}

beforeAll(async () => {
  tree = installedTree();
  connection = await Connection.connect({ address: testServerAddress() });
  temporal = new Client({ connection });
  await deleteSchedule();
  sandbox = await startSandbox();
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ body: Buffer.concat(chunks).toString('utf8'), authorization: req.headers.authorization });
      res.writeHead(202).end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/v1/partner-center/events`;
});
afterAll(async () => {
  if (temporal) await deleteSchedule();
  await connection?.close();
  tree?.remove();
  rmSync(stateHome, { recursive: true, force: true });
  await sandbox?.close();
  await new Promise<void>((resolve) => receiver?.close(() => resolve()));
});

/** Runs `pcw pc-webhooks …`; nothing it prints may hold the client secret or a token. */
async function pcw(args: string[], temporalAddress = testServerAddress()) {
  const result = await spawnPcw(
    tree.bin,
    ['pc-webhooks', ...args],
    {
      PARTNER_CENTER_BASE_URL: sandbox.baseUrl,
      AZURE_AUTHORITY_HOST: sandbox.authorityHost,
      AZURE_TENANT_ID: sandbox.tenantId,
      AZURE_CLIENT_ID: sandbox.clientId,
      AZURE_CLIENT_SECRET: sandbox.clientSecret,
      NODE_EXTRA_CA_CERTS: sandbox.caFile,
      TEMPORAL_CONFIG_FILE: '/nonexistent/temporal.toml',
      TEMPORAL_ADDRESS: temporalAddress,
      TEMPORAL_TASK_QUEUE: taskQueue,
      XDG_STATE_HOME: stateHome,
    },
    tree.dir,
  ).exited;
  expect(result.stdout + result.stderr).not.toContain(sandbox.clientSecret);
  expect(result.stdout + result.stderr).not.toMatch(/eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/);
  return result;
}

describe('pcw pc-webhooks', () => {
  it('says there is no registration, creates one, updates it, and shows it', async () => {
    const none = await pcw(['status', '--json']);
    expect(none.code).toBe(0);
    expect(JSON.parse(none.stdout)).toEqual({ registered: false, lastValidation: null });
    expect((await pcw(['status'])).stdout).toMatch(/no webhook is registered.*\n  last validation: none/);

    const created = await pcw(['register', '--url', receiverUrl, '--events', 'subscription-updated', '--json']);
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({
      created: true,
      webhookUrl: receiverUrl,
      webhookEvents: ['subscription-updated'],
      backfillSchedule: { id: AUDIT_BACKFILL_SCHEDULE_ID, created: true, every: '15m', taskQueue },
    });
    const { action, policies } = await temporal.schedule.getHandle(AUDIT_BACKFILL_SCHEDULE_ID).describe();
    expect(action).toMatchObject({ type: 'startWorkflow', workflowType: 'auditBackfill', taskQueue });
    expect(policies.overlap).toBe(ScheduleOverlapPolicy.SKIP);

    const updated = await pcw(['register', '--url', receiverUrl]);
    expect(updated.code).toBe(0);
    expect(updated.stdout).toMatch(/^updated the registration: http:\/\/127\.0\.0\.1/);
    expect(updated.stdout).toMatch(
      new RegExp(`^  backfill Schedule pc-audit-backfill updated: every 15m on task queue ${taskQueue}$`, 'm'),
    );
    const shown = JSON.parse((await pcw(['status', '--json'])).stdout) as { webhookEvents: string[] };
    expect(shown.webhookEvents).toEqual([
      'subscription-updated',
      'invoice-ready',
      'reseller-relationship-accepted-by-customer',
      'granular-admin-relationship-approved',
    ]);
  });

  it('sends a validation event and prints its delivery result', async () => {
    await pcw(['register', '--url', receiverUrl]);
    const from = received.length;
    const tested = await pcw(['test', '--json']);
    expect(tested.code).toBe(0);
    const result = JSON.parse(tested.stdout) as {
      correlationId: string;
      status: string;
      events: Array<{ responseCode: number }>;
    };
    expect(result.status).toBe('completed');
    expect(result.events.at(-1)?.responseCode).toBe(202);
    const delivered = received.slice(from);
    expect(delivered).toHaveLength(1);
    expect(JSON.parse(delivered[0].body)).toMatchObject({ EventName: 'test-created' });
    expect(delivered[0].authorization).toMatch(/^Signature /);
    await statusShowsTheLastValidation(result.correlationId);
    expect((await pcw(['test'])).stdout).toMatch(/validation event .*: completed\n.*ATTEMPT/);
  });

  /** `status`: the registration and the results of the last validation event `test` asked for (2 a minute). */
  async function statusShowsTheLastValidation(correlationId: string) {
    const status = await pcw(['status', '--json']);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({
      registered: true,
      webhookUrl: receiverUrl,
      lastValidation: { correlationId, result: { status: 'completed', events: [{ attempt: 1, responseCode: 202 }] } },
    });
    expect((await pcw(['status'])).stdout).toMatch(
      new RegExp(`^  last validation ${correlationId} \\(asked .*\\): completed\n.*ATTEMPT.*\n.*202`, 'm'),
    );
    // Only correlation ids and times are kept on disk.
    const kept = readFileSync(join(stateHome, 'pcw', 'pc-webhooks.json'), 'utf8');
    expect(kept).toContain(correlationId);
    expect(kept).not.toContain(sandbox.clientSecret);
  }

  it('status says when Partner Center no longer keeps the last validation event’s results', async () => {
    // Kept 7 days at Partner Center; here a reset forgets them. Status still succeeds.
    await sandbox.control.reset();
    const expired = await pcw(['status', '--json']);
    expect(expired.code).toBe(0);
    expect(JSON.parse(expired.stdout)).toMatchObject({ registered: false, lastValidation: { expired: true } });
    expect((await pcw(['status'])).stdout).toMatch(/its results are no longer kept/);
  });

  it('registers nothing when Temporal is not reachable for the backfill Schedule: exit 1, the address named', async () => {
    await sandbox.control.reset();
    const unreachable = await pcw(['register', '--url', receiverUrl, '--json'], '127.0.0.1:1');
    expect(unreachable.code).toBe(1);
    expect(JSON.parse(unreachable.stdout)).toMatchObject({
      error: { type: 'TemporalUnreachable', details: { address: '127.0.0.1:1' } },
    });
    expect(JSON.parse((await pcw(['status', '--json'])).stdout)).toMatchObject({ registered: false });
  });

  it('fails 1 to test without a registration, and 2 on a bad command line, sending nothing', async () => {
    await sandbox.control.reset();
    const unregistered = await pcw(['test', '--json']);
    expect(unregistered.code).toBe(1);
    expect(JSON.parse(unregistered.stdout)).toMatchObject({ error: { type: 'NoWebhookRegistration' } });
    const before = (await sandbox.control.counters()).tokens;
    for (const args of [
      ['register'],
      ['register', '--url', 'ftp://x'],
      ['status', '--url', receiverUrl],
      ['nope'],
      [],
    ]) {
      const result = await pcw(args);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/pcw: /);
    }
    expect((await sandbox.control.counters()).tokens).toEqual(before);
  });
});
