import { randomBytes, randomUUID } from 'node:crypto';
import {
  Client,
  Connection,
  WorkflowFailedError,
  WorkflowNotFoundError,
  type WorkflowHandle,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { startSandbox, type Sandbox } from 'partner-center-sandbox';
import {
  CallbackUrlNotAllowedError,
  cancelPurchaseUpdate,
  rejectPurchaseUpdate,
  startSubscriptionChange,
  startPurchase,
  type PurchaseRequest,
} from '../../../src/client';
import { startBillingReconciliation } from '../../../src/client/billing';
import {
  webhookEventId,
  type WebhookDeliveryReport,
  type WebhookEventType,
} from '../../../src/workflows/common/events';
import { webhookDeliveryWorkflowId } from '../../../src/workflows/common/webhook-workflow';
import { builtEntry, runNode, stopProcess, type RunningProcess } from '../../support/processes';
import { recordHistory } from '../purchase/harness';
import { testServerAddress, uniqueTaskQueue } from '../../support/temporal';
import { startReceiver, type Receiver } from './receiver';

const secret = `whsec_${randomBytes(32).toString('base64')}`;
const basic = { productId: 'CFQ7TTC0LH18', skuId: '0001' };
const teamsEssentials = { productId: 'CFQ7TTC0RM8K', skuId: '0001' };
/** An add-on: refused (400041) in a cart without its base licence, so the purchase is partial. */
const teamsPremium = { productId: 'CFQ7TTC0RM7H', skuId: '0001' };

function item(offer: { productId: string; skuId: string }, quantity: number): PurchaseRequest['items'][number] {
  return { offer, quantity, termDuration: 'P1Y', billingCycle: 'monthly' };
}

async function failureOf(handle: WorkflowHandle): Promise<ApplicationFailure> {
  const error = await handle.result().then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof WorkflowFailedError) || !(error.cause instanceof ApplicationFailure)) {
    throw new Error(`expected an ApplicationFailure, got ${String(error)}`);
  }
  return error.cause;
}

/** The workflow that delivers `workflowId`'s event of `type`. */
function deliveryOf(workflowId: string, type: WebhookEventType): WorkflowHandle {
  return client.workflow.getHandle(webhookDeliveryWorkflowId(webhookEventId(workflowId, type)));
}

async function currentDetails(handle: WorkflowHandle): Promise<string | undefined> {
  return (await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata')).currentDetails;
}

let sandbox: Sandbox;
let connection: Connection;
let client: Client;

beforeAll(async () => {
  sandbox = await startSandbox({ orderCompletionDelayMs: 300, orderListDelayMs: 500 });
  connection = await Connection.connect({ address: testServerAddress() });
  client = new Client({ connection });
});

afterAll(async () => {
  await connection?.close();
  await sandbox?.close();
});

function workerEnv(taskQueue: string, webhookUrl: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
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
    PCW_WEBHOOK_URL: webhookUrl,
    PCW_WEBHOOK_SECRET: secret,
    ...extra,
  };
}

