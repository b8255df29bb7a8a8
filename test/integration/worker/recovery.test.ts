import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { tsToMs } from '@temporalio/common/lib/time';
import { startSandbox } from 'partner-center-sandbox';
import { startPurchase } from '../../../src/client';
import { builtEntry, runNode, stopProcess, type RunningProcess } from '../../support/processes';
import { testServerAddress, uniqueTaskQueue } from '../../support/temporal';

/**
 * What the README promises (~20 s): the activities' 20 s heartbeat timeout and the 1 s first retry interval, plus
 * 9 s for a loaded 2-core machine; the figure is printed.
 */
const RECOVERY_BOUND_S = 30;
const CHECKOUT_ROUTE = 'POST /v1/customers/{customerId}/carts/{cartId}/checkout';
const SLOW_CHECKOUT_MS = 28_000;
/** Past the activities' 20 s heartbeat timeout (src/workflows/common/activity-options.ts). */
const KILL_AFTER_MS = 22_000;

test('a slow checkout outlives the heartbeat timeout; its worker SIGKILLed, the call is retried elsewhere within ~20 s, one order (strict MS-RequestId policy)', async () => {
  const sandbox = await startSandbox({ orderCompletionDelayMs: 300, orderListDelayMs: 500 });
  const connection = await Connection.connect({ address: testServerAddress() });
  const taskQueue = uniqueTaskQueue('worker-recovery');
  const env: NodeJS.ProcessEnv = {
    TEMPORAL_CONFIG_FILE: '/nonexistent/temporal.toml',
    TEMPORAL_ADDRESS: testServerAddress(),
    TEMPORAL_TASK_QUEUE: taskQueue,
    PARTNER_CENTER_BASE_URL: sandbox.baseUrl,
    AZURE_AUTHORITY_HOST: sandbox.authorityHost,
    AZURE_TENANT_ID: sandbox.tenantId,
    AZURE_CLIENT_ID: sandbox.clientId,
    AZURE_CLIENT_SECRET: sandbox.clientSecret,
    NODE_EXTRA_CA_CERTS: sandbox.caFile,
    ORDER_POLL_INTERVAL: '250ms',
  };
  // Strict, as Partner Center may well be: a repeated MS-RequestId is not replayed, and a repeated checkout of the
  // ordered cart is refused as already submitted (800065), so the retry must find the cart's order, not re-buy.
  await sandbox.control.setApiPolicy({ repeatedCheckout: 'already-submitted', requestIdReplay: false });
  // The first checkout is slow (28 s, under the client's 30 s timeout, over the 20 s heartbeat timeout): while its
  // worker lives, heartbeats keep the attempt; once the worker dies, it is retried elsewhere.
  await sandbox.control.addFault({
    method: 'POST',
    path: '/v1/customers/*/carts/*/checkout',
    kind: 'latency',
    latencyMs: SLOW_CHECKOUT_MS,
  });
  const first = runNode(builtEntry('worker.js'), [], env);
  let second: RunningProcess | undefined;
  try {
    await first.waitFor(/"msg":"Worker started"/);
    const handle = await startPurchase(
      new Client({ connection }),
      {
        requestId: `worker-recovery-${randomUUID()}`,
        customerId: sandbox.customerIds[0],
        items: [
          {
            offer: { productId: 'CFQ7TTC0LH18', skuId: '0001' },
            quantity: 2,
            termDuration: 'P1M',
            billingCycle: 'monthly',
          },
        ],
      },
      { taskQueue },
    );
    const pendingCheckout = async () =>
      (await handle.describe()).raw.pendingActivities?.find(
        (activity) => activity.activityType?.name === 'checkoutPurchaseCart',
      );
    // Kill only once the live call has outlived the heartbeat timeout: proof that its heartbeats kept it.
    for (let i = 0; i < 1200; i++) {
      const started = (await pendingCheckout())?.lastStartedTime;
      if (started && Date.now() - tsToMs(started) > KILL_AFTER_MS) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const beforeKill = await pendingCheckout();
    expect(beforeKill?.attempt).toBe(1);
    expect(beforeKill?.lastHeartbeatTime).toBeTruthy();
    expect((await sandbox.control.counters()).requests[CHECKOUT_ROUTE]).toBe(1);
    first.child.kill('SIGKILL');
    const killedAtMs = Date.now();
    expect((await first.exited).signal).toBe('SIGKILL');

    second = runNode(builtEntry('worker.js'), [], env);
    const result = await handle.result();
    expect(result.status).toBe('completed');
    expect((await sandbox.control.counters()).ordersPerCart[result.cartId]).toBe(1);

    // The started event of a retried activity carries its last attempt and when that attempt started.
    const events = (await handle.fetchHistory()).events ?? [];
    const scheduled = events.find(
      (event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'checkoutPurchaseCart',
    );
    const started = events.find(
      (event) =>
        event.activityTaskStartedEventAttributes?.scheduledEventId?.toString() === scheduled?.eventId?.toString(),
    );
    expect(started?.activityTaskStartedEventAttributes?.attempt).toBeGreaterThanOrEqual(2);
    const recoverySeconds = (tsToMs(started?.eventTime) - killedAtMs) / 1000;
    console.log(`checkout retried on another worker ${recoverySeconds.toFixed(1)} s after the SIGKILL`);
    expect(recoverySeconds).toBeGreaterThan(0);
    expect(recoverySeconds).toBeLessThan(RECOVERY_BOUND_S);
  } finally {
    await Promise.all([stopProcess(first, 'SIGKILL'), stopProcess(second)]);
    await connection.close();
    await sandbox.close();
  }
}, 150_000);
