import { Worker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { DispatchBatch, DispatchedTask } from '../../support/priority-workflows';
import { bundleTestWorkflowsOf, testEnv, uniqueTaskQueue } from '../../support/temporal';

/**
 * The dev server (src/dev/temporal-dev-server.ts, DYNAMIC_CONFIG) dispatches a rate-limited queue's backlog by
 * priority key, then by fairness key. Without `matching.enableFairness` (server 1.29.1's classic matcher) both checks
 * fail: the late batch waited behind all 20 of the backlog's remaining tasks (measured 19–20 of 20).
 */
const RATE_PER_SECOND = 2;
const BACKLOG = 24;
const LATE = 4;

let env: TestWorkflowEnvironment;
let code: string;
beforeAll(async () => {
  [env, code] = await Promise.all([
    testEnv(),
    bundleTestWorkflowsOf(require.resolve('../../support/priority-workflows')),
  ]);
});
afterAll(async () => {
  await env?.teardown();
});

/** Runs the backlog, then, once a few of its tasks were dispatched, the late batch; returns the dispatch order. */
async function dispatchOrder(backlog: DispatchBatch, late: DispatchBatch): Promise<{ after: string[] }> {
  const taskQueue = uniqueTaskQueue('priority');
  const order: string[] = [];
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: { code },
    maxTaskQueueActivitiesPerSecond: RATE_PER_SECOND,
    activities: {
      recordDispatch: async ({ batch }: DispatchedTask) => {
        order.push(batch);
      },
    },
  });
  return worker.runUntil(async () => {
    const first = await env.client.workflow.start('scheduleBatch', {
      taskQueue,
      workflowId: `${taskQueue}-${backlog.batch}`,
      args: [backlog],
    });
    while (order.length < 4) await new Promise((resolve) => setTimeout(resolve, 100));
    const mark = order.length;
    const second = await env.client.workflow.start('scheduleBatch', {
      taskQueue,
      workflowId: `${taskQueue}-${late.batch}`,
      args: [late],
    });
    await Promise.all([first.result(), second.result()]);
    return { after: order.slice(mark) };
  });
}

/** How many of the backlog's tasks were dispatched, after the late batch was scheduled, before its last task. */
function backlogBeforeLastOf(after: string[], late: string): number {
  return after.slice(0, after.lastIndexOf(late)).filter((batch) => batch !== late).length;
}

test('a priority-1 task scheduled behind a rate-limited priority-5 backlog is dispatched first', async () => {
  const { after } = await dispatchOrder(
    { batch: 'backlog', count: BACKLOG, priorityKey: 5 },
    { batch: 'urgent', count: LATE, priorityKey: 1 },
  );
  const waited = backlogBeforeLastOf(after, 'urgent');
  console.log(`priority: ${waited} of the backlog's ${BACKLOG - 4} remaining tasks went before the urgent ones`);
  // Tasks already buffered in the queue's partitions may still go first; FIFO would be all of them.
  expect(waited).toBeLessThanOrEqual(8);
}, 120_000);

test('one fairness key with a big backlog does not starve another key of the same priority', async () => {
  const { after } = await dispatchOrder(
    { batch: 'tenant-a', count: BACKLOG, priorityKey: 3, fairnessKey: 'tenant-a' },
    { batch: 'tenant-b', count: LATE, priorityKey: 3, fairnessKey: 'tenant-b' },
  );
  const waited = backlogBeforeLastOf(after, 'tenant-b');
  console.log(`fairness: ${waited} of tenant-a's ${BACKLOG - 4} remaining tasks went before tenant-b's last`);
  // Taking turns, tenant-b's four go within about eight dispatches; FIFO would put them after all twenty.
  expect(waited).toBeLessThanOrEqual(12);
}, 120_000);
