import type { Sandbox } from '../../src';
import { api, requestToken, sandboxForFile, tokenFor, type ApiResult, type PartnerTokens } from './helpers';

/** Customers' tenants on the Graph host: tokens for them, directory subscriptions, subscribed SKUs, licences. */

type Json = Record<string, unknown>;
type CompanySubscription = {
  id: string;
  commerceSubscriptionId: string;
  skuId: string;
  skuPartNumber: string;
  status: string;
  totalLicenses: number;
  nextLifecycleDateTime: string;
  ownerTenantId: string;
};
type SubscribedSku = {
  skuId: string;
  skuPartNumber: string;
  consumedUnits: number;
  capabilityStatus: string;
  prepaidUnits: { enabled: number; suspended: number; warning: number; lockedOut: number };
};
type User = { id: string; userPrincipalName: string; assignedLicenses: Array<{ skuId: string }> };
type GraphError = { error: { code: string; message: string } };

const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';
const BUSINESS_BASIC = 'CFQ7TTC0LH18';
const DAY = 24 * 3_600_000;

let sandbox: Sandbox;
let tokens: PartnerTokens;
let customer: string;
/** An App-only Graph token for the first customer's tenant. */
let tenantToken: string;

sandboxForFile({ seed: 71, orderCompletionDelayMs: 0, orderListDelayMs: 0 }, (started) => {
  ({ sandbox, tokens, customer } = started);
});

beforeAll(async () => {
  tenantToken = await tokenFor(sandbox, 'app-only', sandbox, { tenantId: customer, scope: GRAPH_SCOPE });
});

async function graph<T = Json>(token: string, method: string, path: string, body?: unknown): Promise<ApiResult<T>> {
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

const directory = async () =>
  (await graph<{ value: CompanySubscription[] }>(tenantToken, 'GET', '/v1.0/directory/subscriptions')).body.value;
const skus = async () =>
  (await graph<{ value: SubscribedSku[] }>(tenantToken, 'GET', '/v1.0/subscribedSkus')).body.value;
const seed = (quantity: number, productId = BUSINESS_BASIC, skuId = '0001') =>
  sandbox.control.seedSubscription({ customerId: customer, productId, skuId, quantity, termDuration: 'P1Y' });
const assign = (user: string, add: string[], remove: string[] = []) =>
  graph<User & GraphError>(tenantToken, 'POST', `/v1.0/users/${encodeURIComponent(user)}/assignLicense`, {
    addLicenses: add.map((skuId) => ({ skuId, disabledPlans: [] })),
    removeLicenses: remove,
  });

describe('tokens for a customer tenant', () => {
  test("the partner's app gets App-only and App+User tokens from the authority of its customer's tenant", async () => {
    for (const mode of ['app-only', 'app+user'] as const) {
      const token = await tokenFor(sandbox, mode, sandbox, { tenantId: customer, scope: GRAPH_SCOPE });
      const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as Json;
      expect(claims).toMatchObject({
        tid: customer,
        aud: 'https://graph.microsoft.com',
        idtyp: mode === 'app-only' ? 'app' : 'user',
      });
      expect((await graph(token, 'GET', '/v1.0/subscribedSkus')).status).toBe(200);
    }
  });

  test("another partner's customer tenant does not know the app", async () => {
    const refused = await requestToken(sandbox, 'app-only', sandbox, {
      tenantId: sandbox.otherPartner.customerIds[0],
      scope: GRAPH_SCOPE,
    });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ error: 'unauthorized_client', error_codes: [700016] });
  });

  test("the tenant's routes refuse a partner-tenant token, and partner routes a customer-tenant token", async () => {
    const partnerGraph = await tokenFor(sandbox, 'app-only', sandbox, { scope: GRAPH_SCOPE });
    const refused = await graph<GraphError>(partnerGraph, 'GET', '/v1.0/directory/subscriptions');
    expect(refused.status).toBe(401);
    expect(refused.body.error).toMatchObject({ code: 'InvalidAuthenticationToken' });
    expect(refused.body.error.message).toContain('partner tenant');

    const customerPc = await tokenFor(sandbox, 'app-only', sandbox, { tenantId: customer });
    expect((await api(sandbox, customerPc, 'GET', `/customers/${customer}/subscriptions`)).status).toBe(401);
    const billing = await graph<GraphError>(
      tenantToken,
      'POST',
      '/v1.0/reports/partners/billing/reconciliation/unbilled/export',
      {
        billingPeriod: 'current',
        currencyCode: 'USD',
      },
    );
    expect(billing.status).toBe(403);
  });

  test('without a GDAP role in the tenant every call answers 403 Authorization_RequestDenied', async () => {
    await sandbox.control.setTenant(customer, { gdapAccess: false });
    const refused = await graph<GraphError>(tenantToken, 'GET', '/v1.0/subscribedSkus');
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('Authorization_RequestDenied');
    expect((await sandbox.control.setTenant(customer, { gdapAccess: true })).gdapAccess).toBe(true);
    expect((await graph(tenantToken, 'GET', '/v1.0/subscribedSkus')).status).toBe(200);
  });
});

