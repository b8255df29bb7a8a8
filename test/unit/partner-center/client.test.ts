/**
 * Pure client behaviour (headers, 401 handling, timeouts, paging, PATCH) against a small node:http
 * stand-in on loopback. The same behaviour against the real sandbox is in test/integration/partner-center.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { recordingLogger } from '../../support/logging';
import {
  createPartnerCenterClient,
  PartnerCenterInvalidRequestError,
  PartnerCenterNetworkError,
  PartnerCenterResponseShapeError,
  PartnerCenterTimeoutError,
  PartnerCenterUnauthorizedError,
  type PartnerCenterClient,
  type PartnerCenterLogger,
  type TokenProvider,
} from '../../../src/partner-center';

interface Recorded {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

type Handler = (req: Recorded, res: ServerResponse) => void;

let server: Server;
let baseUrl: string;
let handler: Handler;
let requests: Recorded[];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const recorded = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(recorded);
      handler(recorded, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  requests = [];
});

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(body === undefined ? '' : JSON.stringify(body));
};

/** Hands out token-1, token-2 … so tests can see which one a request carried. */
function countingTokens(
  mode: TokenProvider['mode'] = 'app-only',
): TokenProvider & { calls: Array<{ forceRefresh?: boolean }> } {
  const calls: Array<{ forceRefresh?: boolean }> = [];
  return {
    mode,
    credentialKind: mode === 'app+user' ? 'refresh-token' : 'client-secret',
    calls,
    getAccessToken: async (options) => {
      calls.push({ ...options });
      return `token-${calls.length}`;
    },
  };
}

const order = (id: string) => ({ id, status: 'completed', lineItems: [] });
const client = (
  tokens: TokenProvider = countingTokens(),
  extra: { timeoutMs?: number; logger?: PartnerCenterLogger } = {},
): PartnerCenterClient => createPartnerCenterClient({ baseUrl: `${baseUrl}/`, tokens, ...extra });

test('sends /v1 paths, JSON headers, the bearer token and the caller’s request and correlation ids', async () => {
  handler = (_req, res) => json(res, 200, order('o1'));
  const result = await client().getOrder('cust/1', 'o1', { requestId: 'req-1', correlationId: 'corr-1' });
  expect(result.id).toBe('o1');
  const [sent] = requests;
  expect(sent.method).toBe('GET');
  expect(sent.url).toBe('/v1/customers/cust%2F1/orders/o1');
  expect(sent.headers.authorization).toBe('Bearer token-1');
  expect(sent.headers.accept).toBe('application/json');
  expect(sent.headers['ms-requestid']).toBe('req-1');
  expect(sent.headers['ms-correlationid']).toBe('corr-1');
});

test('without caller ids each call gets fresh GUIDs', async () => {
  handler = (_req, res) => json(res, 200, order('o1'));
  const pc = client();
  await pc.getOrder('c', 'o1');
  await pc.getOrder('c', 'o1');
  const ids = requests.map((r) => r.headers['ms-requestid']);
  expect(ids[0]).toMatch(/^[0-9a-f-]{36}$/);
  expect(ids[0]).not.toBe(ids[1]);
});

test('a 401 forces one token refresh and repeats the call with the same request id', async () => {
  handler = (req, res) =>
    req.headers.authorization === 'Bearer token-1'
      ? json(res, 401, { code: 0, description: 'expired' })
      : json(res, 200, order('o1'));
  const tokens = countingTokens();
  await expect(client(tokens).getOrder('c', 'o1', { requestId: 'same' })).resolves.toMatchObject({ id: 'o1' });
  expect(tokens.calls).toEqual([{}, { forceRefresh: true }]);
  expect(requests.map((r) => r.headers['ms-requestid'])).toEqual(['same', 'same']);
});

test('a second 401 is Unauthorized: non-retryable, names the credential and the reason, never the token', async () => {
  handler = (_req, res) =>
    json(
      res,
      401,
      { code: 0, description: 'The access token has expired.', source: 'PartnerFD' },
      { 'www-authenticate': 'Bearer error="invalid_token"' },
    );
  const tokens = countingTokens('app+user');
  const error = await client(tokens)
    .getOrderProvisioningStatus('c', 'o1')
    .catch((e: unknown) => e);
  expect(error).toBeInstanceOf(PartnerCenterUnauthorizedError);
  const unauthorized = error as PartnerCenterUnauthorizedError;
  expect(unauthorized.retryable).toBe(false);
  expect(unauthorized.message).toMatch(/App\+User/);
  expect(unauthorized.message).toMatch(/expired even after a forced refresh/);
  expect(unauthorized.message).not.toMatch(/token-\d/);
  expect(requests).toHaveLength(2);
});

