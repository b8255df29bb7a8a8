/**
 * Authentication as Partner Center enforces it in 2026: App+User tokens without the MFA claim (401/900421)
 * and tokens for the retired audience (401/900420), issued on request through the authority policy, the
 * start options and the CLI flags; and the certificate credential's client assertion, checked in full.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { startSandbox, type Sandbox } from '../../src';
import { parseSandboxArgs, runSandboxCli } from '../../src/cli';
import { decodeJwt, signJwt } from '../../src/jwt';
import { api, tokenFor, trustingNetworkClient, type TokenResponse } from './helpers';

type Json = Record<string, unknown>;

let sandbox: Sandbox;
let ordersPath: string;
beforeAll(async () => {
  sandbox = await startSandbox({ seed: 43 });
  ordersPath = `/customers/${sandbox.customerIds[0]}/orders`;
});
afterAll(async () => {
  await sandbox.close();
});
beforeEach(async () => {
  await sandbox.control.reset();
});

const claimsOf = (token: string) => decodeJwt(token)!.claims;

describe('App+User tokens without the MFA claim', () => {
  test('on request the token endpoint leaves mfa out of amr, and the API refuses them 401/900421 with Bearer error="invalid_token"', async () => {
    expect(await sandbox.control.setAuthorityPolicy({ mfaClaim: false })).toEqual({
      singleUseRefreshTokens: false,
      mfaClaim: false,
      legacyAudience: false,
    });
    const token = await tokenFor(sandbox, 'app+user', sandbox);
    expect(claimsOf(token)).toMatchObject({ idtyp: 'user', amr: ['pwd'] });
    const refused = await api<Json>(sandbox, token, 'GET', ordersPath);
    expect(refused.status).toBe(401);
    expect(refused.body).toMatchObject({ code: 900421, source: 'PartnerFD' });
    expect(String(refused.body.description)).toContain('MFA required');
    expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer .*error="invalid_token"/);
    expect(JSON.stringify(refused.body)).not.toContain(token.split('.')[2]);
  });

  test('App-only tokens are not subject to the MFA check', async () => {
    await sandbox.control.setAuthorityPolicy({ mfaClaim: false });
    const appOnly = await tokenFor(sandbox, 'app-only', sandbox);
    expect(claimsOf(appOnly).amr).toBeUndefined();
    expect((await api(sandbox, appOnly, 'GET', ordersPath)).status).toBe(200);
  });

  test('a reset restores the start policy: App+User tokens carry mfa and are accepted again', async () => {
    await sandbox.control.setAuthorityPolicy({ mfaClaim: false });
    await sandbox.control.reset();
    const token = await tokenFor(sandbox, 'app+user', sandbox);
    expect(claimsOf(token).amr).toContain('mfa');
    expect((await api(sandbox, token, 'GET', ordersPath)).status).toBe(200);
  });

  test('the startSandbox option mfaClaim: false is the start policy, kept across a reset', async () => {
    const strict = await startSandbox({ seed: 44, mfaClaim: false });
    try {
      await strict.control.reset();
      const token = await tokenFor(strict, 'app+user', strict);
      const refused = await api<Json>(strict, token, 'GET', `/customers/${strict.customerIds[0]}/orders`);
      expect(refused).toMatchObject({ status: 401, body: { code: 900421 } });
    } finally {
      await strict.close();
    }
  });
});

describe('tokens for the retired audience https://graph.windows.net', () => {
  test('on request every token is issued for it, and the API refuses it 401/900420 naming the audience to use', async () => {
    expect(await sandbox.control.setAuthorityPolicy({ legacyAudience: true })).toMatchObject({
      legacyAudience: true,
      mfaClaim: true,
    });
    for (const mode of ['app-only', 'app+user'] as const) {
      const token = await tokenFor(sandbox, mode, sandbox);
      expect(claimsOf(token).aud).toBe('https://graph.windows.net');
      const refused = await api<Json>(sandbox, token, 'GET', ordersPath);
      expect(refused).toMatchObject({ status: 401, body: { code: 900420, source: 'PartnerFD' } });
      expect(String(refused.body.description)).toContain('https://api.partnercenter.microsoft.com');
      expect(refused.headers.get('www-authenticate')).toContain('error="invalid_token"');
    }
  });

  test('a minted token for it is refused the same way; one for Partner Center is accepted', async () => {
    const retired = await sandbox.control.mintToken({ mode: 'app-only', audience: 'https://graph.windows.net' });
    expect((await api<Json>(sandbox, retired, 'GET', ordersPath)).body).toMatchObject({ code: 900420 });
    const current = await sandbox.control.mintToken({ mode: 'app-only' });
    expect((await api(sandbox, current, 'GET', ordersPath)).status).toBe(200);
  });
});

describe('command-line flags', () => {
  test('--no-mfa-claim and --legacy-audience start the sandbox with those policies and say so in the banner', async () => {
    const output: string[] = [];
    const signals = new EventEmitter();
    let exited: (code: number) => void = () => undefined;
    const closed = new Promise<number>((resolve) => (exited = resolve));
    const started = await runSandboxCli(
      ['--port', '0', '--authority-port', '0', '--seed', '45', '--no-mfa-claim', '--legacy-audience'],
      {
        write: (text) => output.push(text),
        signals,
        exit: exited,
      },
    );
    try {
      expect(output.join('')).toMatch(
        /Token refusals +App\+User tokens lack the MFA claim[\s\S]*Token refusals +tokens are for the retired audience/,
      );
      const token = await tokenFor(started, 'app+user', started);
      expect(claimsOf(token)).toMatchObject({ aud: 'https://graph.windows.net', amr: ['pwd'] });
    } finally {
      signals.emit('SIGTERM');
      expect(await closed).toBe(0);
    }
    expect(parseSandboxArgs([])).toMatchObject({ 'no-mfa-claim': false, 'legacy-audience': false });
  });
});

describe('certificate credentials: the client assertion is verified', () => {
  const tokenEndpoint = () => `${sandbox.authorityHost}/${sandbox.tenantId}/oauth2/v2.0/token`;

  /** A client assertion as msal-node builds one, signed with the key in `pemFile`, with `overrides` applied. */
  function assertion(pemFile: string, overrides: { claims?: Json; thumbprint?: string } = {}): string {
    const pem = readFileSync(pemFile, 'utf8');
    const certificate = new X509Certificate(pem.slice(pem.indexOf('-----BEGIN CERTIFICATE-----')));
    const thumbprint = overrides.thumbprint ?? createHash('sha256').update(certificate.raw).digest('base64url');
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      aud: tokenEndpoint(),
      iss: sandbox.clientId,
      sub: sandbox.clientId,
      jti: `${now}-jti`,
      nbf: now,
      exp: now + 600,
      ...overrides.claims,
    };
    return signJwt({ alg: 'RS256', typ: 'JWT', 'x5t#S256': thumbprint }, claims, pem);
  }

  const redeem = (clientAssertion: string) =>
    trustingNetworkClient(sandbox.caPem).sendPostRequestAsync<TokenResponse>(tokenEndpoint(), {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: sandbox.clientId,
        scope: 'https://api.partnercenter.microsoft.com/.default',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: clientAssertion,
      }).toString(),
    });

  test('an assertion signed with the registered certificate gives a token the API accepts', async () => {
    const response = await redeem(assertion(sandbox.clientCertificatePath));
    expect(response.status).toBe(200);
    expect((await api(sandbox, response.body.access_token!, 'GET', ordersPath)).status).toBe(200);
  });

  test.each([
    ["another app's certificate", () => assertion(sandbox.otherPartner.clientCertificatePath), 700027],
    [
      'a thumbprint of another certificate',
      () => assertion(sandbox.clientCertificatePath, { thumbprint: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }),
      700027,
    ],
    [
      'another client id as issuer',
      () =>
        assertion(sandbox.clientCertificatePath, {
          claims: { iss: sandbox.otherPartner.clientId, sub: sandbox.otherPartner.clientId },
        }),
      700021,
    ],
    [
      'another audience',
      () =>
        assertion(sandbox.clientCertificatePath, {
          claims: { aud: 'https://login.microsoftonline.com/common/oauth2/v2.0/token' },
        }),
      700212,
    ],
    [
      'an expired assertion',
      () => assertion(sandbox.clientCertificatePath, { claims: { exp: Math.floor(Date.now() / 1000) - 60 } }),
      700024,
    ],
  ])('%s is refused 401 invalid_client', async (_name, build, code) => {
    const response = await redeem(build());
    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ error: 'invalid_client', error_codes: [code] });
    expect(response.body.access_token).toBeUndefined();
  });
});
