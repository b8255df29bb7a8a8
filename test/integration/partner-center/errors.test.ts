/**
 * Each error class from real sandbox responses (its own errors and injected faults), with the
 * retry decision and Retry-After the activities rely on.
 */
import { startSandbox, type Sandbox } from 'partner-center-sandbox';
import { sandboxTokenOptions } from '../../../src/sandbox-settings';
import {
  createCatalogResolver,
  createPartnerCenterClient,
  createTokenProvider,
  PartnerCenterBusinessError,
  PartnerCenterConflictError,
  PartnerCenterError,
  PartnerCenterMfaRequiredError,
  PartnerCenterNetworkError,
  PartnerCenterNotFoundError,
  PartnerCenterThrottledError,
  PartnerCenterTimeoutError,
  PartnerCenterTransientError,
  type PartnerCenterClient,
  type TokenProvider,
} from '../../../src/partner-center';

const BUSINESS_BASIC = 'CFQ7TTC0LH18';
const PRODUCT_PATH = `/v1/products/${BUSINESS_BASIC}`;

let sandbox: Sandbox;
let appUser: TokenProvider;
let client: PartnerCenterClient;

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 31 });
  appUser = createTokenProvider(sandboxTokenOptions(sandbox, { appPlusUser: true }));
  client = createPartnerCenterClient({ baseUrl: sandbox.baseUrl, tokens: appUser, timeoutMs: 2_000 });
});

afterEach(async () => {
  await sandbox.control.clearFaults();
});

afterAll(async () => {
  await sandbox.close();
});

async function failureOf(promise: Promise<unknown>): Promise<PartnerCenterError> {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(PartnerCenterError);
  return error as PartnerCenterError;
}

const readProduct = (c: PartnerCenterClient = client, requestId?: string) =>
  c.getProduct(BUSINESS_BASIC, { country: 'US' }, { requestId });

test('400 with a Partner Center code: business, not retryable, code/description/request id kept', async () => {
  await sandbox.control.addFault({
    path: PRODUCT_PATH,
    kind: 'status',
    status: 400,
    code: 800090,
    description: 'Subscription quantity cannot be decreased.',
  });
  const error = await failureOf(readProduct(client, 'req-400'));
  expect(error).toBeInstanceOf(PartnerCenterBusinessError);
  expect(error).toMatchObject({ kind: 'business', retryable: false, status: 400, code: 800090, requestId: 'req-400' });
  expect(error.description).toBe('Subscription quantity cannot be decreased.');
});

test('403 from the sandbox itself: an App-only token on an App+User-only endpoint', async () => {
  const appOnly = createTokenProvider(sandboxTokenOptions(sandbox));
  const appOnlyClient = createPartnerCenterClient({ baseUrl: sandbox.baseUrl, tokens: appOnly });
  const error = await failureOf(appOnlyClient.getOrderProvisioningStatus(sandbox.customerIds[0], 'a68736758d9c'));
  expect(error).toMatchObject({ kind: 'business', retryable: false, status: 403 });
  expect(error.description).toMatch(/App\+User/);
});

test('404 from the sandbox itself: not-found', async () => {
  const error = await failureOf(client.getOrder(sandbox.customerIds[0], 'ffffffffffff'));
  expect(error).toBeInstanceOf(PartnerCenterNotFoundError);
  expect(error).toMatchObject({ kind: 'not-found', retryable: false, status: 404 });
});

test('409 busy codes are retryable conflicts, other 409s are not', async () => {
  await sandbox.control.addFault({
    path: PRODUCT_PATH,
    kind: 'status',
    status: 409,
    code: 800064,
    description: 'Cart is being processed by another request.',
  });
  const busy = await failureOf(readProduct());
  expect(busy).toBeInstanceOf(PartnerCenterConflictError);
  expect(busy).toMatchObject({ kind: 'conflict', retryable: true, code: 800064 });

  await sandbox.control.addFault({ path: PRODUCT_PATH, kind: 'status', status: 409, code: 800082 });
  expect(await failureOf(readProduct())).toMatchObject({ kind: 'conflict', retryable: true, code: 800082 });

  await sandbox.control.addFault({
    path: PRODUCT_PATH,
    kind: 'status',
    status: 409,
    code: 900278,
    description: 'pending operation',
  });
  expect(await failureOf(readProduct())).toMatchObject({ kind: 'conflict', retryable: false, code: 900278 });
});

test('injected 429 with Retry-After: throttled, retryable, delay in milliseconds', async () => {
  await sandbox.control.addFault({ path: PRODUCT_PATH, kind: 'throttle', retryAfterSeconds: 7 });
  const error = await failureOf(readProduct());
  expect(error).toBeInstanceOf(PartnerCenterThrottledError);
  expect(error).toMatchObject({ kind: 'throttled', retryable: true, status: 429, retryAfterMs: 7_000 });
  expect(error.description).toMatch(/Rate limit/i);
});

