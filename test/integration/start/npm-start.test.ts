import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import type { Page } from 'playwright-core';
import { launchChromium } from '../../support/browser';
import { installedTree, spawnPcw } from '../../support/pcw';
import { builtEntry, runNode, stopProcess, type RunningProcess } from '../../support/processes';
import { servesTheApi } from './npm-start-api-cases';
import { besideNpmStart } from './start-settings-cases';

/**
 * `npm start -- --demo` as a user runs it (lib/start.js): dev server with UI on 8233, sandbox on 8091, worker;
 * demo purchases of every kind (completed, awaiting approval, failed) with their search attributes; the banner's
 * command is idempotent; `pcw` reads them; Ctrl-C leaves nothing behind and says so.
 * Uses the contract's fixed ports, so nothing else may listen on 7233, 8233 or 8091 during the run.
 */

const dataDir = mkdtempSync(join(tmpdir(), 'pcw-start-'));
const baseEnv = { PCW_DATA_DIR: dataDir, TEMPORAL_CONFIG_FILE: '/nonexistent/temporal.toml', LOG_LEVEL: 'warn' };
const STOPPED_LINE = /partner-center-worker stopped\n$/;
const tree = installedTree();
let start: RunningProcess | undefined;

// Each test's npm start ends with the test, failed or not: a leftover would hold the fixed ports for the next one.
afterEach(async () => {
  await stopProcess(start, 'SIGINT');
  start = undefined;
  for (const line of processesUsing(dataDir).split('\n').filter(Boolean))
    process.kill(Number(line.split(' ')[0]), 'SIGKILL');
});

afterAll(() => {
  tree.remove();
  rmSync(dataDir, { recursive: true, force: true });
});

function processesUsing(path: string): string {
  try {
    return execFileSync('pgrep', ['-af', path], { encoding: 'utf8' }).trim();
  } catch {
    return ''; // pgrep exits 1 when nothing matches
  }
}

/** The UI renders summaries and details as markdown inside iframes: wait until one of the page's frames shows `pattern`. */
async function frameShowing(page: Page, pattern: RegExp, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const frame of page.frames()) {
      const text = await frame
        .locator('body')
        .innerText({ timeout: 1000 })
        .catch(() => '');
      if (pattern.test(text)) return;
    }
    if (Date.now() > deadline) throw new Error(`no frame of ${page.url()} shows ${pattern}`);
    await page.waitForTimeout(250);
  }
}

/** `npx pcw …` as a user runs it in a project that installed this package, with the user's environment. */
async function pcw(
  args: string[],
  command = tree.bin,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return spawnPcw(command, args, baseEnv, tree.dir).exited;
}

async function pcwJson(args: string[]): Promise<unknown> {
  const { code, stdout } = await pcw([...args, '--json']);
  expect({ args, code }).toEqual({ args, code: 0 });
  return JSON.parse(stdout.trim().split('\n').pop() as string);
}

