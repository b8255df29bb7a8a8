import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Sandbox } from '../../src';
import { sandboxForFile, tokenFor, type ApiResult } from './helpers';

/** GDAP on the Graph host with the partner's token: relationships, lockForApproval, the customer's approval
 * (a control route raising its event), access assignments, and the refusals Graph makes. */

type Json = Record<string, unknown>;
type Relationship = Json & { id: string; status: string; activatedDateTime: string | null; endDateTime: string | null };
type GraphError = { error: { code: string; message: string } };

const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';
const BASE = '/v1.0/tenantRelationships/delegatedAdminRelationships';
const GLOBAL_ADMIN = '62e90394-69f5-4237-9190-012177145e10';
const USER_ADMIN = 'fe930be7-5e62-47db-91af-98c3a49a38b1';
const LICENSE_ADMIN = '4d6ac14f-3453-41d0-bef9-a3e0c569773a';
const GROUP = '7c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f';
const DAY = 24 * 3_600_000;

let sandbox: Sandbox;
let customer: string;
let partnerToken: string;
let receiver: Server;
const received: Array<{ headers: Json; body: Json }> = [];

sandboxForFile({ seed: 93, orderCompletionDelayMs: 0, orderListDelayMs: 0 }, (started) => {
  ({ sandbox, customer } = started);
});

beforeAll(async () => {
  partnerToken = await tokenFor(sandbox, 'app-only', sandbox, { scope: GRAPH_SCOPE });
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ headers: req.headers as Json, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Json });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  await new Promise((resolve) => receiver.close(resolve));
});

beforeEach(async () => {
  received.length = 0;
  await sandbox.control.registerEventWebhook(`http://127.0.0.1:${(receiver.address() as AddressInfo).port}/events`);
});