describe('directory subscriptions and subscribed SKUs', () => {
  test('follow the Partner Center subscriptions: quantity, status and term end', async () => {
    const { id } = await seed(5);
    const [shown] = await directory();
    const pc = await api<{ commitmentEndDate: string; quantity: number }>(
      sandbox,
      tokens.appOnly,
      'GET',
      `/customers/${customer}/subscriptions/${id}`,
    );
    expect(shown).toMatchObject({
      commerceSubscriptionId: id,
      skuPartNumber: 'O365_BUSINESS_ESSENTIALS',
      status: 'Enabled',
      totalLicenses: 5,
      ownerTenantId: sandbox.tenantId,
    });
    expect(shown.id).not.toBe(id);
    expect(Date.parse(shown.nextLifecycleDateTime)).toBe(Date.parse(pc.body.commitmentEndDate) + DAY);

    const path = `/customers/${customer}/subscriptions/${id}`;
    await api(sandbox, tokens.appOnly, 'PATCH', path, { ...pc.body, quantity: 9 });
    expect((await directory())[0]).toMatchObject({ totalLicenses: 9, status: 'Enabled' });
    await api(sandbox, tokens.appOnly, 'PATCH', path, { ...pc.body, quantity: 9, status: 'suspended' });
    expect((await directory())[0].status).toBe('Suspended');
    expect((await skus())[0]).toMatchObject({
      capabilityStatus: 'Suspended',
      prepaidUnits: { enabled: 0, suspended: 9 },
    });
  });

  test('several subscriptions of one product are one subscribed SKU; assigned seats are its consumed units', async () => {
    await seed(3);
    await seed(4);
    await seed(2, 'CFQ7TTC0LFLX', '0002');
    const set = await sandbox.control.setAssignedSeats(customer, { productId: BUSINESS_BASIC, assigned: 6 });
    const basic = (await skus()).find((s) => s.skuId === set.skuId);
    expect(basic).toMatchObject({
      skuPartNumber: 'O365_BUSINESS_ESSENTIALS',
      consumedUnits: 6,
      capabilityStatus: 'Enabled',
      prepaidUnits: { enabled: 7, suspended: 0, warning: 0, lockedOut: 0 },
    });
    expect(await skus()).toHaveLength(2);
    // More seats than users: the control API creates users, and over-assignment shows (no seat check).
    await sandbox.control.setAssignedSeats(customer, { skuId: set.skuId, assigned: 12 });
    expect((await skus()).find((s) => s.skuId === set.skuId)?.consumedUnits).toBe(12);
    expect(
      (await sandbox.control.tenant(customer)).users.filter((u) => u.assignedSkuIds.includes(set.skuId)),
    ).toHaveLength(12);
  });

  test('a subscription shows in the tenant only after the licence-visibility delay', async () => {
    await sandbox.control.setDelays({ licenceVisibilityMs: 60_000 });
    await seed(2);
    expect(await directory()).toEqual([]);
    expect(await skus()).toEqual([]);
    await sandbox.control.advanceClock(60_000);
    expect(await directory()).toHaveLength(1);
  });

  test('users and directory subscriptions come in pages with @odata.nextLink', async () => {
    const first = await graph<{ value: User[]; '@odata.nextLink'?: string }>(tenantToken, 'GET', '/v1.0/users?$top=4');
    expect(first.body.value).toHaveLength(4);
    const next = new URL(first.body['@odata.nextLink'] ?? '');
    const second = await graph<{ value: User[] }>(
      tenantToken,
      'GET',
      `${next.pathname.replace('/graph', '')}${next.search}`,
    );
    expect(second.body.value[0].userPrincipalName).toMatch(/^user05@/);
  });
});

