import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Sandbox } from '../../src';
import { api, catalogItemFor, sandboxForFile, type PartnerTokens } from './helpers';

type Json = Record<string, unknown>;

let sandbox: Sandbox;
let tokens: PartnerTokens;
let customer: string;
sandboxForFile({ seed: 47, orderCompletionDelayMs: 0, orderListDelayMs: 0 }, (started) => {
  ({ sandbox, tokens, customer } = started);
});

/** A receiver of webhook events that answers `status` and keeps what it got. */
interface Receiver {
  url: string;
  received: Array<{ body: Json; headers: Record<string, unknown> }>;
  status: number;
}
let receiver: Receiver;
let server: Server;
beforeAll(async () => {
  receiver = { url: '', received: [], status: 200 };
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      receiver.received.push({
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Json,
        headers: req.headers,
      });
      res.writeHead(receiver.status).end(receiver.status < 300 ? 'ok' : 'down');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  receiver.received = [];
  receiver.status = 200;
});

const registration = (events: string[]) => ({ WebhookUrl: receiver.url, WebhookEvents: events });

async function settled(): Promise<void> {
  for (let i = 0; i < 100 && (await sandbox.control.eventDeliveriesInFlight()) > 0; i += 1)
    await new Promise((resolve) => setTimeout(resolve, 50));
}

async function seeded(quantity = 5): Promise<string> {
  return (
    await sandbox.control.seedSubscription({ customerId: customer, productId: 'CFQ7TTC0LH18', skuId: '0001', quantity })
  ).id;
}

