import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Sandbox } from '../../src';
import { api, catalogItemFor, sandboxForFile, tokenFor, type PartnerTokens } from './helpers';

/**
 * The activity log records every change the sandbox makes, in Partner Center's documented fields; a change with a
 * webhook event carries the record's operationDate as its ResourceChangeUtcDate, delivered or (suppressed) not.
 */

type Json = Record<string, unknown>;
type Created = { id: string; userCredentials?: { password?: string } };

let sandbox: Sandbox;
let tokens: PartnerTokens;
let customer: string;
let receiver: Server;
const received: Json[] = [];

sandboxForFile({ seed: 57, orderCompletionDelayMs: 0, orderListDelayMs: 0 }, (started) => {
  ({ sandbox, tokens, customer } = started);
});

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Json);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
});
afterAll(() => new Promise<void>((resolve) => receiver.close(() => resolve())));
beforeEach(async () => {
  received.length = 0;
  await sandbox.control.registerEventWebhook(`http://127.0.0.1:${(receiver.address() as AddressInfo).port}/events`);
});

async function records(): Promise<Json[]> {
  const page = await api<{ items: Json[] }>(sandbox, tokens.appOnly, 'GET', '/auditrecords?size=500');
  return page.body.items;
}

const DOCUMENTED_FIELDS = [
  'id',
  'partnerId',
  'customerId',
  'customerName',
  'userPrincipalName',
  'applicationId',
  'resourceType',
  'resourceNewValue',
  'operationType',
  'operationStatus',
  'operationDate',
  'customizedData',
  'attributes',
];

async function graph(method: string, path: string, body?: unknown): Promise<Json> {
  const token = await tokenFor(sandbox, 'app-only', sandbox, { scope: 'https://graph.microsoft.com/.default' });
  const response = await fetch(`${sandbox.graphBaseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return (await response.json()) as Json;
}

it('records a customer created, an order placed, a GDAP relationship created, locked and approved, and an invoice ready', async () => {
  const created = await api<Created>(sandbox, tokens.appUser, 'POST', '/customers', {
    companyProfile: { domain: 'auditedco.onmicrosoft.com' },
    billingProfile: {
      email: 'jo@contoso.example',
      culture: 'en-US',
      language: 'en',
      companyName: 'Audited Co',
      defaultAddress: {
        country: 'US',
        city: 'Redmond',
        state: 'WA',
        addressLine1: '1 Way',
        postalCode: '98052',
        firstName: 'Jo',
        lastName: 'Doe',
      },
    },
  });
  expect(created.status).toBe(201);
  const item = await catalogItemFor(sandbox, tokens.appOnly, 'CFQ7TTC0LH18', '0001', 'P1Y');
  const cart = await api<{ id: string }>(sandbox, tokens.appOnly, 'POST', `/customers/${customer}/carts`, {
    lineItems: [{ id: 0, catalogItemId: item, quantity: 2, termDuration: 'P1Y', billingCycle: 'monthly' }],
  });
  const checkout = await api<{ orders: Array<{ id: string }> }>(
    sandbox,
    tokens.appOnly,
    'POST',
    `/customers/${customer}/carts/${cart.body.id}/checkout`,
  );
  const base = '/v1.0/tenantRelationships/delegatedAdminRelationships';
  const relationship = await graph('POST', base, {
    displayName: 'audited',
    duration: 'P730D',
    customer: { tenantId: customer },
    accessDetails: { unifiedRoles: [{ roleDefinitionId: 'fe930be7-5e62-47db-91af-98c3a49a38b1' }] },
  });
  const relationshipId = String(relationship.id);
  await graph('POST', `${base}/${relationshipId}/requests`, { action: 'lockForApproval' });
  await sandbox.control.suppressEventDelivery(true);
  const approved = await sandbox.control.onboarding.approveGdap(relationshipId);
  expect(approved.event).toEqual({ name: 'granular-admin-relationship-approved', delivery: null });
  await sandbox.control.suppressEventDelivery(false);
  const invoices = await api<{ items: Array<{ id: string }> }>(sandbox, tokens.appOnly, 'GET', '/invoices');
  await sandbox.control.invoiceReady(invoices.body.items[0].id);

  const log = await records();
  const ops = log.map((r) => [r.operationType, r.resourceType]);
  expect(ops).toEqual(
    expect.arrayContaining([
      ['add_customer', 'customer'],
      ['create_order', 'order'],
      ['create_granular_admin_relationship', 'granular_admin_relationship'],
      ['update_granular_admin_relationship', 'granular_admin_relationship'],
      ['approve_granular_admin_relationship', 'granular_admin_relationship'],
      ['invoice_ready', 'invoice'],
    ]),
  );
  for (const record of log) {
    expect(Object.keys(record)).toEqual(expect.arrayContaining(DOCUMENTED_FIELDS));
    expect(record.operationStatus).toBe('succeeded');
  }
  const order = log.find((r) => r.operationType === 'create_order')!;
  expect(JSON.parse(String(order.resourceNewValue))).toMatchObject({ id: checkout.body.orders[0].id });
  expect(order.applicationId).not.toBe('');
  const approval = log.find((r) => r.operationType === 'approve_granular_admin_relationship')!;
  expect(JSON.parse(String(approval.resourceOldValue))).toMatchObject({
    id: relationshipId,
    status: 'approvalPending',
  });
  expect(JSON.parse(String(approval.resourceNewValue))).toMatchObject({ status: 'active' });
  expect(approval.customerId).toBe(customer);
  // The first admin's one-time password is in the create's answer only, never in the log.
  const password = created.body.userCredentials?.password;
  expect(password).toBeTruthy();
  expect(JSON.stringify(log)).not.toContain(password);
});

it('a relationship accepted is recorded, and its delivered event carries the record’s change time', async () => {
  const tenant = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
  await sandbox.control.onboarding.acceptRelationship(tenant, { domain: 'acceptedaudit.onmicrosoft.com' });
  const record = (await records()).find((r) => r.operationType === 'accept_partner_customer_relationship');
  expect(record).toMatchObject({ customerId: tenant, resourceType: 'partner_customer_relationship' });
  expect(received).toHaveLength(1);
  expect(received[0]).toMatchObject({
    EventName: 'reseller-relationship-accepted-by-customer',
    ResourceChangeUtcDate: record?.operationDate,
    AuditUri: `https://api.partnercenter.microsoft.com/v1/auditrecords/${String(record?.id)}`,
  });
});