describe('assignLicense', () => {
  test('assigns and removes by object id or user principal name, counting consumed units', async () => {
    await seed(2);
    const { users } = await sandbox.control.tenant(customer);
    const skuId = (await skus())[0].skuId;
    const byUpn = await assign(users[0].userPrincipalName, [skuId]);
    expect(byUpn.status).toBe(200);
    expect(byUpn.body.assignedLicenses).toEqual([{ skuId, disabledPlans: [] }]);
    expect((await assign(users[1].id, [skuId])).status).toBe(200);
    // Assigning what a user already holds changes nothing and uses no seat.
    expect((await assign(users[1].id, [skuId])).status).toBe(200);
    expect((await skus())[0].consumedUnits).toBe(2);

    const full = await assign(users[2].id, [skuId]);
    expect(full.status).toBe(400);
    expect(full.body.error.message).toContain('does not have any available licenses');
    expect((await assign(users[0].id, [], [skuId])).body.assignedLicenses).toEqual([]);
    expect((await skus())[0].consumedUnits).toBe(1);
  });

  test('refuses an unknown user (404), a user without a usage location and a SKU the tenant lacks (400)', async () => {
    await seed(2);
    const skuId = (await skus())[0].skuId;
    const missing = await assign('nobody@example.invalid', [skuId]);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('Request_ResourceNotFound');
    const { users } = await sandbox.control.tenant(customer);
    const unlocated = users.find((u) => u.usageLocation === undefined)!;
    const noLocation = await assign(unlocated.id, [skuId]);
    expect(noLocation.status).toBe(400);
    expect(noLocation.body.error.message).toContain('usage location');
    const unknownSku = await assign(users[0].id, ['00000000-0000-4000-8000-000000000000']);
    expect(unknownSku.body.error.message).toContain('does not correspond to a valid company License');
    expect((await skus())[0].consumedUnits).toBe(0);
  });

  test('injected faults apply to the Graph host: 429 with Retry-After in Graph shape', async () => {
    await sandbox.control.addFault({ path: '/graph/v1.0/subscribedSkus', kind: 'throttle', retryAfterSeconds: 7 });
    const throttled = await graph<GraphError>(tenantToken, 'GET', '/v1.0/subscribedSkus');
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('7');
    expect(throttled.body.error.code).toBe('TooManyRequests');
    expect((await graph(tenantToken, 'GET', '/v1.0/subscribedSkus')).status).toBe(200);
  });
});

describe('renewals', () => {
  const instructionsFor = async (id: string) => {
    const s = await api<Json & { productId?: string }>(
      sandbox,
      tokens.appOnly,
      'GET',
      `/customers/${customer}/subscriptions/${id}`,
    );
    const [productId, skuId, availabilityId] = String(s.body.offerId).split(':');
    return {
      current: s.body,
      instructions: {
        product: { productId, skuId, availabilityId, termDuration: 'P1Y', billingCycle: 'monthly' },
        quantity: 3,
      },
    };
  };
  const patch = (id: string, body: Json) =>
    api<Json>(sandbox, tokens.appOnly, 'PATCH', `/customers/${customer}/subscriptions/${id}`, body);

  test('any immediate change deletes the scheduled next-term change, even when the body carries it; a rename keeps it', async () => {
    const { id } = await seed(6);
    const { current, instructions } = await instructionsFor(id);
    const scheduled = await patch(id, {
      ...current,
      autoRenewEnabled: true,
      scheduledNextTermInstructions: instructions,
    });
    expect(scheduled.body.scheduledNextTermInstructions).toMatchObject({ quantity: 3 });
    const renamed = await patch(id, { ...scheduled.body, friendlyName: 'Sales' });
    expect(renamed.body.scheduledNextTermInstructions).toMatchObject({ quantity: 3 });
    const added = await patch(id, { ...renamed.body, quantity: 7 });
    expect(added.status).toBe(200);
    expect(added.body.quantity).toBe(7);
    expect(added.body.scheduledNextTermInstructions).toBeUndefined();
  });

  test('the term end moves near on request, and the subscription renews the day after', async () => {
    const { id } = await seed(4);
    const today = new Date(await sandbox.control.now()).toISOString().slice(0, 10);
    expect(await sandbox.control.setTermEnd(id, today)).toEqual({ id, commitmentEndDate: `${today}T00:00:00Z` });
    expect(Date.parse((await directory())[0].nextLifecycleDateTime)).toBe(Date.parse(today) + DAY);
    await sandbox.control.advanceClock(DAY);
    const renewed = await api<{ commitmentEndDate: string; status: string }>(
      sandbox,
      tokens.appOnly,
      'GET',
      `/customers/${customer}/subscriptions/${id}`,
    );
    expect(renewed.body.status).toBe('active');
    expect(Date.parse(renewed.body.commitmentEndDate)).toBeGreaterThan(Date.parse(today) + 300 * DAY);
  });
});