test('the sandbox’s own throttle answers 429 with a Retry-After the client honours', async () => {
  const customerId = sandbox.customerIds[1];
  await sandbox.control.setThrottling({ customerPerMinute: 1 });
  try {
    await client.listSubscriptions(customerId);
    const error = await failureOf(client.listSubscriptions(customerId));
    expect(error).toBeInstanceOf(PartnerCenterThrottledError);
    expect(error.retryAfterMs).toBeGreaterThan(0);
    expect(error.retryAfterMs).toBeLessThanOrEqual(60_000);
  } finally {
    await sandbox.control.setThrottling({ customerPerMinute: 500, partnerPerMinute: 500 });
  }
});

test('5xx and 408 are transient and retryable', async () => {
  await sandbox.control.addFault({ path: PRODUCT_PATH, kind: 'status', status: 503, count: 1 });
  expect(await failureOf(readProduct())).toMatchObject({ kind: 'transient', retryable: true, status: 503 });
  await sandbox.control.addFault({ path: PRODUCT_PATH, kind: 'status', status: 408 });
  const timeout408 = await failureOf(readProduct());
  expect(timeout408).toBeInstanceOf(PartnerCenterTransientError);
  expect(timeout408.status).toBe(408);
});

test('a reset connection is a retryable network error', async () => {
  await sandbox.control.addFault({ path: PRODUCT_PATH, kind: 'reset' });
  const error = await failureOf(readProduct());
  expect(error).toBeInstanceOf(PartnerCenterNetworkError);
  expect(error.retryable).toBe(true);
});

test('no answer within the client timeout is a retryable timeout error', async () => {
  await sandbox.control.addFault({ path: PRODUCT_PATH, kind: 'latency', latencyMs: 5_000 });
  const quick = createPartnerCenterClient({ baseUrl: sandbox.baseUrl, tokens: appUser, timeoutMs: 300 });
  const error = await failureOf(readProduct(quick));
  expect(error).toBeInstanceOf(PartnerCenterTimeoutError);
  expect(error.retryable).toBe(true);
});

test('commit-then-drop: a retry with the same MS-RequestId gets the committed result, not a second cart', async () => {
  const customerId = sandbox.customerIds[2];
  const offer = await createCatalogResolver(client).resolve({
    productId: BUSINESS_BASIC,
    skuId: '0001',
    termDuration: 'P1M',
    billingCycle: 'monthly',
    country: 'US',
    segment: 'commercial',
  });
  const cart = {
    lineItems: [
      {
        id: 0,
        catalogItemId: offer.catalogItemId,
        quantity: 1,
        billingCycle: 'monthly' as const,
        termDuration: 'P1M' as const,
      },
    ],
  };
  await sandbox.control.addFault({
    method: 'POST',
    path: `/v1/customers/${customerId}/carts`,
    kind: 'commit-then-drop',
  });
  const lost = await failureOf(client.createCart(customerId, cart, { requestId: 'create-cart-1' }));
  expect(lost).toBeInstanceOf(PartnerCenterNetworkError);
  const before = (await sandbox.control.counters()).replayedRequests;
  const retried = await client.createCart(customerId, cart, { requestId: 'create-cart-1' });
  expect(retried.lineItems[0].catalogItemId).toBe(offer.catalogItemId);
  expect((await sandbox.control.counters()).replayedRequests).toBe(before + 1);
});

describe('401', () => {
  const minted = (options: { mfa?: boolean; expiresInSeconds?: number }) =>
    sandbox.control.mintToken({ mode: 'app+user', tenantId: sandbox.tenantId, ...options });

  test('an expired token is refreshed once and the call succeeds', async () => {
    const expired = await minted({ expiresInSeconds: -60 });
    const calls: Array<{ forceRefresh?: boolean }> = [];
    const tokens: TokenProvider = {
      mode: 'app+user',
      getAccessToken: async (options) => {
        calls.push({ ...options });
        return options?.forceRefresh ? appUser.getAccessToken({ forceRefresh: true }) : expired;
      },
    };
    const product = await readProduct(createPartnerCenterClient({ baseUrl: sandbox.baseUrl, tokens }));
    expect(product.id).toBe(BUSINESS_BASIC);
    expect(calls).toEqual([{}, { forceRefresh: true }]);
  });

  test('a token without the MFA claim: MfaRequired, not retryable, not repeated with a refreshed token, says App+User and MFA', async () => {
    const withoutMfa = await minted({ mfa: false });
    const tokens: TokenProvider = {
      mode: 'app+user',
      credentialKind: 'refresh-token',
      getAccessToken: async () => withoutMfa,
    };
    const before = (await sandbox.control.counters()).requests['GET /v1/products/{productId}'] ?? 0;
    const error = await failureOf(readProduct(createPartnerCenterClient({ baseUrl: sandbox.baseUrl, tokens })));
    expect(error).toBeInstanceOf(PartnerCenterMfaRequiredError);
    expect(error).toMatchObject({ kind: 'mfa-required', retryable: false, status: 401, code: 900421 });
    expect(error.message).toMatch(
      /App\+User token \(secure application model refresh token\) refused by Partner Center: MFA required \(900421\): the token carries no MFA claim/,
    );
    expect(error.message).not.toContain(withoutMfa);
    expect((await sandbox.control.counters()).requests['GET /v1/products/{productId}']).toBe(before + 1);
  });
});
