import { generateKeyPairSync } from 'node:crypto';
import { startSandbox, type Sandbox } from '../../src';
import { signJwt } from '../../src/jwt';
import { api, partnerTokens, tokenFor } from './helpers';

type Json = Record<string, unknown>;

let sandbox: Sandbox;
let tokens: { appOnly: string; appUser: string };
let customer: string;
let ordersPath: string;

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 41 });
  tokens = await partnerTokens(sandbox);
  customer = sandbox.customerIds[0];
  ordersPath = `/customers/${customer}/orders`;
});
afterAll(async () => {
  await sandbox.close();
});
beforeEach(async () => {
  await sandbox.control.reset();
});

describe('bearer token checks', () => {
  test('a missing token gets 401 with WWW-Authenticate', async () => {
    const response = await api<Json>(sandbox, undefined, 'GET', ordersPath);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer /);
    expect(response.body.source).toBe('PartnerFD');
  });

  test('a malformed or non-Bearer Authorization header gets 401', async () => {
    expect((await api(sandbox, 'not-a-jwt', 'GET', ordersPath)).status).toBe(401);
    const basic = await fetch(`${sandbox.baseUrl}/v1${ordersPath}`, {
      headers: { authorization: 'Basic dXNlcjpwYXNz' },
    });
    expect(basic.status).toBe(401);
  });

  test('an expired token gets 401 invalid_token', async () => {
    const expired = await sandbox.control.mintToken({ mode: 'app-only', expiresInSeconds: -60 });
    const response = await api<Json>(sandbox, expired, 'GET', ordersPath);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(String(response.body.description)).toContain('expired');
  });

  test('a token signed by a foreign key, for an unknown tenant or for another audience gets 401', async () => {
    const foreignKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const now = Math.floor(Date.now() / 1000);
    const forged = signJwt(
      { alg: 'RS256', typ: 'JWT' },
      {
        aud: 'https://api.partnercenter.microsoft.com',
        iss: `${sandbox.authorityHost}/${sandbox.tenantId}/v2.0`,
        iat: now,
        nbf: now,
        exp: now + 600,
        tid: sandbox.tenantId,
        oid: 'x',
        appid: sandbox.clientId,
        idtyp: 'app',
        ver: '1.0',
      },
      foreignKey,
    );
    const refused = await api<Json>(sandbox, forged, 'GET', ordersPath);
    expect(refused.status).toBe(401);
    // The presented token is never echoed back.
    expect(`${JSON.stringify(refused.body)} ${refused.headers.get('www-authenticate')}`).not.toContain(
      forged.split('.')[2],
    );
    const strangerTenant = await sandbox.control.mintToken({
      mode: 'app-only',
      tenantId: '00000000-0000-4000-8000-000000000000',
    });
    expect((await api(sandbox, strangerTenant, 'GET', ordersPath)).status).toBe(401);
    const graphToken = await sandbox.control.mintToken({ mode: 'app-only', audience: 'https://graph.microsoft.com' });
    expect((await api(sandbox, graphToken, 'GET', ordersPath)).status).toBe(401);
  });

  test('an App+User token without MFA gets 401 "MFA required" with Bearer error="invalid_token"', async () => {
    const noMfa = await sandbox.control.mintToken({ mode: 'app+user', mfa: false });
    const response = await api<Json>(sandbox, noMfa, 'GET', ordersPath);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(String(response.body.description)).toContain('MFA required');
  });

  test('App-only tokens are refused on App+User-only operations', async () => {
    const invoices = await api<{ items: Array<{ id: string }> }>(sandbox, tokens.appOnly, 'GET', '/invoices');
    const invoiceId = invoices.body.items[0].id;
    expect((await api(sandbox, tokens.appOnly, 'GET', `/invoices/${invoiceId}`)).status).toBe(403);
    expect((await api(sandbox, tokens.appUser, 'GET', `/invoices/${invoiceId}`)).status).toBe(200);
    expect((await api(sandbox, tokens.appOnly, 'GET', `${ordersPath}/0123456789ab/provisioningstatus`)).status).toBe(
      403,
    );
  });

  test("another partner's customers are invisible (404) and its own are visible", async () => {
    const other = sandbox.otherPartner;
    const otherToken = await tokenFor(sandbox, 'app-only', other);
    const hidden = await api<Json>(sandbox, tokens.appOnly, 'GET', `/customers/${other.customerIds[0]}/orders`);
    expect(hidden.status).toBe(404);
    expect((await api(sandbox, otherToken, 'GET', `/customers/${customer}/subscriptions`)).status).toBe(404);
    expect((await api(sandbox, otherToken, 'GET', `/customers/${other.customerIds[0]}/orders`)).status).toBe(200);
  });
});

