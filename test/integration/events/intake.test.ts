import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import { startSandbox, type Sandbox } from 'partner-center-sandbox';
import { partnerCenterEventWorkflowId, type PartnerCenterEventResult } from '../../../src/client';
import { lifecycleWorkflowId } from '../../../src/workflows/subscription/api';
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
 * `POST /v1/partner-center/events` over real HTTP: the sandbox signs each event with a leaf of its CA and serves the
 * certificate on its own https host; the API (PARTNER_CENTER_WEBHOOK_CERT_HOSTS = that host, the sandbox's CA trusted)
 * answers 202 and a stub worker runs the partnerCenterEvent workflow. Refusals answer 401, log the failed check and
 * start nothing.
 */

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

const subscriptionEvent = (id: string, at = new Date().toISOString()) => ({
  EventName: 'subscription-updated',
  ResourceUri: `https://api.partnercenter.microsoft.com/v1/customers/${customerId}/subscriptions/${id}`,
  ResourceName: 'subscription',
  AuditUri: '',
  ResourceChangeUtcDate: at,
});

async function resultOf(event: ReturnType<typeof subscriptionEvent>): Promise<PartnerCenterEventResult> {
  return rig.client.workflow.getHandle(partnerCenterEventWorkflowId(event)).result();
}

async function notStarted(event: ReturnType<typeof subscriptionEvent>): Promise<void> {
  await expect(rig.client.workflow.getHandle(partnerCenterEventWorkflowId(event)).describe()).rejects.toThrow(
    WorkflowNotFoundError,
  );
}

/** The lines the API logged about refused events since `from`. */
const refusals = (from: number) => api.log.slice(from).filter((line) => line.includes('Partner Center event refused'));

describe('POST /v1/partner-center/events', () => {
  it('answers a signed event 202 and tells the subscription’s lifecycle, once however often it is delivered', async () => {
    const lifecycle = await startLifecycle(rig, taskQueue, fake.view.id);
    const event = subscriptionEvent(fake.view.id);
    const first = await sandbox.control.deliverEvent({ event });
    expect(first.status).toBe(202);
    expect(JSON.parse(first.body)).toEqual({ workflowId: partnerCenterEventWorkflowId(event), newlyStarted: true });
    expect(await resultOf(event)).toMatchObject({
      outcome: 'lifecycle-signalled',
      workflowId: lifecycleWorkflowId(fake.view.id),
    });

    const again = await sandbox.control.deliverEvent({ event });
    expect(again.status).toBe(202);
    expect(JSON.parse(again.body)).toMatchObject({ newlyStarted: false });
    expect(await signalsReceived(lifecycle)).toEqual(['subscriptionChanged']);
    await lifecycle.terminate('test over');
  });

  it('starts the reconciliation of a ready invoice', async () => {
    const invoiceId = `D0${Date.now()}`;
    const event = {
      EventName: 'invoice-ready',
      ResourceUri: `https://api.partnercenter.microsoft.com/v1/invoices/${invoiceId}`,
      ResourceName: 'invoice',
      AuditUri: '',
      ResourceChangeUtcDate: new Date().toISOString(),
    };
    expect((await sandbox.control.deliverEvent({ event })).status).toBe(202);
    expect(await resultOf(event)).toMatchObject({ outcome: 'reconciliation-started' });
    const reconciliation = rig.client.workflow.getHandle(`reconcile-invoice-${invoiceId}`);
    expect((await reconciliation.describe()).type).toBe('reconcileBilling');
    await reconciliation.terminate('test over');
  });

  it('refuses a body that is not the one signed: 401, the check logged, nothing started', async () => {
    const from = api.log.length;
    const event = subscriptionEvent(randomUUID());
    const answer = await sandbox.control.deliverEvent({ event, tamper: { body: true } });
    expect(answer.status).toBe(401);
    expect(JSON.parse(answer.body)).toMatchObject({
      type: 'urn:pcw:problem:Unauthorized',
      detail: expect.stringContaining('signature'),
    });
    expect(refusals(from).join()).toContain('"check":"signature"');
    await notStarted(event);
  });

  it('refuses a certificate URL whose host is not allowed, without fetching it', async () => {
    const from = api.log.length;
    const event = subscriptionEvent(randomUUID());
    const answer = await sandbox.control.deliverEvent({
      event,
      tamper: { certificateUrl: 'https://localhost:1/certificate.pem' },
    });
    expect(answer.status).toBe(401);
    expect(refusals(from).join()).toContain('"check":"certificate-host"');
    await notStarted(event);
  });

  it('refuses a certificate that does not chain to a trusted root (an API that does not trust the sandbox’s CA)', async () => {
    const untrusting = await startApi(rig.client, taskQueue, { partnerCenterEvents: { certHosts: ['127.0.0.1'] } });
    try {
      await sandbox.control.registerEventWebhook(`${untrusting.url}/v1/partner-center/events`);
      const event = subscriptionEvent(randomUUID());
      expect((await sandbox.control.deliverEvent({ event })).status).toBe(401);
      // The certificate's own https host is the sandbox's: not trusted either, so the fetch itself is refused.
      expect(untrusting.log.join()).toMatch(/"check":"certificate-fetch".*self[- ]signed|"check":"certificate-chain"/);
      await notStarted(event);
    } finally {
      await sandbox.control.registerEventWebhook(`${api.url}/v1/partner-center/events`);
      await untrusting.close();
    }
  });

  it('refuses an unsigned event 401 and a body over 64 KiB 413', async () => {
    const url = `${api.url}/v1/partner-center/events`;
    const event = subscriptionEvent(randomUUID());
    const unsigned = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(event),
    });
    expect(unsigned.status).toBe(401);
    const huge = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...event, padding: 'x'.repeat(70 * 1024) }),
    });
    expect(huge.status).toBe(413);
    await notStarted(event);
  });
});