async function graph<T = Json>(
  method: string,
  path: string,
  body?: unknown,
  token = partnerToken,
): Promise<ApiResult<T>> {
  const response = await fetch(`${sandbox.graphBaseUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : undefined) as T };
}

function relationshipBody(change: Json = {}): Json {
  return {
    displayName: 'pcw onboarding',
    duration: 'P730D',
    customer: { tenantId: customer },
    accessDetails: { unifiedRoles: [{ roleDefinitionId: USER_ADMIN }, { roleDefinitionId: LICENSE_ADMIN }] },
    autoExtendDuration: 'P180D',
    ...change,
  };
}

const createRelationship = (change: Json = {}) =>
  graph<Relationship & GraphError>('POST', BASE, relationshipBody(change));
const assign = (id: string, roles: string[]) =>
  graph<Json & GraphError & { id: string; status: string }>('POST', `${BASE}/${id}/accessAssignments`, {
    accessContainer: { accessContainerId: GROUP, accessContainerType: 'securityGroup' },
    accessDetails: { unifiedRoles: roles.map((roleDefinitionId) => ({ roleDefinitionId })) },
  });

describe('GDAP refusals', () => {
  test.each([
    ['a duration over P730D', { duration: 'P731D' }, /P730D/],
    ['a duration not in days', { duration: 'P2Y' }, /'duration'/],
    [
      'auto-extension with Global Administrator',
      { accessDetails: { unifiedRoles: [{ roleDefinitionId: GLOBAL_ADMIN }] } },
      /Global Administrator.*cannot be auto-extended/,
    ],
    [
      'a customer that is not the partner’s',
      { customer: { tenantId: '00000000-0000-4000-8000-00000000abcd' } },
      /not a customer of this partner/,
    ],
    [
      'a roleDefinitionId that is not a GUID',
      { accessDetails: { unifiedRoles: [{ roleDefinitionId: 'Global Admin' }] } },
      /must be a GUID/,
    ],
  ])('%s is refused 400 in Graph’s error shape', async (_, change, message) => {
    const refused = await createRelationship(change);
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ code: 'BadRequest', message: expect.stringMatching(message) });
  });

  test("another partner's customer is refused, and Global Administrator without auto-extension is accepted", async () => {
    expect((await createRelationship({ customer: { tenantId: sandbox.otherPartner.customerIds[0] } })).status).toBe(
      400,
    );
    const ok = await createRelationship({
      accessDetails: { unifiedRoles: [{ roleDefinitionId: GLOBAL_ADMIN }] },
      autoExtendDuration: 'PT0S',
    });
    expect(ok.status).toBe(201);
  });

  test('access cannot be assigned before the relationship is active', async () => {
    const created = await createRelationship();
    const refused = await assign(created.body.id, [USER_ADMIN]);
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toMatch(/is created: access can be assigned once it is active/);
  });
});

describe('GDAP from creation to active access', () => {
  test('create → lockForApproval → approve (event, tenant access) → assignment pending → active', async () => {
    await sandbox.control.setTenant(customer, { gdapAccess: false });
    await sandbox.control.setDelays({ accessAssignmentMs: 5 * 60_000 });
    const created = await createRelationship();
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      displayName: 'pcw onboarding',
      duration: 'P730D',
      status: 'created',
      customer: { tenantId: customer, displayName: 'Northwind Traders' },
      accessDetails: { unifiedRoles: [{ roleDefinitionId: USER_ADMIN }, { roleDefinitionId: LICENSE_ADMIN }] },
      autoExtendDuration: 'P180D',
      activatedDateTime: null,
      endDateTime: null,
    });
    const { id } = created.body;
    expect((await graph<Relationship>('GET', `${BASE}/${id}`)).body.status).toBe('created');
    // The customer can approve only a relationship locked for approval.
    await expect(sandbox.control.onboarding.approveGdap(id)).rejects.toThrow(/409/);

    const lock = await graph<Json>('POST', `${BASE}/${id}/requests`, { action: 'lockForApproval' });
    expect(lock).toMatchObject({ status: 201, body: { action: 'lockForApproval', status: 'succeeded' } });
    expect((await graph<Relationship>('GET', `${BASE}/${id}`)).body.status).toBe('approvalPending');
    expect((await graph<GraphError>('POST', `${BASE}/${id}/requests`, { action: 'lockForApproval' })).status).toBe(400);

    const approved = await sandbox.control.onboarding.approveGdap(id);
    expect(approved.event).toEqual({
      name: 'granular-admin-relationship-approved',
      delivery: { status: 200, body: '' },
    });
    expect(received).toHaveLength(1);
    expect(received[0].body).toMatchObject({
      EventName: 'granular-admin-relationship-approved',
      ResourceUri: expect.stringContaining(`/delegatedAdminRelationships/${id}`),
    });
    expect(received[0].headers.authorization).toMatch(/^Signature /);
    const active = (await graph<Relationship>('GET', `${BASE}/${id}`)).body;
    expect(active.status).toBe('active');
    const activatedAt = Date.parse(active.activatedDateTime ?? '');
    expect(Date.parse(active.endDateTime ?? '') - activatedAt).toBe(730 * DAY);
    expect((await sandbox.control.tenant(customer)).gdapAccess).toBe(true);

    expect((await assign(id, [GLOBAL_ADMIN])).body.error.message).toMatch(/not part of relationship/);
    const assignment = await assign(id, [LICENSE_ADMIN]);
    expect(assignment).toMatchObject({ status: 201, body: { status: 'pending' } });
    const path = `${BASE}/${id}/accessAssignments/${assignment.body.id}`;
    expect((await graph<Json>('GET', path)).body.status).toBe('pending');
    await sandbox.control.advanceClock(5 * 60_000);
    expect((await graph<Json>('GET', path)).body).toMatchObject({
      status: 'active',
      accessContainer: { accessContainerId: GROUP, accessContainerType: 'securityGroup' },
      accessDetails: { unifiedRoles: [{ roleDefinitionId: LICENSE_ADMIN }] },
    });
    const list = await graph<{ value: Array<{ id: string }> }>('GET', `${BASE}/${id}/accessAssignments`);
    expect(list.body.value.map((a) => a.id)).toEqual([assignment.body.id]);
    const relationships = await graph<{ value: Array<{ id: string }> }>('GET', BASE);
    expect(relationships.body.value.map((r) => r.id)).toEqual([id]);
  });

  test("another partner's relationship is not found; accepting a relationship raises its event too", async () => {
    const created = await createRelationship();
    const other = await tokenFor(sandbox, 'app-only', sandbox.otherPartner, { scope: GRAPH_SCOPE });
    expect((await graph('GET', `${BASE}/${created.body.id}`, undefined, other)).status).toBe(404);
    expect((await graph<{ value: unknown[] }>('GET', BASE, undefined, other)).body.value).toEqual([]);
    const tenantId = '5e4d3c2b-1a09-4f8e-9d7c-6b5a49382716';
    const accepted = await sandbox.control.onboarding.acceptRelationship(tenantId);
    expect(accepted.event.delivery?.status).toBe(200);
    expect(received.map((r) => r.body)).toEqual([
      expect.objectContaining({
        EventName: 'reseller-relationship-accepted-by-customer',
        ResourceUri: `https://api.partnercenter.microsoft.com/v1/customers/${tenantId}`,
      }),
    ]);
  });
});
