/** Token reuse and renewal, read from the sandbox authority's counters (real msal-node, real https). */
import { startSandbox, type Sandbox } from 'partner-center-sandbox';
import { sandboxTokenOptions } from '../../../src/sandbox-settings';
import { createPartnerCenterClient, createTokenProvider, type TokenProviderOptions } from '../../../src/partner-center';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ seed: 23 });
});
afterAll(async () => {
  await sandbox.close();
});

const provider = (overrides: Partial<TokenProviderOptions> = {}) =>
  createTokenProvider({ ...sandboxTokenOptions(sandbox), ...overrides });

async function tokenRequestsDuring(action: () => Promise<unknown>) {
  const before = (await sandbox.control.counters()).tokens;
  await action();
  const after = (await sandbox.control.counters()).tokens;
  return {
    clientCredentials: after.clientCredentials - before.clientCredentials,
    refreshToken: after.refreshToken - before.refreshToken,
  };
}

const fiftyCatalogReads = (tokens: ReturnType<typeof provider>) => {
  const client = createPartnerCenterClient({ baseUrl: sandbox.baseUrl, tokens });
  return Promise.all(Array.from({ length: 50 }, () => client.getProduct('CFQ7TTC0LH18', { country: 'US' })));
};

test('App-only: 50 concurrent calls cost exactly one token request', async () => {
  const tokens = provider();
  const before = (await sandbox.control.counters()).requests['GET /v1/products/{productId}'] ?? 0;
  expect(await tokenRequestsDuring(() => fiftyCatalogReads(tokens))).toEqual({ clientCredentials: 1, refreshToken: 0 });
  expect((await sandbox.control.counters()).requests['GET /v1/products/{productId}']).toBe(before + 50);
  // Later calls reuse the cached token.
  expect(await tokenRequestsDuring(() => fiftyCatalogReads(tokens))).toEqual({ clientCredentials: 0, refreshToken: 0 });
});

test('App+User: 50 concurrent calls cost exactly one refresh-token exchange', async () => {
  const tokens = provider({ refreshToken: sandbox.refreshToken });
  expect(await tokenRequestsDuring(() => fiftyCatalogReads(tokens))).toEqual({ clientCredentials: 0, refreshToken: 1 });
});

test('concurrent forced refreshes share one request too', async () => {
  const tokens = provider();
  await tokens.getAccessToken();
  const counts = await tokenRequestsDuring(() =>
    Promise.all(Array.from({ length: 10 }, () => tokens.getAccessToken({ forceRefresh: true }))),
  );
  expect(counts.clientCredentials).toBe(1);
});

test('a token is renewed before it expires, not after', async () => {
  let now = Date.now();
  const tokens = provider({ now: () => now, renewBeforeExpiryMs: 5 * 60_000 });
  await tokens.getAccessToken();
  // Sandbox tokens live 3599 s: at +50 min the token is still outside the 5-minute renewal window…
  now += 50 * 60_000;
  expect(await tokenRequestsDuring(() => tokens.getAccessToken())).toEqual({ clientCredentials: 0, refreshToken: 0 });
  // …at +56 min it is inside it (expiry at ~60 min) and is renewed ahead of time.
  now += 6 * 60_000;
  expect(await tokenRequestsDuring(() => tokens.getAccessToken())).toEqual({ clientCredentials: 1, refreshToken: 0 });
});
