import { randomUUID } from 'node:crypto';
import { startSandbox, type Sandbox } from 'partner-center-sandbox';
import { partnerCenterEventWorkflowId } from '../../../src/client';
import { floodEvents, floodFigures, type FloodEvent } from '../../../tools/bench/event-flood';
import { startStubRig, stubActivities, type StubRig } from '../../support/stub-worker';
import { startApi, type RunningApi } from '../api/support';
import {
  customerId,
  DAY_MS,
  FakeSubscription,
  signalsReceived,
  startLifecycle,
  subscription,
} from '../subscription/lifecycle-stubs';

/**
 * 1,000 signed events, about 10 % of them repeats, POSTed to the HTTP API 50 at a time (the sandbox signs each as
 * Partner Center does): every delivery is answered 202, every distinct event is started exactly once (one answer
 * `newlyStarted: true`, the repeats `false`) and handled once. The timing is printed, not asserted
 * (docs/benchmarks.md has the figures).
 */

const COUNT = 1_000;
let sandbox: Sandbox;
let rig: StubRig;
let api: RunningApi;
let taskQueue: string;
let stopWorker: () => void;
let worker: Promise<void>;
const fake = new FakeSubscription(subscription(randomUUID(), 30 * DAY_MS));

beforeAll(async () => {
  [sandbox, rig] = await Promise.all([startSandbox(), startStubRig()]);
  let ready!: () => void;
  const started = new Promise<void>((resolve) => (ready = resolve));
  worker = rig.withWorker(stubActivities(fake.stubs()), (queue) => {
    taskQueue = queue;
    ready();
    return new Promise<void>((resolve) => (stopWorker = resolve));
  });
  await started;
  api = await startApi(rig.client, taskQueue, {
    partnerCenterEvents: { certHosts: ['127.0.0.1'], trustedCaPem: sandbox.caPem },
  });
  await sandbox.control.registerEventWebhook(`${api.url}/v1/partner-center/events`);
});

afterAll(async () => {
  await api?.close();
  stopWorker?.();
  await worker;
  await rig?.close();
  await sandbox?.close();
});

it('answers 1,000 signed events (10 % repeats) 202 and handles each distinct one exactly once', async () => {
  const lifecycle = await startLifecycle(rig, taskQueue, fake.view.id);
  const base = Date.now();
  // Every 100th distinct event tells the one lifecycle its subscription changed; the rest are validation events.
  const distinct = (i: number): FloodEvent => ({
    EventName: i % 100 === 0 ? 'subscription-updated' : 'test-created',
    ResourceUri:
      i % 100 === 0
        ? `https://api.partnercenter.microsoft.com/v1/customers/${customerId}/subscriptions/${fake.view.id}`
        : '',
    ResourceName: '',
    AuditUri: '',
    ResourceChangeUtcDate: new Date(base + i).toISOString(),
  });
  const flood = await floodEvents(sandbox, { count: COUNT, duplicateShare: 0.1, concurrency: 50, distinct });

  expect(flood.deliveries).toHaveLength(COUNT);
  expect(flood.deliveries.filter((d) => d.status !== 202)).toEqual([]);
  const answers = flood.deliveries.map((d) => ({
    event: d.event,
    ...(JSON.parse(d.body) as { workflowId: string; newlyStarted: boolean }),
  }));
  expect(COUNT - flood.distinct.length).toBeGreaterThanOrEqual(90);
  for (const [i, event] of flood.distinct.entries()) {
    const mine = answers.filter((a) => a.event === i);
    expect(mine.filter((a) => a.newlyStarted)).toHaveLength(1);
    expect(new Set(mine.map((a) => a.workflowId))).toEqual(new Set([partnerCenterEventWorkflowId({ ...event })]));
  }
  expect(answers.filter((a) => !a.newlyStarted)).toHaveLength(COUNT - flood.distinct.length);

  // Each distinct event's run completes with its outcome: one subscriptionChanged per distinct subscription event.
  const outcomes: string[] = [];
  for (let i = 0; i < flood.distinct.length; i += 50) {
    const batch = flood.distinct.slice(i, i + 50);
    const results = await Promise.all(
      batch.map(
        (event) =>
          rig.client.workflow.getHandle(partnerCenterEventWorkflowId({ ...event })).result() as Promise<{
            outcome: string;
          }>,
      ),
    );
    outcomes.push(...results.map((r) => r.outcome));
  }
  const subscriptionEvents = flood.distinct.filter((e) => e.EventName === 'subscription-updated').length;
  expect(outcomes.filter((o) => o === 'lifecycle-signalled')).toHaveLength(subscriptionEvents);
  expect(outcomes.filter((o) => o === 'recorded')).toHaveLength(flood.distinct.length - subscriptionEvents);
  expect(await signalsReceived(lifecycle)).toHaveLength(subscriptionEvents);
  await lifecycle.terminate('test over');

  process.stderr.write(
    `${floodFigures(flood, 'event flood')
      .map((f) => `${f.name}: ${f.value} ${f.unit}`)
      .join('\n')}\n`,
  );
}, 180_000);