test('every event reaches a verifying receiver exactly once after deduplication, despite failed answers and a SIGKILL mid-delivery', async () => {
  const taskQueue = uniqueTaskQueue('webhooks');
  const run = randomUUID();
  const [usCustomer, gbCustomer] = sandbox.customerIds;
  const ids = {
    completed: `webhooks-completed-${run}`,
    rejected: `webhooks-rejected-${run}`,
    cancelled: `webhooks-cancelled-${run}`,
    partial: `webhooks-partial-${run}`,
  };
  const heldId = webhookEventId(`purchase-${ids.completed}`, 'purchase.completed');
  let held = false;
  let refused = 0;
  // The receiver hangs on the first delivery of one event (the worker is killed while it waits) and fails three
  // other answers with 503: all must be retried, and the receiver must still see each event once.
  const receiver = await startReceiver(secret, (event) => {
    if (event.id === heldId && !held) {
      held = true;
      return 'hold';
    }
    if (refused < 3) {
      refused += 1;
      return 503;
    }
    return 204;
  });
  const env = workerEnv(taskQueue, receiver.url);
  const first = runNode(builtEntry('worker.js'), [], env);
  let second: RunningProcess | undefined;
  try {
    await first.waitFor(/"msg":"Worker started"/);
    const start = (requestId: string, request: Partial<PurchaseRequest>) =>
      startPurchase(client, { requestId, customerId: usCustomer, items: [item(basic, 2)], ...request }, { taskQueue });
    const completed = await start(ids.completed, {});
    const rejected = await start(ids.rejected, { requireApproval: true });
    const cancelled = await start(ids.cancelled, { requireApproval: true });
    const partial = await start(ids.partial, {
      customerId: gbCustomer,
      country: 'GB',
      items: [item(teamsEssentials, 4), item(teamsPremium, 4)],
    });

    // awaiting-approval is emitted when the purchase starts waiting; the purchase goes on waiting meanwhile.
    const awaiting = (workflowId: string) =>
      receiver.waitFor((e) => e.id === webhookEventId(workflowId, 'purchase.awaiting-approval'));
    await awaiting(rejected.workflowId);
    await rejected.executeUpdate(rejectPurchaseUpdate, { args: [{ by: 'ops', reason: 'over budget' }] });
    await awaiting(cancelled.workflowId);
    await cancelled.executeUpdate(cancelPurchaseUpdate, { args: [{ reason: 'not needed' }] });

    // The worker dies while the receiver holds a delivery open: the attempt times out and another worker retries it.
    await receiver.waitFor((e) => e.id === heldId);
    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    second = runNode(builtEntry('worker.js'), [], env);

    const bought = await completed.result();
    expect(bought.status).toBe('completed');
    expect((await partial.result()).status).toBe('partial');
    expect((await cancelled.result()).status).toBe('cancelled');
    expect((await failureOf(rejected)).type).toBe('Rejected');

    const subscriptionId = bought.subscriptions[0]!.id;
    const change = (requestId: string, change: Parameters<typeof startSubscriptionChange>[1]['change']) =>
      startSubscriptionChange(client, { requestId, customerId: usCustomer, subscriptionId, change }, { taskQueue });
    const autoRenewOff = await change(`webhooks-change-${run}`, { action: 'setAutoRenew', enabled: false });
    await autoRenewOff.result();
    // A next term needs auto-renew: refused, so the change fails.
    const refused = await change(`webhooks-change-refused-${run}`, { action: 'scheduleNextTerm', quantity: 1 });
    expect((await failureOf(refused)).type).toBe('ChangeRejected');
    const reconcile = await startBillingReconciliation(
      client,
      { period: 'current', currency: 'USD', customerId: usCustomer, source: 'v1', billingDelayHours: 0 },
      { taskQueue },
    );
    await reconcile.result();

    const expected: Array<[WorkflowHandle, WebhookEventType]> = [
      [completed, 'purchase.completed'],
      [rejected, 'purchase.awaiting-approval'],
      [rejected, 'purchase.failed'],
      [cancelled, 'purchase.awaiting-approval'],
      [cancelled, 'purchase.cancelled'],
      [partial, 'purchase.partial'],
      [autoRenewOff, 'subscription-change.completed'],
      [refused, 'subscription-change.failed'],
      [reconcile, 'reconciliation.completed'],
    ];
    // Each event has its own delivery workflow, which the run did not wait for.
    const deliveries = expected.map(([h, type]) => deliveryOf(h.workflowId, type));
    const reports = await Promise.all(deliveries.map((d) => d.result() as Promise<WebhookDeliveryReport>));
    for (const report of reports) expect(report.url).toMatch(/^delivered \(HTTP 204, attempt \d+\)$/);
    const unique = receiver.unique();
    expect(unique.map((e) => e.id).sort()).toEqual(
      expected.map(([h, type]) => webhookEventId(h.workflowId, type)).sort(),
    );
    for (const event of unique) {
      expect(event.id.endsWith(`/${event.type}`)).toBe(true);
      expect(event.data.workflowId).toBe(event.id.slice(0, event.id.length - event.type.length - 1));
    }
    expect(receiver.badSignatures).toBe(0);
    // Retried: the held one after the kill, the three refused answers; each under its one id.
    expect(receiver.deliveries.filter((e) => e.id === heldId).length).toBeGreaterThanOrEqual(2);
    expect(receiver.deliveries.length).toBeGreaterThanOrEqual(unique.length + 4);

    const failedEvent = unique.find((e) => e.type === 'purchase.failed');
    expect(failedEvent?.data.failure).toEqual({ type: 'Rejected', message: 'Rejected by ops: over budget' });
    const completedEvent = unique.find((e) => e.type === 'purchase.completed');
    expect(completedEvent?.data.result).toMatchObject({ requestId: ids.completed, status: 'completed' });

    // Named apart from purchase-webhook-events-*.json, the runs recorded when each delivered its events itself.
    await recordHistory('purchase-webhook-delivery-workflows-rejected', rejected);
    const heldDelivery = deliveryOf(completed.workflowId, 'purchase.completed');
    await recordHistory('webhook-delivery-worker-killed', heldDelivery);

    // The outcome shows in the delivery workflow's UI details (answered by the live worker).
    expect(await currentDetails(heldDelivery)).toMatch(
      /Webhook purchase\.completed:\*\* delivered \(HTTP 204, attempt [2-9]/,
    );

    // The signing secret is in no history and no log line.
    const secretKey = secret.slice('whsec_'.length);
    for (const handle of [...expected.map(([h]) => h), ...deliveries]) {
      const history = JSON.stringify(await handle.fetchHistory());
      expect(history).not.toContain(secretKey);
    }
    expect(first.output()).not.toContain(secretKey);
    expect(second.output()).not.toContain(secretKey);
  } finally {
    await Promise.all([stopProcess(first, 'SIGKILL'), stopProcess(second)]);
    await receiver.close();
  }
}, 240_000);

test('a receiver that is down holds only the delivery workflow open: the purchase ends at once, and the event arrives once, under its id, when the receiver is back', async () => {
  const taskQueue = uniqueTaskQueue('webhooks-down');
  // The receiver's address, with nothing listening on it yet: every attempt is refused a connection.
  const gone = await startReceiver(secret);
  const { url } = gone;
  await gone.close();
  const worker = runNode(builtEntry('worker.js'), [], workerEnv(taskQueue, url));
  let receiver: Receiver | undefined;
  try {
    await worker.waitFor(/"msg":"Worker started"/);
    const purchase = await startPurchase(
      client,
      { requestId: `webhooks-down-${randomUUID()}`, customerId: sandbox.customerIds[0], items: [item(basic, 1)] },
      { taskQueue },
    );
    expect((await purchase.result()).status).toBe('completed');

    // The purchase is closed while its event's delivery is still being retried.
    const eventId = webhookEventId(purchase.workflowId, 'purchase.completed');
    const delivery = deliveryOf(purchase.workflowId, 'purchase.completed');
    const failedAttempt = await pendingDeliveryFailure(delivery);
    expect(failedAttempt).toMatch(/unreachable/);
    expect((await delivery.describe()).status.name).toBe('RUNNING');
    expect((await purchase.describe()).status.name).toBe('COMPLETED');

    receiver = await startReceiver(secret, () => 204, Number(new URL(url).port));
    const report = (await delivery.result()) as WebhookDeliveryReport;
    expect(report.url).toMatch(/^delivered \(HTTP 204, attempt [2-9]\d*\)$/);
    expect(receiver.deliveries.map((event) => event.id)).toEqual([eventId]);
    expect(receiver.deliveries[0]?.data).toMatchObject({
      workflowId: purchase.workflowId,
      result: { status: 'completed' },
    });
    expect(await currentDetails(delivery)).toMatch(/Webhook purchase\.completed:\*\* delivered \(HTTP 204, attempt/);

    await recordHistory('purchase-webhook-delivery-workflow-started', purchase);
    await recordHistory('webhook-delivery-receiver-down', delivery);
  } finally {
    worker.child.kill('SIGTERM');
    await worker.exited;
    await receiver?.close();
  }
}, 120_000);

/** The last failure of the delivery's pending activity, once it has failed at least once. */
async function pendingDeliveryFailure(delivery: WorkflowHandle): Promise<string> {
  for (;;) {
    const described = await delivery.describe();
    const message = described.raw.pendingActivities?.[0]?.lastFailure?.message;
    if (message) return message;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

test('a callbackUrl gets the events only when its origin is allowed: refused before the start, and again by the worker', async () => {
  const taskQueue = uniqueTaskQueue('webhooks-callback');
  const run = randomUUID();
  const [main, allowed, other] = await Promise.all([
    startReceiver(secret),
    startReceiver(secret),
    startReceiver(secret),
  ]);
  const allowedOrigins = [new URL(allowed.url).origin];
  const worker = runNode(
    builtEntry('worker.js'),
    [],
    workerEnv(taskQueue, main.url, { PCW_WEBHOOK_ALLOWED_ORIGINS: allowedOrigins.join(',') }),
  );
  try {
    const request = (requestId: string): PurchaseRequest => ({
      requestId,
      customerId: sandbox.customerIds[0],
      items: [item(basic, 1)],
    });

    // Outside the allowed origins: refused by the client, and nothing started.
    const refusedId = `webhooks-callback-refused-${run}`;
    await expect(
      startPurchase(client, request(refusedId), { taskQueue, callback: { url: other.url, allowedOrigins } }),
    ).rejects.toThrow(CallbackUrlNotAllowedError);
    await expect(client.workflow.getHandle(`purchase-${refusedId}`).describe()).rejects.toThrow(WorkflowNotFoundError);

    await worker.waitFor(/"msg":"Worker started"/);
    const withCallback = await startPurchase(client, request(`webhooks-callback-${run}`), {
      taskQueue,
      callback: { url: allowed.url, allowedOrigins },
    });
    // A raw start around the client: the worker checks the origin again and never calls it.
    const rawId = `purchase-webhooks-callback-raw-${run}`;
    const raw = await client.workflow.start('purchaseSubscription', {
      workflowId: rawId,
      taskQueue,
      args: [request(`webhooks-callback-raw-${run}`)],
      memo: { callbackUrl: other.url },
    });
    expect((await withCallback.result()).status).toBe('completed');
    await raw.result();
    expect(await deliveryOf(withCallback.workflowId, 'purchase.completed').result()).toEqual({
      url: 'delivered (HTTP 200, attempt 1)',
      callback: 'delivered (HTTP 200, attempt 1)',
    });
    const rawDelivery = deliveryOf(rawId, 'purchase.completed');
    expect(await rawDelivery.result()).toEqual({
      url: 'delivered (HTTP 200, attempt 1)',
      callback: expect.stringMatching(/^not delivered: callbackUrl: origin .* is not one of/),
    });

    const completedId = (workflowId: string) => webhookEventId(workflowId, 'purchase.completed');
    expect(allowed.unique().map((e) => e.id)).toEqual([completedId(withCallback.workflowId)]);
    expect(
      main
        .unique()
        .map((e) => e.id)
        .sort(),
    ).toEqual([completedId(withCallback.workflowId), completedId(rawId)].sort());
    expect(other.deliveries).toEqual([]);
    expect(await currentDetails(rawDelivery)).toMatch(
      /\(callbackUrl\):\*\* not delivered: callbackUrl: origin .* is not one of/,
    );
  } finally {
    worker.child.kill('SIGTERM');
    await worker.exited;
    await Promise.all([main.close(), allowed.close(), other.close()]);
  }
}, 120_000);
