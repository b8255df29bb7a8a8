import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { startSandbox } from 'partner-center-sandbox';
import { sandboxWorkerEnv, startWorkerProcess, type WorkerProcess } from '../../../tools/bench/processes';
import { startPurchase } from '../../../src/client';
import { TASK_PRIORITY } from '../../../src/workflows/common/priority';
import { recordHistory } from '../purchase/harness';
import { testServerAddress, uniqueTaskQueue } from '../../support/temporal';

/** The polls of a purchase (src/workflows/purchase/calls.ts): awaiting its order, then its subscriptions. */
const POLL_ACTIVITIES = ['awaitOrderCompletion', 'provisionSubscription'];

test('a purchase’s cart and checkout go first, its polls last, on its own queue, its customer the fairness key', async () => {
  // The order completes after 1.5 s, so its poll answers "not yet" and is retried a few times.
  const sandbox = await startSandbox({ orderCompletionDelayMs: 1500, orderListDelayMs: 0 });
  const connection = await Connection.connect({ address: testServerAddress() });
  const taskQueue = uniqueTaskQueue('poll-queue');
  let worker: WorkerProcess | undefined;
  try {
    worker = startWorkerProcess(
      sandboxWorkerEnv(sandbox, { address: testServerAddress(), taskQueue }, { ORDER_POLL_INTERVAL: '250ms' }),
    );
    await worker.started();
    // Runs recorded with the poll queue keep polling there: the worker still serves it.
    expect(worker.output()).toContain(`"legacyPollTaskQueue":"${taskQueue}-polls"`);
    const customerId = sandbox.customerIds[0];
    const handle = await startPurchase(
      new Client({ connection }),
      {
        requestId: `poll-queue-${randomUUID()}`,
        customerId,
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

    const events = (await handle.fetchHistory()).events ?? [];
    expect(events[0]?.workflowExecutionStartedEventAttributes?.priority).toEqual(
      expect.objectContaining({ priorityKey: TASK_PRIORITY.buying, fairnessKey: customerId }),
    );
    const scheduled = events.flatMap((event) => {
      const attributes = event.activityTaskScheduledEventAttributes;
      return attributes
        ? [
            {
              type: attributes.activityType?.name ?? '',
              queue: attributes.taskQueue?.name,
              priority: attributes.priority,
            },
          ]
        : [];
    });
    const keyOf = (type: string) => scheduled.find((call) => call.type === type)?.priority?.priorityKey;
    expect(keyOf('createPurchaseCart')).toBe(TASK_PRIORITY.checkout);
    expect(keyOf('checkoutPurchaseCart')).toBe(TASK_PRIORITY.checkout);
    for (const poll of POLL_ACTIVITIES) expect(keyOf(poll)).toBe(TASK_PRIORITY.background);
    // The rest has no key of its own: it inherits the run's.
    expect(keyOf('resolvePurchaseItems') ?? 0).toBe(0);
    for (const call of scheduled) expect(call.queue).toBe(taskQueue);
    // Polls were retried ("not yet"): more order reads than the one poll activity.
    const orderReads = (await sandbox.control.counters()).requests['GET /v1/customers/{customerId}/orders/{orderId}'];
    expect(orderReads).toBeGreaterThan(1);
    await recordHistory('purchase-prioritised', handle);
  } finally {
    await worker?.stop();
    await connection.close();
    await sandbox.close();
  }
}, 90_000);