test('an App-only 401 says App+User may be needed', async () => {
  handler = (_req, res) => json(res, 401, { code: 0, description: 'Unauthorized' });
  const error = (await client()
    .getSubscriptionProvisioningStatus('c', 's')
    .catch((e: unknown) => e)) as Error;
  expect(error.message).toMatch(/App-only token \(client secret\)/);
  expect(error.message).toMatch(/PARTNER_CENTER_REFRESH_TOKEN/);
});

test('no answer within the timeout is a retryable timeout error', async () => {
  handler = () => undefined; // never answers
  const error = await client(countingTokens(), { timeoutMs: 200 })
    .getOrder('c', 'o1')
    .catch((e: unknown) => e);
  expect(error).toBeInstanceOf(PartnerCenterTimeoutError);
  expect((error as PartnerCenterTimeoutError).retryable).toBe(true);
});

test('the caller’s abort wins and surfaces its own reason', async () => {
  handler = () => undefined;
  const controller = new AbortController();
  const pending = client().getOrder('c', 'o1', { signal: controller.signal });
  const reason = new Error('activity cancelled');
  setTimeout(() => controller.abort(reason), 50);
  await expect(pending).rejects.toBe(reason);
});

test('a reset connection is a retryable network error', async () => {
  handler = (_req, res) => res.socket?.destroy();
  const error = await client()
    .getOrder('c', 'o1')
    .catch((e: unknown) => e);
  expect(error).toBeInstanceOf(PartnerCenterNetworkError);
  expect((error as PartnerCenterNetworkError).retryable).toBe(true);
});

test('a body of the wrong shape is a non-retryable shape error naming the field', async () => {
  handler = (_req, res) => json(res, 200, { id: 'o1', lineItems: [] });
  const error = await client()
    .getOrder('c', 'o1')
    .catch((e: unknown) => e);
  expect(error).toBeInstanceOf(PartnerCenterResponseShapeError);
  expect((error as Error).message).toMatch(/status/);
});

test('seek paging follows links.next with the continuation header and seekOperation=Next', async () => {
  handler = (req, res) => {
    const token = req.headers['ms-continuationtoken'];
    const page = token === undefined ? 1 : Number(String(token).slice(1));
    const next =
      page < 3
        ? {
            uri: '/invoices/unbilled/lineitems?provider=onetime&size=2',
            headers: [
              { key: 'MS-ContinuationToken', value: `p${page + 1}` },
              { key: 'authorization', value: 'Bearer from-the-server' },
            ],
          }
        : undefined;
    json(res, 200, {
      totalCount: 2,
      items: [{ customerId: `c${page}a` }, { customerId: `c${page}b`, unitPrice: '3' }],
      links: { next },
    });
  };
  const seen: string[] = [];
  for await (const line of client().unbilledReconciliationLineItems(
    { currencyCode: 'USD', period: 'current', size: 2 },
    { requestId: 'first' },
  )) {
    seen.push(line.customerId ?? '');
  }
  expect(seen).toEqual(['c1a', 'c1b', 'c2a', 'c2b', 'c3a', 'c3b']);
  expect(requests[0].url).toBe(
    '/v1/invoices/unbilled/lineitems?provider=onetime&invoicelineitemtype=billinglineitems&currencycode=USD&period=current&size=2',
  );
  expect(requests[1].url).toBe('/v1/invoices/unbilled/lineitems?provider=onetime&size=2&seekOperation=Next');
  expect(requests.map((r) => r.headers['ms-continuationtoken'])).toEqual([undefined, 'p2', 'p3']);
  // Link headers other than the continuation token are dropped: a server-sent Authorization never replaces ours.
  expect(requests.map((r) => r.headers.authorization)).toEqual(['Bearer token-1', 'Bearer token-2', 'Bearer token-3']);
  // Only the first page reuses the caller's request id; every page is its own logical call.
  expect(requests[0].headers['ms-requestid']).toBe('first');
  expect(new Set(requests.map((r) => r.headers['ms-requestid'])).size).toBe(3);
});

