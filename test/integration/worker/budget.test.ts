import { Client, Connection } from '@temporalio/client';
import { startSandbox } from 'partner-center-sandbox';
import { sandboxWorkerEnv, startWorkerProcess, type WorkerProcess } from '../../../tools/bench/processes';
import { benchPurchase, isCheckout, requestCount, timeToCheckout } from '../../../tools/bench/rig';
import { purchaseStatusQuery, startPurchase, type PurchaseHandle } from '../../../src/client';
import { testServerAddress, uniqueTaskQueue } from '../../support/temporal';

/** 10/s in all, one queue shared by priority (a tenth kept for runs recorded with a poll queue, src/worker.ts). */
const BUDGET_PER_MINUTE = 600;
const WAITING = 30;

/**
 * Waiting never starves buying, on a worker process with a real budget (the other rig tests turn it off): thirty
 * purchases whose orders never complete poll every 250 ms — 120 polls a second wanted against 9 allowed — and a
 * purchase started then reaches checkout at once, because the server hands the budget to its calls (priority 2, cart
 * and checkout 1) before the polls (4) queued on the same queue. First in, first out, each of its calls would wait
 * behind ~30 queued polls at 9 a second: ~20 s.
 */
test('a purchase started while thirty others poll flat out reaches checkout within 5 s under a 600/min budget', async () => {
  const sandbox = await startSandbox({ orderCompletionDelayMs: 3_600_000, orderListDelayMs: 0 });
  const connection = await Connection.connect({ address: testServerAddress() });
  const client = new Client({ connection });
  const taskQueue = uniqueTaskQueue('budget');
  const handles: PurchaseHandle[] = [];
  let worker: WorkerProcess | undefined;
  try {
    worker = startWorkerProcess(
      sandboxWorkerEnv(
        sandbox,
        { address: testServerAddress(), taskQueue },
        {
          PARTNER_CENTER_REQUESTS_PER_MINUTE: String(BUDGET_PER_MINUTE),
          ORDER_POLL_INTERVAL: '250ms',
          ORDER_POLL_MAX_INTERVAL: '250ms',
        },
      ),
    );
    await worker.started();
    const checkoutsBefore = await requestCount(sandbox, isCheckout);
    for (let i = 0; i < WAITING; i += 1)
      handles.push(await startPurchase(client, benchPurchase(sandbox, i, 'budget-waiting'), { taskQueue }));
    while ((await requestCount(sandbox, isCheckout)) - checkoutsBefore < WAITING)
      await new Promise((resolve) => setTimeout(resolve, 500));
    // Let their polls fill the poll queue's backlog first.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const late = await startPurchase(client, benchPurchase(sandbox, WAITING, 'budget-late'), { taskQueue });
    handles.push(late);
    const seconds = await timeToCheckout(late, 60_000);
    console.log(`late purchase checked out ${seconds.toFixed(1)} s after its start, ${WAITING} others polling`);
    expect(seconds).toBeLessThan(5);
    expect((await late.query(purchaseStatusQuery)).step).toBe('awaiting-order');
  } finally {
    await Promise.allSettled(handles.map((handle) => handle.terminate('test over')));
    await worker?.stop('SIGTERM');
    await connection.close();
    await sandbox.close();
  }
}, 180_000);