async function untilSearchAttribute(handle: WorkflowHandle, step: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await handle.describe()).searchAttributes.PcStep?.[0] !== step) {
    if (Date.now() > deadline) throw new Error(`${handle.workflowId} never reached PcStep ${step}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

test('npm start -- --demo: UI, sandbox, worker, demo purchases of every kind, idempotent banner command, clean Ctrl-C', async () => {
  start = runNode(builtEntry('start.js'), ['--demo'], baseEnv);
  const banner = await start.waitFor(/Press Ctrl-C to stop\./, 120_000);
  expect(banner).toMatch(/Temporal UI\s+http:\/\/127\.0\.0\.1:8233/);
  expect(banner).toMatch(/Partner Center\s+sandbox at http:\/\/127\.0\.0\.1:8091/);
  // The sandbox's Graph host (billing exports), what MICROSOFT_GRAPH_BASE_URL would name.
  expect(banner).toMatch(/Microsoft Graph\s+http:\/\/127\.0\.0\.1:8091\/graph \(sandbox\)/);
  const command = /^ {2}(npx pcw purchase .+)$/m.exec(banner)?.[1] ?? '';
  expect(command).toMatch(
    /^npx pcw purchase --customer [0-9a-f-]{36} --request-id my-first-purchase --product \S+ --sku \S+ --quantity \d+ --term P1M --billing monthly --wait$/,
  );

  const demo = await start.waitFor(/ {2}Failing\s+\S+/, 60_000);
  const completing = /^ {2}Completing\s+(.+)$/m.exec(demo)?.[1].split(', ') ?? [];
  const awaitingApproval = /^ {2}Awaiting approval\s+(\S+) \(npx pcw approve \S+ --by you\)$/m.exec(demo)?.[1] ?? '';
  const failing = /^ {2}Failing\s+(\S+)/m.exec(demo)?.[1] ?? '';
  expect(completing).toHaveLength(3);
  expect([...completing, awaitingApproval, failing].every((id) => id.startsWith('purchase-demo-'))).toBe(true);

  const connection = await Connection.connect({ address: '127.0.0.1:7233' });
  try {
    const client = new Client({ connection });
    for (const workflowId of completing) {
      const handle = client.workflow.getHandle(workflowId);
      const result = (await handle.result()) as { status: string; subscriptions: Array<{ id: string }> };
      expect(result.status).toBe('completed');
      const description = await handle.describe();
      expect(description.searchAttributes.PcStep).toEqual(['completed']);
      expect(description.searchAttributes.PcSubscriptionIds?.length).toBe(result.subscriptions.length);
      expect(description.searchAttributes.PcOrderIds?.length).toBeGreaterThan(0);
      expect(await description.staticSummary()).toMatch(/customer/i);
    }
    await untilSearchAttribute(client.workflow.getHandle(awaitingApproval), 'awaiting-approval');
    expect((await client.workflow.getHandle(awaitingApproval).describe()).status.name).toBe('RUNNING');
    await expect(client.workflow.getHandle(failing).result()).rejects.toMatchObject({
      cause: { type: 'CatalogItemNotFound' },
    });
    await untilSearchAttribute(client.workflow.getHandle(failing), 'failed');

    // The banner's command, pasted twice as it is: one purchase, one run (the second finds the first by its request id).
    const [npx, ...npxArgs] = command.split(' ');
    expect(await pcw(npxArgs, npx)).toMatchObject({ code: 0 });
    const purchase = client.workflow.getHandle('purchase-my-first-purchase');
    const { runId, status } = await purchase.describe();
    expect(status.name).toBe('COMPLETED');
    await pcw(npxArgs, npx);
    expect((await purchase.describe()).runId).toBe(runId);
  } finally {
    await connection.close();
  }

  // What an operator sees in the Temporal UI: the summary and short current details, the search attributes, and
  // a list filtered by PcStep.
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    // The UI is a single-page app: wait until it has loaded the workflow before using its tabs.
    await page.goto(`http://127.0.0.1:8233/namespaces/default/workflows/${completing[0]}`, {
      waitUntil: 'networkidle',
    });
    await page.getByRole('tab', { name: 'User Metadata' }).click();
    await frameShowing(page, /Buy 1 item\(s\) for customer/);
    await frameShowing(page, /CFQ7TTC0LH18:0001 × 5, P1M billed monthly/);
    await frameShowing(page, /Step:\s*completed/);
    await frameShowing(page, /Subscriptions:/);
    // Each Partner Center call carries a summary, listed under "Events with Metadata".
    expect(await page.innerText('main')).toMatch(/Check out cart [0-9a-f-]{36}/);
    await page.getByRole('tab', { name: 'Search Attributes' }).click();
    await page.getByText(/"PcStep": "completed"/).waitFor({ timeout: 15_000 });
    await page.goto(
      `http://127.0.0.1:8233/namespaces/default/workflows?query=${encodeURIComponent("PcStep = 'completed'")}`,
    );
    for (const workflowId of completing) await page.getByText(workflowId).first().waitFor({ timeout: 15_000 });
    await page.goto(
      `http://127.0.0.1:8233/namespaces/default/workflows?query=${encodeURIComponent("PcStep = 'awaiting-approval'")}`,
    );
    await page.getByText(awaitingApproval).first().waitFor({ timeout: 15_000 });
  } finally {
    await browser.close();
  }

  const requestId = completing[0].replace(/^purchase-/, '');
  expect(await pcwJson(['status', requestId])).toMatchObject({ step: 'completed' });
  const listed = (await pcwJson(['list'])) as Array<{ workflowId: string }>;
  expect(listed.map((row) => row.workflowId)).toEqual(expect.arrayContaining(completing));

  start.child.kill('SIGINT');
  const { code } = await start.exited;
  expect(code).toBe(0);
  expect(start.output()).toMatch(STOPPED_LINE);
  expect(processesUsing(join(dataDir, 'temporal.sqlite'))).toBe('');
  await expect(fetch('http://127.0.0.1:8091/_sandbox/clock')).rejects.toThrow();
  await expect(fetch('http://127.0.0.1:8233/')).rejects.toThrow();
}, 300_000);

test('Ctrl-C while npm start is still starting stops it cleanly too', async () => {
  start = runNode(builtEntry('start.js'), [], baseEnv);
  await start.waitFor(/Starting the Temporal dev server/, 60_000);
  start.child.kill('SIGINT');
  const { code } = await start.exited;
  expect(code).toBe(0);
  expect(start.output()).not.toMatch(/partner-center-worker is running/);
  expect(start.output()).toMatch(STOPPED_LINE);
  expect(processesUsing(join(dataDir, 'temporal.sqlite'))).toBe('');
  await expect(fetch('http://127.0.0.1:8091/_sandbox/clock')).rejects.toThrow();
}, 120_000);

// The HTTP API npm start serves, and pcw and npm run api in a second terminal: in this file, since they need the
// same fixed ports.
describe('npm start serves the HTTP API', servesTheApi);
describe('beside npm start', besideNpmStart);