describe('webhook registration', () => {
  it('lists event names, creates, reads, updates and deletes the registration', async () => {
    const names = await api<string[]>(sandbox, tokens.appOnly, 'GET', '/../webhooks/v1/registration/events');
    expect(names.body).toEqual(expect.arrayContaining(['test-created', 'subscription-updated', 'invoice-ready']));
    expect((await api(sandbox, tokens.appOnly, 'GET', '/../webhooks/v1/registration')).status).toBe(404);
    const created = await api(
      sandbox,
      tokens.appOnly,
      'POST',
      '/../webhooks/v1/registration',
      registration(['subscription-updated']),
    );
    expect(created.body).toMatchObject({ WebhookUrl: receiver.url, WebhookEvents: ['subscription-updated'] });
    expect(
      (await api(sandbox, tokens.appOnly, 'POST', '/../webhooks/v1/registration', registration(['invoice-ready'])))
        .status,
    ).toBe(409);
    const updated = await api(
      sandbox,
      tokens.appOnly,
      'PUT',
      '/../webhooks/v1/registration',
      registration(['invoice-ready']),
    );
    expect(updated.body).toMatchObject({ WebhookEvents: ['invoice-ready'] });
    expect((await api(sandbox, tokens.appOnly, 'GET', '/../webhooks/v1/registration')).body).toMatchObject({
      WebhookEvents: ['invoice-ready'],
    });
    expect((await api(sandbox, tokens.appOnly, 'DELETE', '/../webhooks/v1/registration')).status).toBe(204);
    expect((await api(sandbox, tokens.appOnly, 'GET', '/../webhooks/v1/registration')).status).toBe(404);
  });

  it('refuses unknown events, a plain-http public URL and a missing token', async () => {
    const bad = await api(sandbox, tokens.appOnly, 'POST', '/../webhooks/v1/registration', {
      WebhookUrl: 'http://example.com/hook',
      WebhookEvents: ['no-such-event'],
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toMatch(/webhookUrl/);
    expect((await api(sandbox, undefined, 'GET', '/../webhooks/v1/registration/events')).status).toBe(401);
  });

  it('delivers a signed validation event, keeps each attempt, and allows two a minute', async () => {
    await api(sandbox, tokens.appOnly, 'POST', '/../webhooks/v1/registration', registration(['subscription-updated']));
    receiver.status = 503;
    const first = await api<{ correlationId: string }>(
      sandbox,
      tokens.appOnly,
      'POST',
      '/../webhooks/v1/registration/validationEvents',
    );
    expect(first.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 300));
    receiver.status = 200;
    await settled();
    const result = await api<{ status: string; events: Array<{ responseCode: number; attempt: number }> }>(
      sandbox,
      tokens.appOnly,
      'GET',
      `/../webhooks/v1/registration/validationEvents/${first.body.correlationId}`,
    );
    expect(result.body.status).toBe('completed');
    expect(result.body.events[0].responseCode).toBe(503);
    expect(result.body.events.at(-1)).toMatchObject({ responseCode: 200 });
    expect(receiver.received.at(-1)?.body).toMatchObject({ EventName: 'test-created' });
    expect(receiver.received.at(-1)?.headers['authorization']).toMatch(/^Signature /);
    expect((await api(sandbox, tokens.appOnly, 'POST', '/../webhooks/v1/registration/validationEvents')).status).toBe(
      200,
    );
    expect((await api(sandbox, tokens.appOnly, 'POST', '/../webhooks/v1/registration/validationEvents')).status).toBe(
      429,
    );
  });
});

describe('events of the sandbox own changes, and the activity log', () => {
  it('a PATCH raises subscription-updated with the activity log record of the same change time', async () => {
    await api(
      sandbox,
      tokens.appOnly,
      'POST',
      '/../webhooks/v1/registration',
      registration(['subscription-updated', 'invoice-ready']),
    );
    const id = await seeded();
    const read = await api<Json>(sandbox, tokens.appOnly, 'GET', `/customers/${customer}/subscriptions/${id}`);
    expect(
      (
        await api(sandbox, tokens.appOnly, 'PATCH', `/customers/${customer}/subscriptions/${id}`, {
          ...read.body,
          quantity: 7,
        })
      ).status,
    ).toBeLessThan(300);
    await settled();
    const event = receiver.received.find((r) => r.body.EventName === 'subscription-updated')?.body;
    expect(event?.ResourceUri).toMatch(new RegExp(`/customers/${customer}/subscriptions/${id}$`));
    const records = await api<{ items: Json[] }>(
      sandbox,
      tokens.appOnly,
      'GET',
      `/auditrecords?startDate=${new Date(Date.now() - 3600_000).toISOString()}`,
    );
    const record = records.body.items.find((r) => r.operationType === 'update_subscription');
    expect(record).toMatchObject({ customerId: customer, resourceType: 'subscription', operationStatus: 'succeeded' });
    expect(Date.parse(String(record?.operationDate))).toBe(Date.parse(String(event?.ResourceChangeUtcDate)));
    expect(JSON.parse(String(record?.resourceNewValue))).toMatchObject({ id, quantity: 7 });
  });

  it('suppressed: the change is in the activity log only; invoice-ready delivers when resumed', async () => {
    await api(
      sandbox,
      tokens.appOnly,
      'POST',
      '/../webhooks/v1/registration',
      registration(['subscription-updated', 'invoice-ready']),
    );
    await sandbox.control.suppressEventDelivery(true);
    const id = await seeded();
    const read = await api<Json>(sandbox, tokens.appOnly, 'GET', `/customers/${customer}/subscriptions/${id}`);
    await api(sandbox, tokens.appOnly, 'PATCH', `/customers/${customer}/subscriptions/${id}`, {
      ...read.body,
      quantity: 9,
    });
    await settled();
    expect(receiver.received).toHaveLength(0);
    const filter = encodeURIComponent(
      JSON.stringify({ Field: 'ResourceType', Value: 'subscription', Operator: 'equals' }),
    );
    const records = await api<{ items: Json[] }>(
      sandbox,
      tokens.appOnly,
      'GET',
      `/auditrecords?filter=${filter}&size=1`,
    );
    expect(records.body.items).toHaveLength(1);
    await sandbox.control.suppressEventDelivery(false);
    const invoices = await api<{ items: Array<{ id: string }> }>(sandbox, tokens.appOnly, 'GET', '/invoices');
    await sandbox.control.invoiceReady(invoices.body.items[0].id);
    await settled();
    expect(receiver.received.map((r) => r.body.EventName)).toEqual(['invoice-ready']);
    expect(receiver.received[0].body.ResourceUri).toMatch(new RegExp(`/invoices/${invoices.body.items[0].id}$`));
  });

  it('pages the activity log with a continuation and refuses a startDate past 90 days', async () => {
    for (const quantity of [2, 3, 4]) {
      const id = await seeded(quantity);
      const read = await api<Json>(sandbox, tokens.appOnly, 'GET', `/customers/${customer}/subscriptions/${id}`);
      await api(sandbox, tokens.appOnly, 'PATCH', `/customers/${customer}/subscriptions/${id}`, {
        ...read.body,
        quantity: quantity + 1,
      });
    }
    const first = await api<{ items: Json[]; continuationToken?: string }>(
      sandbox,
      tokens.appOnly,
      'GET',
      '/auditrecords?size=2',
    );
    expect(first.body.items).toHaveLength(2);
    const next = await api<{ items: Json[] }>(
      sandbox,
      tokens.appOnly,
      'GET',
      '/auditrecords?size=2&seekOperation=Next',
      undefined,
      {
        'MS-ContinuationToken': first.body.continuationToken ?? '',
      },
    );
    expect(next.body.items).toHaveLength(1);
    const old = new Date(Date.now() - 91 * 24 * 3600_000).toISOString();
    expect((await api(sandbox, tokens.appOnly, 'GET', `/auditrecords?startDate=${old}`)).status).toBe(400);
  });

  it('a suspension and a transition completing on the clock raise subscription-updated for each subscription changed', async () => {
    await api(sandbox, tokens.appOnly, 'POST', '/../webhooks/v1/registration', registration(['subscription-updated']));
    const suspended = await seeded(3);
    const read = await api<Json>(sandbox, tokens.appOnly, 'GET', `/customers/${customer}/subscriptions/${suspended}`);
    await api(sandbox, tokens.appOnly, 'PATCH', `/customers/${customer}/subscriptions/${suspended}`, {
      ...read.body,
      status: 'suspended',
    });
    const source = await seeded(5);
    const standard = await catalogItemFor(sandbox, tokens.appOnly, 'CFQ7TTC0LDPB', '0001', 'P1Y');
    await sandbox.control.setDelays({ orderCompletionMs: 60_000 });
    const transition = await api(
      sandbox,
      tokens.appOnly,
      'POST',
      `/customers/${customer}/subscriptions/${source}/transitions`,
      {
        ToCatalogItemId: standard,
        Quantity: 2,
        TransitionType: 'Transition_With_License_Transfer',
      },
    );
    expect(transition.status).toBe(200);
    await settled();
    const before = receiver.received.length;
    await sandbox.control.advanceClock(61_000);
    await settled();
    const changed = (from: number) =>
      receiver.received.slice(from).map((r) => String(r.body.ResourceUri).split('/').at(-1));
    expect(changed(0)).toContain(suspended);
    expect(changed(before)).toEqual([source]);
    const records = await api<{ items: Json[] }>(sandbox, tokens.appOnly, 'GET', '/auditrecords');
    expect(records.body.items.map((r) => JSON.parse(String(r.resourceNewValue)).id)).toEqual(
      expect.arrayContaining([suspended, source]),
    );
  });
});