describe('throttling', () => {
  test('per-customer bucket: 429 with Retry-After and the {statusCode, message} body, refilled by time', async () => {
    await sandbox.control.setThrottling({ customerPerMinute: 3 });
    for (let i = 0; i < 3; i += 1) expect((await api(sandbox, tokens.appOnly, 'GET', ordersPath)).status).toBe(200);
    const throttled = await api<Json>(sandbox, tokens.appOnly, 'GET', ordersPath);
    expect(throttled.status).toBe(429);
    const retryAfter = Number(throttled.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(throttled.body).toEqual({
      statusCode: 429,
      message: `Rate limit is exceeded. Try again in ${retryAfter} seconds.`,
    });
    // Another customer of the same partner has its own bucket; the catalog is not throttled.
    expect((await api(sandbox, tokens.appOnly, 'GET', `/customers/${sandbox.customerIds[1]}/orders`)).status).toBe(200);
    expect((await api(sandbox, tokens.appOnly, 'GET', '/products?country=US&targetView=OnlineServices')).status).toBe(
      200,
    );
    await sandbox.control.advanceClock(retryAfter * 1000);
    expect((await api(sandbox, tokens.appOnly, 'GET', ordersPath)).status).toBe(200);
  });

  test('per-partner bucket spans all customers', async () => {
    await sandbox.control.setThrottling({ partnerPerMinute: 2 });
    expect((await api(sandbox, tokens.appOnly, 'GET', ordersPath)).status).toBe(200);
    expect((await api(sandbox, tokens.appOnly, 'GET', `/customers/${sandbox.customerIds[1]}/orders`)).status).toBe(200);
    expect((await api(sandbox, tokens.appOnly, 'GET', `/customers/${sandbox.customerIds[2]}/orders`)).status).toBe(429);
    const otherToken = await tokenFor(sandbox, 'app-only', sandbox.otherPartner);
    expect(
      (await api(sandbox, otherToken, 'GET', `/customers/${sandbox.otherPartner.customerIds[0]}/orders`)).status,
    ).toBe(200);
  });
});

describe('fault injection', () => {
  test('status faults answer the given status and code, after `skip` calls and for `count` calls', async () => {
    const id = await sandbox.control.addFault({
      method: 'GET',
      path: '/v1/customers/*/orders',
      kind: 'status',
      status: 503,
      code: 3000,
      description: 'Service unavailable',
      retryAfterSeconds: 2,
      skip: 1,
      count: 2,
    });
    expect(id).toBeTruthy();
    const results = [];
    for (let i = 0; i < 4; i += 1) results.push(await api<Json>(sandbox, tokens.appOnly, 'GET', ordersPath));
    expect(results.map((r) => r.status)).toEqual([200, 503, 503, 200]);
    expect(results[1].body).toEqual({ code: 3000, description: 'Service unavailable', data: [], source: 'PartnerFD' });
    expect(results[1].headers.get('retry-after')).toBe('2');
    expect(results[1].headers.get('ms-requestid')).toBeTruthy();
  });

  test('throttle faults answer 429 with Retry-After', async () => {
    await sandbox.control.addFault({ path: '/v1/products', kind: 'throttle', retryAfterSeconds: 7 });
    const response = await api<Json>(sandbox, tokens.appOnly, 'GET', '/products?country=US&targetView=OnlineServices');
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('7');
    expect(response.body).toEqual({ statusCode: 429, message: 'Rate limit is exceeded. Try again in 7 seconds.' });
  });

  test('reset faults drop the connection without an answer', async () => {
    await sandbox.control.addFault({ path: '/v1/customers/*/orders', kind: 'reset' });
    await expect(api(sandbox, tokens.appOnly, 'GET', ordersPath)).rejects.toThrow();
    expect((await api(sandbox, tokens.appOnly, 'GET', ordersPath)).status).toBe(200);
  });

  test('latency faults hold the answer back (a client timeout fires first)', async () => {
    await sandbox.control.addFault({ path: '/v1/customers/*/orders', kind: 'latency', latencyMs: 30_000 });
    const aborted = fetch(`${sandbox.baseUrl}/v1${ordersPath}`, {
      headers: { authorization: `Bearer ${tokens.appOnly}` },
      signal: AbortSignal.timeout(300),
    });
    await expect(aborted).rejects.toThrow();
    expect((await api(sandbox, tokens.appOnly, 'GET', ordersPath)).status).toBe(200);
  });

  test('commit-then-drop on cart creation: the cart was committed, as a retry with the same MS-RequestId shows', async () => {
    await sandbox.control.addFault({ method: 'POST', path: '/v1/customers/*/carts', kind: 'commit-then-drop' });
    const create = () =>
      api<{ id: string }>(
        sandbox,
        tokens.appOnly,
        'POST',
        `/customers/${customer}/carts`,
        {
          lineItems: [
            {
              id: 0,
              catalogItemId: 'CFQ7TTC0LH18:0001:CFQ7TTC0XXXX',
              quantity: 1,
              termDuration: 'P1Y',
              billingCycle: 'monthly',
            },
          ],
        },
        { 'MS-RequestId': '0d4a8f2e-5b1c-4c3d-9e8f-7a6b5c4d3e2f' },
      );
    await expect(create()).rejects.toThrow();
    const retry = await create();
    expect(retry.status).toBe(201);
    expect(retry.body.id).toBeTruthy();
    const counters = await sandbox.control.counters();
    expect(counters.replayedRequests).toBe(1);
    expect(counters.requests['POST /v1/customers/{customerId}/carts']).toBe(2);
  });

  test('DELETE /_sandbox/faults clears every fault', async () => {
    await sandbox.control.addFault({ path: '/v1/customers/*/orders', kind: 'status', status: 500, count: 5 });
    await sandbox.control.clearFaults();
    expect((await api(sandbox, tokens.appOnly, 'GET', ordersPath)).status).toBe(200);
  });
});
