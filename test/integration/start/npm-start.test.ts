import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { chromium, type Page } from 'playwright-core';
import { builtEntry, runNode, type RunningProcess } from '../../support/processes';

/**
 * `npm start -- --demo` as a user runs it (lib/start.js): dev server with UI on 8233, sandbox on 8091, worker;
 * demo purchases complete with their search attributes; `pcw` reads them; Ctrl-C leaves nothing behind.
 * Uses the contract's fixed ports, so nothing else may listen on 7233, 8233 or 8091 during the run.
 */

const dataDir = mkdtempSync(join(tmpdir(), 'pcw-start-'));
const baseEnv = { PCW_DATA_DIR: dataDir, TEMPORAL_CONFIG_FILE: '/nonexistent/temporal.toml', LOG_LEVEL: 'warn' };
let start: RunningProcess | undefined;

afterAll(async () => {
  // On a failed assertion: Ctrl-C as a user would, then make sure no dev server of this test outlives it.
  if (start && start.child.exitCode === null) {
    start.child.kill('SIGINT');
    const timer = setTimeout(() => start?.child.kill('SIGKILL'), 20_000);
    await start.exited;
    clearTimeout(timer);
  }
  for (const line of processesUsing(dataDir).split('\n').filter(Boolean)) process.kill(Number(line.split(' ')[0]), 'SIGKILL');
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
      const text = await frame.locator('body').innerText({ timeout: 1000 }).catch(() => '');
      if (pattern.test(text)) return;
    }
    if (Date.now() > deadline) throw new Error(`no frame of ${page.url()} shows ${pattern}`);
    await page.waitForTimeout(250);
  }
}

function pcw(args: string[]): unknown {
  const output = execFileSync(process.execPath, [builtEntry('cli/pcw.js'), ...args, '--json'], {
    env: { ...process.env, ...baseEnv, TEMPORAL_ADDRESS: '127.0.0.1:7233' },
    encoding: 'utf8',
  });
  return JSON.parse(output.trim().split('\n').pop() as string);
}

test('npm start -- --demo: UI, sandbox, worker, completed demo purchases, clean Ctrl-C', async () => {
  start = runNode(builtEntry('start.js'), ['--demo'], baseEnv);
  const banner = await start.waitFor(/Press Ctrl-C to stop\./, 120_000);
  expect(banner).toMatch(/Temporal UI\s+http:\/\/127\.0\.0\.1:8233/);
  expect(banner).toMatch(/Partner Center\s+sandbox at http:\/\/127\.0\.0\.1:8091/);
  expect(banner).toMatch(/workflow start .*--type purchaseSubscription/);

  const ui = await fetch('http://127.0.0.1:8233/');
  expect(ui.status).toBe(200);
  expect(await ui.text()).toMatch(/<html/i);

  const submitted = await start.waitFor(/Demo purchases submitted: (.+) \(watch/, 60_000);
  const workflowIds = /Demo purchases submitted: (.+) \(watch/.exec(submitted)?.[1].split(', ') ?? [];
  expect(workflowIds).toHaveLength(3);

  const connection = await Connection.connect({ address: '127.0.0.1:7233' });
  try {
    const client = new Client({ connection });
    for (const workflowId of workflowIds) {
      const handle = client.workflow.getHandle(workflowId);
      const result = (await handle.result()) as { status: string; subscriptions: Array<{ id: string }> };
      expect(result.status).toBe('completed');
      const description = await handle.describe();
      expect(description.searchAttributes.PcStep).toEqual(['completed']);
      expect(description.searchAttributes.PcSubscriptionIds?.length).toBe(result.subscriptions.length);
      expect(description.searchAttributes.PcOrderIds?.length).toBeGreaterThan(0);
      expect(await description.staticSummary()).toMatch(/customer/i);
    }
  } finally {
    await connection.close();
  }

  // What an operator sees in the Temporal UI: the summary and live details, the search attributes, and a list
  // filtered by PcStep (Debian's chromium, never a downloaded browser).
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    // The UI is a single-page app: wait until it has loaded the workflow before using its tabs.
    await page.goto(`http://127.0.0.1:8233/namespaces/default/workflows/${workflowIds[0]}`, { waitUntil: 'networkidle' });
    await page.getByRole('tab', { name: 'User Metadata' }).click();
    await frameShowing(page, /Buy 1 item\(s\) for customer/);
    await frameShowing(page, /CFQ7TTC0LH18:0001 × 5, P1M billed monthly/);
    await frameShowing(page, /Step:\s*completed/);
    // Each Partner Center call carries a summary, listed under "Events with Metadata".
    expect(await page.innerText('main')).toMatch(/Check out cart [0-9a-f-]{36}/);
    await page.getByRole('tab', { name: 'Search Attributes' }).click();
    await page.getByText(/"PcStep": "completed"/).waitFor({ timeout: 15_000 });
    await page.goto(`http://127.0.0.1:8233/namespaces/default/workflows?query=${encodeURIComponent("PcStep = 'completed'")}`);
    for (const workflowId of workflowIds) await page.getByText(workflowId).first().waitFor({ timeout: 15_000 });
  } finally {
    await browser.close();
  }

  const requestId = workflowIds[0].replace(/^purchase-/, '');
  expect(pcw(['status', requestId])).toMatchObject({ step: 'completed' });
  const listed = pcw(['list']) as Array<{ workflowId: string }>;
  expect(listed.map((row) => row.workflowId)).toEqual(expect.arrayContaining(workflowIds));

  start.child.kill('SIGINT');
  const { code } = await start.exited;
  expect(code).toBe(0);
  expect(processesUsing(join(dataDir, 'temporal.sqlite'))).toBe('');
  await expect(fetch('http://127.0.0.1:8091/_sandbox/clock')).rejects.toThrow();
  await expect(fetch('http://127.0.0.1:8233/')).rejects.toThrow();
}, 300_000);

test('Ctrl-C while npm start is still starting stops it cleanly too', async () => {
  const early = runNode(builtEntry('start.js'), [], baseEnv);
  await early.waitFor(/Starting the Temporal dev server/, 60_000);
  early.child.kill('SIGINT');
  const { code } = await early.exited;
  expect(code).toBe(0);
  expect(early.output()).not.toMatch(/partner-center-worker is running/);
  expect(processesUsing(join(dataDir, 'temporal.sqlite'))).toBe('');
  await expect(fetch('http://127.0.0.1:8091/_sandbox/clock')).rejects.toThrow();
}, 120_000);
