import { randomInt } from 'node:crypto';
import { startSandbox, type Sandbox } from 'partner-center-sandbox';
import { Client, ScheduleNotFoundError, type WorkflowHandle } from '@temporalio/client';
import { createEventActivities } from '../../../src/activities/events/activities';
import {
  AUDIT_BACKFILL_SCHEDULE_ID,
  auditBackfillPosition,
  auditPositionStore,
  ensureAuditBackfillSchedule,
  type AuditBackfillResult,
  type AuditBackfillWorkflow,
} from '../../../src/client';
import { createPartnerCenterClient, createTokenProvider, type PartnerCenterClient } from '../../../src/partner-center';
import { sandboxTokenOptions } from '../../../src/sandbox-settings';
import { startDevServer, type DevServer } from '../../../src/dev/temporal-dev-server';
import { dataConverterFor } from '../../../src/temporal/codec';
import { startStubRig, stubActivities, type StubRig } from '../../support/stub-worker';
import { startApi, type RunningApi } from '../api/support';
import { recordHistory } from '../purchase/harness';
import {
  DAY_MS,
  FakeSubscription,
  signalsReceived,
  startLifecycle,
  subscription,
} from '../subscription/lifecycle-stubs';

/**
 * The activity-log backfill end to end: the sandbox records every subscription change in /v1/auditrecords and, unless
 * delivery is suppressed, delivers its signed `subscription-updated` to the HTTP API. A change whose delivery was
 * suppressed is found by `auditBackfill` and handled; a change seen both ways — delivered and read back — is handled
 * once (the lifecycle hears one `subscriptionChanged` per change).
 */

let sandbox: Sandbox;
let rig: StubRig;
let server: DevServer;
let api: RunningApi;
let pc: PartnerCenterClient;
let taskQueue: string;
let stopWorker: () => void;
let worker: Promise<void>;
const fake = new FakeSubscription(subscription('not-yet-seeded', 30 * DAY_MS));

beforeAll(async () => {
  // A dev server of its own: the Schedule pc-audit-backfill is one per namespace, and a worker of another test file
  // with encryption keys, starting on the shared server, rewrites it with its own codec (this client then cannot read it).
  [sandbox, server] = await Promise.all([
    startSandbox({ orderCompletionDelayMs: 0, orderListDelayMs: 0, seed: randomInt(2, 2 ** 31) }),
    startDevServer({ progress: () => {} }),
  ]);
  rig = await startStubRig(server.address);
  pc = createPartnerCenterClient({
    baseUrl: sandbox.baseUrl,
    tokens: createTokenProvider(sandboxTokenOptions(sandbox)),
  });
  const events = createEventActivities({ partnerCenter: pc, auditPosition: auditPositionStore(rig.client) });
  let ready!: () => void;
  const started = new Promise<void>((resolve) => (ready = resolve));
  worker = rig.withWorker({ ...stubActivities(fake.stubs()), ...events }, (queue) => {
    taskQueue = queue;
    ready();
    return new Promise<void>((resolve) => (stopWorker = resolve));
  });
  await started;
  api = await startApi(rig.client, taskQueue, {
    partnerCenterEvents: { certHosts: ['127.0.0.1'], trustedCaPem: sandbox.caPem },
  });
  await pc.registerWebhook(
    { WebhookUrl: `${api.url}/v1/partner-center/events`, WebhookEvents: ['subscription-updated'] },
    'create',
  );
}, 60_000);

afterAll(async () => {
  await api?.close();
  stopWorker?.();
  await worker;
  await rig?.close();
  await sandbox?.close();
  await server?.stop();
});

async function changeQuantity(customerId: string, subscriptionId: string, quantity: number): Promise<void> {
  const current = await pc.getSubscription(customerId, subscriptionId);
  await pc.updateSubscription(customerId, { ...current, quantity });
}

/** One backfill run from `since`; its history recorded as the replay fixture `fixture` (PCW_RECORD_HISTORIES=1). */
async function backfill(since: string, name: string, fixture?: string): Promise<AuditBackfillResult> {
  const handle = await rig.client.workflow.start<AuditBackfillWorkflow>('auditBackfill', {
    taskQueue,
    workflowId: `backfill-test-${name}-${Date.now()}`,
    args: [{ since }],
  });
  const result = await handle.result();
  if (fixture !== undefined) await recordHistory(fixture, handle);
  return result;
}

async function signalsWhen(handle: WorkflowHandle, count: number): Promise<string[]> {
  const until = Date.now() + 15_000;
  let signals = await signalsReceived(handle);
  while (signals.length < count && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    signals = await signalsReceived(handle);
  }
  return signals;
}

