/**
 * Refresh-token rotation end to end: our App+User token provider (real msal-node, real https) against
 * the sandbox authority with single-use refresh tokens, where a redeemed refresh token is refused as
 * Entra refuses a revoked grant. Only a provider that presents each rotated token keeps working.
 */
import {
  createPartnerCenterClient,
  createTokenProvider,
  PartnerCenterUnauthorizedError,
  type TokenProvider,
  type TokenProviderOptions,
} from '../../../src/partner-center';
import { startSandbox, verifyAccessToken, type Sandbox } from 'partner-center-sandbox';
import { sandboxTokenOptions } from '../../../src/sandbox-settings';
import { recordingLogger } from '../../support/logging';
import { requestToken } from '../../../packages/partner-center-sandbox/test/integration/helpers';

const HOUR = 3_600_000;
let sandbox: Sandbox;
let customerId: string;
const errors: Error[] = [];
const logger = recordingLogger();

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 73, singleUseRefreshTokens: true });
  customerId = sandbox.customerIds[0];
});
afterAll(async () => {
  await sandbox.close();
});
beforeEach(async () => {
  // Single-use again (the start option), the published refresh token usable once more, counters at zero.
  await sandbox.control.reset();
});

/** Starts from the sandbox's published refresh token, as a worker starts from its stored one. */
const appUserProvider = (overrides: Partial<TokenProviderOptions> = {}) =>
  createTokenProvider({ ...sandboxTokenOptions(sandbox, { appPlusUser: true }), ...overrides });
const clientOf = (tokens: TokenProvider) => createPartnerCenterClient({ baseUrl: sandbox.baseUrl, tokens, logger });
const refreshTokenExchanges = async () => (await sandbox.control.counters()).tokens.refreshToken;
const redeemPublished = () => requestToken(sandbox, 'app+user', sandbox);

async function failureOf(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  errors.push(error as Error);
  return error as Error;
}

function expectAppUserToken(token: string): void {
  const check = verifyAccessToken(token, { publicKey: sandbox.tokenSigningKey, authorityHost: sandbox.authorityHost });
  expect(check).toMatchObject({
    ok: true,
    claims: { idtyp: 'user', tid: sandbox.tenantId, amr: expect.arrayContaining(['mfa']) },
  });
}

describe('the sandbox authority with single-use refresh tokens (negative control)', () => {
  test('refuses a redeemed refresh token with 400 invalid_grant AADSTS50173 naming no token; the rotated one works once', async () => {
    const first = await redeemPublished();
    expect(first.status).toBe(200);
    const rotated = first.body.refresh_token ?? '';
    expect(rotated).toMatch(/^1\.sbx\./);
    expect(rotated).not.toBe(sandbox.refreshToken);

    const reused = await redeemPublished();
    expect(reused.status).toBe(400);
    expect(reused.body).toMatchObject({ error: 'invalid_grant', error_codes: [50173] });
    expect(reused.body.error_description).toMatch(
      /^AADSTS50173: The provided grant has expired due to it being revoked/,
    );
    expect(reused.body.access_token).toBeUndefined();
    const said = JSON.stringify(reused.body);
    for (const secret of [sandbox.refreshToken, rotated, sandbox.clientSecret]) expect(said).not.toContain(secret);

    const withRotated = { ...sandbox, refreshToken: rotated };
    expect((await requestToken(sandbox, 'app+user', withRotated)).status).toBe(200);
    expect((await requestToken(sandbox, 'app+user', withRotated)).body.error_codes).toEqual([50173]);
    expect(await refreshTokenExchanges()).toBe(2);
  });

  test('switched off through the control API a reused refresh token works; a reset restores the start option', async () => {
    expect(await sandbox.control.setAuthorityPolicy({ singleUseRefreshTokens: false })).toEqual({
      singleUseRefreshTokens: false,
      mfaClaim: true,
      legacyAudience: false,
    });
    for (let i = 0; i < 3; i += 1) expect((await redeemPublished()).status).toBe(200);
    await sandbox.control.reset();
    expect((await redeemPublished()).status).toBe(200);
    expect((await redeemPublished()).status).toBe(400);
  });
});

describe('our App+User token provider keeps the rotated refresh token', () => {
  test('forced refreshes: five exchanges in a row succeed and every access token works on the API', async () => {
    const tokens = appUserProvider();
    const client = clientOf(tokens);
    for (let round = 0; round < 5; round += 1) {
      expectAppUserToken(await tokens.getAccessToken({ forceRefresh: round > 0 }));
      expect(await client.listSubscriptions(customerId)).toEqual([]);
    }
    expect(await refreshTokenExchanges()).toBe(5);
    // It really started from the published token, which is spent now.
    expect((await redeemPublished()).body.error_codes).toEqual([50173]);
  });

  test('renewal at expiry (no forced refresh) also presents the rotated token, hour after hour', async () => {
    let now = Date.now();
    const client = clientOf(appUserProvider({ now: () => now }));
    for (let hour = 0; hour < 4; hour += 1) {
      expect(await client.listSubscriptions(customerId)).toEqual([]);
      now += HOUR; // past the 3599-second lifetime, so the next call renews
    }
    expect(await refreshTokenExchanges()).toBe(4);
  });

  test('concurrent callers at a renewal share one exchange, so they never race for one single-use token', async () => {
    let now = Date.now();
    const tokens = appUserProvider({ now: () => now });
    const client = clientOf(tokens);
    await client.listSubscriptions(customerId);
    now += HOUR;
    const reads = await Promise.all(Array.from({ length: 20 }, () => client.listSubscriptions(customerId)));
    expect(reads).toEqual(Array.from({ length: 20 }, () => []));
    const forced = await Promise.all(Array.from({ length: 10 }, () => tokens.getAccessToken({ forceRefresh: true })));
    forced.forEach(expectAppUserToken);
    expect(await refreshTokenExchanges()).toBe(3);
  });

  test('a second holder of the same stored refresh token is refused: Unauthorized naming AADSTS50173 and the fix, without a secret', async () => {
    const holder = appUserProvider();
    expectAppUserToken(await holder.getAccessToken());
    const latecomer = appUserProvider();
    const refused = await failureOf(latecomer.getAccessToken());
    expect(refused).toBeInstanceOf(PartnerCenterUnauthorizedError);
    expect(refused.message).toMatch(/refresh token is expired, revoked or malformed.*\[AADSTS50173, invalid_grant\]/);
    const refusedCall = await failureOf(clientOf(latecomer).listSubscriptions(customerId));
    expect(refusedCall).toBeInstanceOf(PartnerCenterUnauthorizedError);
    // The first holder is unaffected: it has moved on to the rotated token.
    expectAppUserToken(await holder.getAccessToken({ forceRefresh: true }));
    expect(await refreshTokenExchanges()).toBe(2);
  });
});

test('no client secret, refresh token or access token in any of those errors or log lines', () => {
  expect(errors.length).toBeGreaterThanOrEqual(2);
  expect(logger.lines.length).toBeGreaterThanOrEqual(10);
  const exposed = [
    ...errors.map((error) =>
      [error.message, error.stack ?? '', JSON.stringify(error), String(error.cause ?? '')].join('\n'),
    ),
    ...logger.lines,
  ];
  for (const text of exposed) {
    for (const secret of [sandbox.clientSecret, sandbox.refreshToken]) expect(text).not.toContain(secret);
    // Every sandbox refresh token (rotated ones too) starts with 1.sbx.; access tokens are JWTs.
    expect(text).not.toMatch(/1\.sbx\.|sbx~/);
    expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\./);
  }
});
