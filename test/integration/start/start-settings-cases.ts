import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection, ScheduleNotFoundError } from '@temporalio/client';
import { AUDIT_BACKFILL_SCHEDULE_ID } from '../../../src/client';
import { installedTree, spawnPcw } from '../../support/pcw';
import { builtEntry, freePort, runNode, stopProcess, type RunningProcess } from '../../support/processes';
import { testServerAddress } from '../../support/temporal';

/**
 * `npx pcw` and `npm run api` in a second terminal beside `npm start` (lib/start.js on the run's dev server, its
 * sandbox on the fixed port 8091, as npm-start-api-cases does): the second terminal sets nothing but PCW_DATA_DIR,
 * and finds the sandbox's settings, its CA and the Temporal server in the owner-only file npm start left. The
 * sandbox's events reach npm start's API and are handled; `pcw pc-webhooks register` also ensures the backfill
 * Schedule. Once npm start stopped, pcw says so and the file holds no setting.
 *
 * Registered by npm-start.test.ts, not a test file of its own: both hold the contract's fixed sandbox port 8091, and
 * Jest runs two files at a time but a file's tests one after another.
 */

export function besideNpmStart(): void {
  const dataDir = mkdtempSync(join(tmpdir(), 'pcw-start-settings-'));
  const settingsFile = join(dataDir, 'start-settings.json');
  const taskQueue = `start-settings-${randomUUID()}`;
  const tree = installedTree();
  /** The second terminal: only where npm start keeps its data (and no Temporal profile of the machine). */
  const besideEnv = { PCW_DATA_DIR: dataDir, TEMPORAL_CONFIG_FILE: '/nonexistent/temporal.toml' };
  let start: RunningProcess | undefined;
  let connection: Connection;
  let client: Client;

  beforeAll(async () => {
    connection = await Connection.connect({ address: testServerAddress() });
    client = new Client({ connection });
  });

  // A failed test leaves npm start running: Ctrl-C as a user would, SIGKILL if that does not end it (it holds 8091).
  afterAll(async () => {
    await stopProcess(start, 'SIGINT', 30_000);
    await deleteSchedule();
    await connection?.close();
    tree.remove();
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  async function deleteSchedule(): Promise<void> {
    try {
      await client?.schedule.getHandle(AUDIT_BACKFILL_SCHEDULE_ID).delete();
    } catch (err) {
      if (!(err instanceof ScheduleNotFoundError)) throw err;
    }
  }

  /** `npx pcw …` in the second terminal; nothing it prints may hold the sandbox's client secret. */
  async function pcw(args: string[], secret: string) {
    const result = await spawnPcw(tree.bin, args, besideEnv, tree.dir).exited;
    expect(result.stdout + result.stderr).not.toContain(secret);
    return result;
  }

  async function until<T>(read: () => Promise<T | undefined>, what: string, timeoutMs = 30_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await read().catch(() => undefined);
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  interface Doctor {
    ok: boolean;
    checks: Array<{ name: string; status: string; detail: string }>;
  }

  test('pcw and npm run api beside npm start use its settings; its sandbox events are handled; after Ctrl-C pcw says it stopped', async () => {
    const apiPort = await freePort();
    start = runNode(builtEntry('start.js'), [], {
      TEMPORAL_ADDRESS: testServerAddress(),
      TEMPORAL_CONFIG_FILE: '/nonexistent/temporal.toml',
      TEMPORAL_TASK_QUEUE: taskQueue,
      PCW_DATA_DIR: dataDir,
      PCW_API_PORT: String(apiPort),
      LOG_LEVEL: 'warn',
    });
    const banner = await start.waitFor(/Press Ctrl-C to stop/, 120_000);
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    expect(banner).toContain(`Events           sandbox → ${apiUrl}/v1/partner-center/events`);
    expect(banner).toContain(`Settings         ${settingsFile}`);

    // The file: the owner's only; the secret and the CA there and nowhere in npm start's output.
    expect(statSync(settingsFile).mode & 0o777).toBe(0o600);
    const left = JSON.parse(readFileSync(settingsFile, 'utf8')) as {
      pid: number;
      processStart?: string;
      variables: Record<string, string>;
      trustedCaPem?: string;
    };
    const secret = left.variables.AZURE_CLIENT_SECRET;
    expect(secret).toMatch(/\S{16,}/);
    expect(left.trustedCaPem).toMatch(/BEGIN CERTIFICATE/);
    expect(left.variables).toMatchObject({
      TEMPORAL_ADDRESS: testServerAddress(),
      TEMPORAL_TASK_QUEUE: taskQueue,
      PARTNER_CENTER_BASE_URL: 'http://127.0.0.1:8091',
      PARTNER_CENTER_WEBHOOK_CERT_HOSTS: '127.0.0.1',
    });
    expect(start.output()).not.toContain(secret);

    // pcw doctor: all green, and it says where the settings came from.
    const doctor = await pcw(['doctor', '--json'], secret);
    const report = JSON.parse(doctor.stdout) as Doctor;
    expect(report.checks.filter((check) => check.status !== 'ok')).toEqual([]);
    expect({ code: doctor.code, ok: report.ok }).toEqual({ code: 0, ok: true });
    expect(report.checks[0]).toMatchObject({
      name: 'settings',
      detail: expect.stringMatching(
        /AZURE_CLIENT_SECRET.* and the sandbox's CA from npm start \(pid \d+, .*start-settings\.json\)/,
      ),
    });
    expect(report.checks.find((check) => check.name === 'Partner Center webhooks')?.detail).toContain(
      `${apiUrl}/v1/partner-center/events`,
    );

    const listed = await pcw(['invoices', 'list', '--json'], secret);
    expect(listed.code).toBe(0);
    const invoiceId = (JSON.parse(listed.stdout) as { items: Array<{ id: string }> }).items[0]?.id;
    expect(invoiceId).toMatch(/\S/);

    // Issue 26: a sandbox event reaches npm start's API (its cert host and CA trusted there) and is handled.
    const ready = await fetch(`http://127.0.0.1:8091/_sandbox/invoices/${encodeURIComponent(invoiceId)}/ready`, {
      method: 'POST',
    });
    expect(ready.status).toBeLessThan(300);
    const reconciliation = client.workflow.getHandle(`reconcile-invoice-${invoiceId}`);
    const described = await until(() => reconciliation.describe(), `reconcile-invoice-${invoiceId}`);
    expect({ type: described.type, taskQueue: described.taskQueue }).toEqual({ type: 'reconcileBilling', taskQueue });
    const validated = await pcw(['pc-webhooks', 'test', '--json'], secret);
    expect(validated.code).toBe(0);
    expect((JSON.parse(validated.stdout) as { events: Array<{ responseCode: number }> }).events.at(-1)).toMatchObject({
      responseCode: 202,
    });

    // Issue 26: `pcw pc-webhooks register` creates the backfill Schedule on npm start's task queue, or updates it.
    await deleteSchedule();
    const register = ['pc-webhooks', 'register', '--url', `${apiUrl}/v1/partner-center/events`];
    const registered = await pcw([...register, '--json'], secret);
    expect(registered.code).toBe(0);
    expect(JSON.parse(registered.stdout)).toMatchObject({
      created: false,
      backfillSchedule: { id: AUDIT_BACKFILL_SCHEDULE_ID, created: true, every: '15m', taskQueue },
    });
    const { action } = await client.schedule.getHandle(AUDIT_BACKFILL_SCHEDULE_ID).describe();
    expect(action).toMatchObject({ type: 'startWorkflow', workflowType: 'auditBackfill', taskQueue });
    expect((await pcw(register, secret)).stdout).toMatch(
      new RegExp(`backfill Schedule ${AUDIT_BACKFILL_SCHEDULE_ID} updated: every 15m on task queue ${taskQueue}$`, 'm'),
    );

    // npm run api beside npm start: the same file; its log says so; invoices from the sandbox through its CA.
    const api = runNode(builtEntry('api/main.js'), [], {
      ...besideEnv,
      PCW_API_PORT: String(await freePort()),
      PCW_API_TOKENS: 'ops:read:beside-start-token-0123456789',
    });
    try {
      const log = await api.waitFor(/HTTP API on (http:\S+)/, 60_000);
      expect(log).toMatch(/settings: .*AZURE_TENANT_ID.* from npm start \(pid \d+/);
      const url = /HTTP API on (http:\S+) /.exec(log)?.[1] as string;
      const invoices = await fetch(`${url}/v1/invoices?size=1`, {
        headers: { authorization: 'Bearer beside-start-token-0123456789' },
      });
      expect(invoices.status).toBe(200);
    } finally {
      api.child.kill('SIGINT');
      await api.exited;
    }
    expect(api.output()).not.toContain(secret);
    await reconciliation.terminate('test over').catch(() => undefined);

    // Ctrl-C: the file keeps no setting, and pcw says npm start is not running.
    start.child.kill('SIGINT');
    expect((await start.exited).code).toBe(0);
    const marker = readFileSync(settingsFile, 'utf8');
    expect(marker).not.toContain(secret);
    // Only the process's identity and times stay (its start time where /proc gives it, to tell a reused pid apart).
    expect(JSON.parse(marker)).toEqual({
      pid: left.pid,
      ...(left.processStart !== undefined ? { processStart: left.processStart } : {}),
      startedAt: expect.any(String),
      stoppedAt: expect.any(String),
    });
    const after = await pcw(['invoices', 'list'], secret);
    expect(after.code).toBe(2);
    expect(after.stderr).toMatch(new RegExp(`npm start \\(pid ${left.pid}\\) is not running: it stopped at `));
    expect(after.stderr).toMatch(/AZURE_TENANT_ID: required/);
    const stopped = JSON.parse((await pcw(['doctor', '--json'], secret)).stdout) as Doctor;
    expect(stopped.checks[0]).toMatchObject({ name: 'settings', status: 'warning' });
  }, 300_000);
}