test('a server repeating the same next link is stopped instead of looping forever', async () => {
  handler = (_req, res) =>
    json(res, 200, {
      items: [{}],
      links: {
        next: { uri: '/invoices/unbilled/lineitems', headers: [{ key: 'MS-ContinuationToken', value: 'same' }] },
      },
    });
  const iterate = async () => {
    for await (const line of client().unbilledReconciliationLineItems({ currencyCode: 'USD', period: 'current' }))
      void line;
  };
  await expect(iterate()).rejects.toBeInstanceOf(PartnerCenterResponseShapeError);
});

test('offset paging of invoices stops at the first short page', async () => {
  handler = (req, res) => {
    const offset = Number(new URL(req.url, 'http://x').searchParams.get('offset'));
    const count = offset < 4 ? 2 : 1;
    json(res, 200, { totalCount: count, items: Array.from({ length: count }, (_, i) => ({ id: `G${offset + i}` })) });
  };
  const ids: string[] = [];
  for await (const invoice of client().listInvoices({ size: 2 })) ids.push(invoice.id);
  expect(ids).toEqual(['G0', 'G1', 'G2', 'G3', 'G4']);
  expect(requests.map((r) => new URL(r.url, 'http://x').searchParams.get('offset'))).toEqual(['0', '2', '4']);
});

test('PATCH sends the full subscription with a quoted If-Match and follows 202 + Location', async () => {
  handler = (_req, res) => json(res, 202, undefined, { location: '/customers/c/subscriptions/s1' });
  const subscription = {
    id: 's1',
    offerId: 'P:S:A',
    quantity: 3,
    status: 'active',
    attentionNeeded: false,
    attributes: { etag: 'etag-1' },
  };
  const result = await client().updateSubscription('c', subscription);
  expect(result).toEqual({ kind: 'accepted', location: '/customers/c/subscriptions/s1' });
  expect(requests[0].method).toBe('PATCH');
  expect(requests[0].headers['if-match']).toBe('"etag-1"');
  expect(requests[0].headers['content-type']).toBe('application/json');
  expect(JSON.parse(requests[0].body)).toEqual(subscription);
});

test('PATCH 200 returns the updated subscription; an explicit etag wins and an already quoted one is kept', async () => {
  handler = (req, res) => json(res, 200, { ...JSON.parse(req.body), quantity: 4 });
  const result = await client().updateSubscription(
    'c',
    { id: 's1', offerId: 'P:S:A', quantity: 4, status: 'active' },
    { etag: '"e2"' },
  );
  expect(result).toMatchObject({ kind: 'updated', subscription: { quantity: 4 } });
  expect(requests[0].headers['if-match']).toBe('"e2"');
});

test('an invalid cart is refused before any request is sent', async () => {
  handler = (_req, res) => json(res, 201, {});
  const bad = { lineItems: [{ id: 0, catalogItemId: 'P:S:A', quantity: 0, billingCycle: 'monthly' as const }] };
  await expect(client().createCart('c', bad)).rejects.toBeInstanceOf(PartnerCenterInvalidRequestError);
  expect(requests).toHaveLength(0);
});

test('updateCart PUTs the full cart with its id; checkout POSTs an empty body', async () => {
  handler = (req, res) =>
    req.url.endsWith('/checkout')
      ? json(res, 201, { orders: [order('o9')], orderErrors: [] })
      : json(res, 201, { id: 'cart-1', status: 'Active', lineItems: [] });
  const line = { id: 0, catalogItemId: 'P:S:A', quantity: 2, billingCycle: 'monthly' as const };
  await client().updateCart('c', 'cart-1', { lineItems: [line] });
  const checkout = await client().checkoutCart('c', 'cart-1');
  expect(requests[0].method).toBe('PUT');
  expect(JSON.parse(requests[0].body)).toEqual({ id: 'cart-1', lineItems: [line] });
  expect(requests[1]).toMatchObject({ method: 'POST', url: '/v1/customers/c/carts/cart-1/checkout', body: '' });
  expect(checkout.orders[0].id).toBe('o9');
});

test('logs carry route, status and ids but never the token', async () => {
  handler = (req, res) =>
    req.url.includes('bad') ? json(res, 400, { code: 800090, description: 'nope' }) : json(res, 200, order('o1'));
  const logger = recordingLogger();
  const pc = client(countingTokens(), { logger });
  await pc.getOrder('c', 'o1', { requestId: 'r-log' });
  await pc.getOrder('c', 'bad').catch(() => undefined);
  const all = logger.lines.join('\n');
  expect(all).toContain('r-log');
  expect(all).toContain('800090');
  expect(all).not.toMatch(/token-\d/);
});
