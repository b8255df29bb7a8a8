import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { startSandbox, type Sandbox } from 'partner-center-sandbox';
import { sandboxWorkerEnv, startWorkerProcess, type WorkerProcess } from '../../../tools/bench/processes';
import { listActivityPauses, startPurchase, type StartOnceHandle } from '../../../src/client';
import { startDevServer, type DevServer } from '../../../src/dev/temporal-dev-server';
import type { PurchaseWorkflow } from '../../../src/workflows/purchase/api';
import { installedTree, spawnPcw, type InstalledTree } from '../../support/pcw';

/**
 * The incident switch end to end: Partner Center answers every checkout 503, 50 purchases are in flight (retrying
 * checkout, or not there yet), the operator pauses `checkoutPurchaseCart` with the built `pcw`; no checkout reaches
 * Partner Center while paused, purchases started meanwhile hold too, and after the resume every purchase completes
 * with exactly one order per cart. A pause is a namespace-wide workflow rule, so this test has a dev server of its own:
 * it must not hold the checkouts of other test files on the shared one.
 */

const CHECKOUT = 'POST /v1/customers/{customerId}/carts/{cartId}/checkout';
const CART = 'POST /v1/customers/{customerId}/carts';
const IN_FLIGHT = 50;
const STARTED_DURING_PAUSE = 5;

let server: DevServer;
let sandbox: Sandbox;
let worker: WorkerProcess;
let connection: Connection;
let client: Client;
let tree: InstalledTree;
const taskQueue = `pause-${randomUUID()}`;

beforeAll(async () => {
  tree = installedTree();
  [server, sandbox] = await Promise.all([
    startDevServer({ progress: () => {} }),
    startSandbox({ orderCompletionDelayMs: 0, orderListDelayMs: 0 }),
  ]);
  worker = startWorkerProcess(
    sandboxWorkerEnv(
      sandbox,
      { address: server.address, taskQueue },
      { ORDER_POLL_INTERVAL: '250ms', PARTNER_CENTER_REQUESTS_PER_MINUTE: '6000' },
    ),
  );
  await worker.started(60_000);
  connection = await Connection.connect({ address: server.address });
  client = new Client({ connection });
}, 120_000);

afterAll(async () => {
  await worker?.stop();
  await connection?.close();
  await sandbox?.close();
  await server?.stop();
  tree?.remove();
});

/** `pcw activities ARGS` through the installed bin; its stdout once it exited 0. */
async function pcw(...args: string[]): Promise<string> {
  const env = { TEMPORAL_ADDRESS: server.address, TEMPORAL_CONFIG_FILE: '/nonexistent/temporal.toml' };
  const run = await spawnPcw(tree.bin, ['activities', ...args], { ...env, TEMPORAL_TASK_QUEUE: taskQueue }, tree.dir)
    .exited;
  expect({ args, ...run }).toEqual({ args, code: 0, stdout: run.stdout, stderr: '' });
  return run.stdout;
}

function purchase(i: number): Promise<StartOnceHandle<PurchaseWorkflow>> {
  return startPurchase(
    client,
    {
      requestId: `pause-${i}-${randomUUID()}`,
      customerId: sandbox.customerIds[0], // a US customer: the offer is sold in its country
      items: [
        {
          offer: { productId: 'CFQ7TTC0LH18', skuId: '0001' },
          quantity: 1,
          termDuration: 'P1Y',
          billingCycle: 'monthly',
        },
      ],
    },
    { taskQueue },
  );
}

async function requests(route: string): Promise<number> {
  return (await sandbox.control.counters()).requests[route] ?? 0;
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 120_000): Promise<number> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs)
      throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}; ${await diagnosis()}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return Date.now() - start;
}

/** What the runs wait on, for a failure message: each pending activity's type, state, attempt and pause. */
async function diagnosis(): Promise<string> {
  const states = new Map<string, number>();
  for await (const run of client.workflow.list({ query: `TaskQueue = "${taskQueue}"` })) {
    const { raw } = await client.workflow.getHandle(run.workflowId, run.runId).describe();
    const pending = (raw.pendingActivities ?? []).map(
      (a) => `${a.activityType?.name} state ${a.state} attempt ${a.attempt}${a.paused ? ' paused' : ''}`,
    );
    const failure =
      run.status.name === 'FAILED'
        ? await client.workflow
            .getHandle(run.workflowId, run.runId)
            .result()
            .catch((error: Error) => `${(error.cause as Error | undefined)?.message ?? error.message}`)
        : undefined;
    const key = `${run.status.name}: ${failure ?? (pending.join(', ') || 'no activity')}`;
    states.set(key, (states.get(key) ?? 0) + 1);
  }
  return `pauses ${JSON.stringify(await listActivityPauses(client))}; runs ${JSON.stringify(Object.fromEntries(states))}`;
}

const heldRuns = async () => (await listActivityPauses(client)).find((p) => p.activityType === 'checkoutPurchaseCart');

