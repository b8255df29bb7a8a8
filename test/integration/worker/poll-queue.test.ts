import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { startSandbox } from 'partner-center-sandbox';
import { sandboxWorkerEnv, startWorkerProcess, type WorkerProcess } from '../../../tools/bench/processes';
import { startPurchase } from '../../../src/client';
import { recordHistory } from '../purchase/harness';
import { testServerAddress, uniqueTaskQueue } from '../../support/temporal';

/** The polls of a purchase (src/workflows/purchase/calls.ts): awaiting its order, then its subscriptions. */
const POLL_ACTIVITIES = ['awaitOrderCompletion', 'provisionSubscription'];

test('the worker runs a purchase’s polls on <queue>-polls and every other call on its own queue', async () => {
  // The order completes after 1.5 s, so its poll answers "not yet" and is retried there a few times.
  const sandbox = await startSandbox({ orderCompletionDelayMs: 1500, orderListDelayMs: 0 });
  const connection = await Connection.connect({ address: testServerAddress() });
  const taskQueue = uniqueTaskQueue('poll-queue');
  let worker: WorkerProcess | undefined;
  try {
    worker = startWorkerProcess(
      sandboxWorkerEnv(sandbox, { address: testServerAddress(), taskQueue }, { ORDER_POLL_INTERVAL: '250ms' }),
    );
    await worker.started();
    expect(worker.output()).toContain(`"pollTaskQueue":"${taskQueue}-polls"`);
    const handle = await startPurchase(
      new Client({ connection }),
      {
        requestId: `poll-queue-${randomUUID()}`,
        customerId: sandbox.customerIds[0],
        items: [
          {
            offer: { productId: 'CFQ7TTC0LH18', skuId: '0001' },
            quantity: 3,
            termDuration: 'P1Y',
            billingCycle: 'monthly',
          },
        ],
      },
      { taskQueue },
    );
    expect((await handle.result()).status).toBe('completed');

    const scheduled = ((await handle.fetchHistory()).events ?? []).flatMap((event) => {
      const attributes = event.activityTaskScheduledEventAttributes;
      return attributes ? [{ type: attributes.activityType?.name ?? '', queue: attributes.taskQueue?.name }] : [];
    });
    const polls = scheduled.filter(({ type }) => POLL_ACTIVITIES.includes(type));
    const calls = scheduled.filter(({ type }) => !POLL_ACTIVITIES.includes(type));
    expect(polls.map(({ type }) => type)).toEqual(expect.arrayContaining(POLL_ACTIVITIES));
    for (const poll of polls) expect(poll).toEqual({ type: poll.type, queue: `${taskQueue}-polls` });
    expect(calls.map(({ type }) => type)).toEqual(
      expect.arrayContaining(['resolvePurchaseItems', 'createPurchaseCart', 'checkoutPurchaseCart']),
    );
    for (const call of calls) expect(call).toEqual({ type: call.type, queue: taskQueue });
    // Polls were retried ("not yet") on the poll queue: more order reads than the one poll activity.
    const orderReads = (await sandbox.control.counters()).requests['GET /v1/customers/{customerId}/orders/{orderId}'];
    expect(orderReads).toBeGreaterThan(1);
    await recordHistory('purchase-polls-on-own-queue', handle);
  } finally {
    await worker?.stop();
    await connection.close();
    await sandbox.close();
  }
}, 90_000);