it('a change whose delivery was suppressed is found by the backfill and handled once, as is one seen both ways', async () => {
  const since = new Date().toISOString();
  const customerId = sandbox.customerIds[0];
  const { id } = await sandbox.control.seedSubscription({
    customerId,
    productId: 'CFQ7TTC0LH18',
    skuId: '0001',
    quantity: 5,
  });
  fake.update({ id });
  const lifecycle = await startLifecycle(rig, taskQueue, id);

  await sandbox.control.suppressEventDelivery(true);
  await changeQuantity(customerId, id, 6);
  expect(await sandbox.control.eventDeliveriesInFlight()).toBe(0);
  expect(await signalsReceived(lifecycle)).toEqual([]);

  const first = await backfill(since, 'suppressed', 'backfill-event-started');
  expect(first).toMatchObject({ events: 1, started: 1, alreadyHandled: 0 });
  expect(await signalsWhen(lifecycle, 1)).toEqual(['subscriptionChanged']);
  expect(await backfill(since, 'again')).toMatchObject({ events: 1, started: 0, alreadyHandled: 1 });

  await sandbox.control.suppressEventDelivery(false);
  await changeQuantity(customerId, id, 7);
  expect(await signalsWhen(lifecycle, 2)).toEqual(['subscriptionChanged', 'subscriptionChanged']);
  const both = await backfill(since, 'both-ways', 'backfill-events-already-handled');
  expect(both).toMatchObject({ events: 2, started: 0, alreadyHandled: 2 });
  expect(Date.parse(both.position)).toBeGreaterThan(Date.parse(first.position));
  // Nothing more arrives: each change was handled once.
  await new Promise((resolve) => setTimeout(resolve, 500));
  expect(await signalsReceived(lifecycle)).toHaveLength(2);
  await lifecycle.terminate('test over');
});

/** The Schedule is one per namespace: this file's other test may have made it. */
async function deleteSchedule(client: Client): Promise<void> {
  try {
    await client.schedule.getHandle(AUDIT_BACKFILL_SCHEDULE_ID).delete();
  } catch (err) {
    if (!(err instanceof ScheduleNotFoundError)) throw err;
  }
}

it('the Schedule is created once, keeps its position across a worker restart, and its run advances it', async () => {
  await deleteSchedule(rig.client);
  const { handle: schedule } = await ensureAuditBackfillSchedule(rig.client, { taskQueue });
  try {
    expect(await auditPositionStore(rig.client).save('2026-01-01T00:00:00.000Z')).toBeUndefined();
    await ensureAuditBackfillSchedule(rig.client, { taskQueue }); // a second worker start: same schedule, same input
    expect(await auditBackfillPosition(rig.client)).toBe('2026-01-01T00:00:00.000Z');
    const since = new Date().toISOString();
    await auditPositionStore(rig.client).save(since);
    const customerId = sandbox.customerIds[0];
    const { id } = await sandbox.control.seedSubscription({
      customerId,
      productId: 'CFQ7TTC0LH18',
      skuId: '0001',
      quantity: 2,
    });
    await changeQuantity(customerId, id, 3);
    await schedule.trigger();
    const until = Date.now() + 20_000;
    let position = await auditBackfillPosition(rig.client);
    while (position === since && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      position = await auditBackfillPosition(rig.client);
    }
    expect(Date.parse(position ?? '')).toBeGreaterThan(Date.parse(since));
    const runs = (await schedule.describe()).info.recentActions;
    expect(runs.length).toBe(1);
    expect(runs[0].action.workflow.workflowId.startsWith(AUDIT_BACKFILL_SCHEDULE_ID)).toBe(true);
  } finally {
    await schedule.delete();
  }
});

it('a Schedule written with encryption keys this process lacks is left as it is, and a worker start goes on', async () => {
  const withKey = (id: string, byte: number): Client =>
    new Client({
      connection: rig.client.connection,
      dataConverter: dataConverterFor([{ id, key: Buffer.alloc(32, byte) }]),
    });
  const encrypted = withKey('backfill-a', 1);
  await deleteSchedule(rig.client);
  const { handle, unreadable } = await ensureAuditBackfillSchedule(encrypted, { taskQueue });
  try {
    expect(unreadable).toBeUndefined();
    await auditPositionStore(encrypted).save('2026-02-01T00:00:00.000Z');

    // The SDK's converter without a codec, an unknown key id, and the right key id with other key material.
    const plain = await ensureAuditBackfillSchedule(rig.client, { taskQueue: `${taskQueue}-other` });
    expect(plain.unreadable).toBe('Unknown encoding: binary/encrypted');
    const otherId = await ensureAuditBackfillSchedule(withKey('backfill-b', 1), { taskQueue });
    expect(otherId.unreadable).toMatch(/key id "backfill-a", which PAYLOAD_ENCRYPTION_KEYS does not list/);
    const otherKey = await ensureAuditBackfillSchedule(withKey('backfill-a', 2), { taskQueue });
    expect(otherKey.unreadable).toMatch(/key id "backfill-a" does not open with that key/);
    expect(await auditPositionStore(rig.client).save('2026-03-01T00:00:00.000Z')).toBe(
      `Schedule ${AUDIT_BACKFILL_SCHEDULE_ID} unreadable: Unknown encoding: binary/encrypted`,
    );

    // Untouched: same task queue, same position.
    expect(await auditBackfillPosition(encrypted)).toBe('2026-02-01T00:00:00.000Z');
    const { action } = await encrypted.schedule.getHandle(AUDIT_BACKFILL_SCHEDULE_ID).describe();
    expect(action.type === 'startWorkflow' && action.taskQueue).toBe(taskQueue);
  } finally {
    await handle.delete();
  }
});