test('a paused checkout holds every run, running and new, and the resume completes each once', async () => {
  await sandbox.control.addFault({
    method: 'POST',
    path: '/v1/customers/*/carts/*/checkout',
    kind: 'status',
    status: 503,
    count: 1_000_000,
  });
  const handles = await Promise.all(Array.from({ length: IN_FLIGHT }, (_, i) => purchase(i)));
  await until('Partner Center refused a checkout per purchase', async () => (await requests(CHECKOUT)) >= IN_FLIGHT);

  const pausedAt = Date.now();
  const paused = await pcw('pause', '--type', 'checkoutPurchaseCart', '--reason', 'Partner Center degraded', '--json');
  const pauseCommandMs = Date.now() - pausedAt;
  expect(JSON.parse(paused)).toMatchObject({
    activityType: 'checkoutPurchaseCart',
    reason: 'Partner Center degraded',
    by: expect.stringMatching(/^pcw .+@.+/),
    alreadyPaused: false,
  });
  // The rule is in force within a second, and an attempt running when it came (not interrupted) is answered at once.
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const checkoutsAfterPause = await requests(CHECKOUT);
  await until(`${IN_FLIGHT} runs are held`, async () => (await heldRuns())?.heldRuns === IN_FLIGHT);
  const holdMs = Date.now() - pausedAt;

  // Held: nothing in flight, so from now on no checkout may reach Partner Center, also of purchases started now.
  const checkoutsWhenHeld = await requests(CHECKOUT);
  const cartsWhenHeld = await requests(CART);
  handles.push(...(await Promise.all(Array.from({ length: STARTED_DURING_PAUSE }, (_, i) => purchase(IN_FLIGHT + i)))));
  await until(
    'the purchases started during the pause are held too',
    async () => (await heldRuns())?.heldRuns === IN_FLIGHT + STARTED_DURING_PAUSE,
  );
  await new Promise((resolve) => setTimeout(resolve, 5_000));
  expect(await requests(CART)).toBe(cartsWhenHeld + STARTED_DURING_PAUSE);
  expect(checkoutsWhenHeld).toBe(checkoutsAfterPause); // runs waiting out a 503's backoff were held, not retried
  expect(await requests(CHECKOUT)).toBe(checkoutsWhenHeld);

  const listed = await pcw('paused');
  expect(listed).toMatch(/^ACTIVITY TYPE\s+HELD RUNS\s+SINCE\s+BY\s+REASON\n/);
  expect(listed).toMatch(
    new RegExp(`checkoutPurchaseCart\\s+${IN_FLIGHT + STARTED_DURING_PAUSE}\\s+20\\d\\d-.*Partner Center degraded`),
  );

  await sandbox.control.clearFaults(); // Partner Center is back
  const resumedAt = Date.now();
  const resumed = await pcw('resume', '--type', 'checkoutPurchaseCart', '--json');
  const resumeCommandMs = Date.now() - resumedAt;
  expect(JSON.parse(resumed)).toEqual({
    activityType: 'checkoutPurchaseCart',
    wasPaused: true,
    resumedRuns: IN_FLIGHT + STARTED_DURING_PAUSE,
  });
  const results = await Promise.all(handles.map((handle) => handle.result()));
  const allDoneMs = Date.now() - resumedAt;
  expect(results.map((result) => result.status)).toEqual(handles.map(() => 'completed'));

  await expectEachBoughtOnce(handles);
  expect(await pcw('paused')).toBe('no activity type is paused\n');

  process.stderr.write(
    `[pause figures] pause command ${pauseCommandMs} ms; ${IN_FLIGHT} runs held ${holdMs} ms after it started; ` +
      `resume command ${resumeCommandMs} ms (${IN_FLIGHT + STARTED_DURING_PAUSE} runs); all completed ${allDoneMs} ms after it started\n`,
  );
}, 420_000);

/** One order per cart, and the purchases started during the pause checked out at their first attempt. */
async function expectEachBoughtOnce(handles: Array<StartOnceHandle<PurchaseWorkflow>>): Promise<void> {
  const { ordersPerCart } = await sandbox.control.counters();
  expect(Object.keys(ordersPerCart)).toHaveLength(handles.length);
  expect(new Set(Object.values(ordersPerCart))).toEqual(new Set([1]));
  // Being held used up no attempt: the purchases started during the pause checked out at their first attempt.
  for (const handle of handles.slice(IN_FLIGHT)) expect(await checkoutAttempts(handle)).toEqual([1]);
}

/** The attempt of each checkout attempt that started in the run's history. */
async function checkoutAttempts(handle: StartOnceHandle<PurchaseWorkflow>): Promise<number[]> {
  const events = (await handle.fetchHistory()).events ?? [];
  const checkouts = new Set(
    events
      .filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'checkoutPurchaseCart')
      .map((e) => String(e.eventId)),
  );
  return events
    .filter((e) => checkouts.has(String(e.activityTaskStartedEventAttributes?.scheduledEventId)))
    .map((e) => e.activityTaskStartedEventAttributes?.attempt ?? 0);
}
