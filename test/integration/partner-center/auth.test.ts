/**
 * createTokenProvider with the real msal-node against the sandbox's real https token authority
 * (a known authority on 127.0.0.1, trusted through `trustedCaPem`).
 */
import { spawn } from 'node:child_process';
import { startSandbox, verifyAccessToken, type Sandbox } from 'partner-center-sandbox';
import { sandboxTokenOptions } from '../../../src/sandbox-settings';
import { builtEntry } from '../../support/processes';
import {
  createTokenProvider,
  PartnerCenterError,
  PartnerCenterNetworkError,
  PartnerCenterUnauthorizedError,
  type TokenProviderOptions,
} from '../../../src/partner-center';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ seed: 41 });
});
afterAll(async () => {
  await sandbox.close();
});

const provider = (overrides: Partial<TokenProviderOptions> = {}) =>
  createTokenProvider({ ...sandboxTokenOptions(sandbox), ...overrides });

const claimsOf = (token: string) => {
  const check = verifyAccessToken(token, { publicKey: sandbox.tokenSigningKey, authorityHost: sandbox.authorityHost });
  if (!check.ok) throw new Error(`sandbox refused the token: ${check.reason}`);
  return check.claims;
};

async function rejection(promise: Promise<unknown>): Promise<PartnerCenterError> {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(PartnerCenterError);
  return error as PartnerCenterError;
}

describe('App-only', () => {
  test('client secret: a Partner Center token for the partner tenant', async () => {
    const tokens = provider();
    expect(tokens.mode).toBe('app-only');
    expect(tokens.credentialKind).toBe('client-secret');
    const claims = claimsOf(await tokens.getAccessToken());
    expect(claims).toMatchObject({
      tid: sandbox.tenantId,
      appid: sandbox.clientId,
      aud: 'https://api.partnercenter.microsoft.com',
      idtyp: 'app',
    });
  });

  test('certificate from a PEM file (thumbprint + private key)', async () => {
    const tokens = provider({ credential: { certificatePath: sandbox.clientCertificatePath } });
    expect(tokens.credentialKind).toBe('certificate');
    expect(claimsOf(await tokens.getAccessToken())).toMatchObject({ appid: sandbox.clientId, idtyp: 'app' });
  });

  test('the token is reused, and forceRefresh asks the authority again', async () => {
    const tokens = provider();
    const first = await tokens.getAccessToken();
    const issued = async () => (await sandbox.control.counters()).tokens.clientCredentials;
    const before = await issued();
    expect(await tokens.getAccessToken()).toBe(first);
    expect(await issued()).toBe(before);
    expect(claimsOf(await tokens.getAccessToken({ forceRefresh: true })).appid).toBe(sandbox.clientId);
    expect(await issued()).toBe(before + 1);
  });
});

describe('App+User (secure application model)', () => {
  test('the refresh token is exchanged for a delegated token with the MFA claim', async () => {
    const tokens = provider({ refreshToken: sandbox.refreshToken });
    expect(tokens.mode).toBe('app+user');
    expect(tokens.credentialKind).toBe('refresh-token');
    const claims = claimsOf(await tokens.getAccessToken());
    expect(claims).toMatchObject({ idtyp: 'user', scp: 'user_impersonation', tid: sandbox.tenantId });
    expect(claims.amr).toContain('mfa');
  });

  test('repeated exchanges keep working (rotation itself: unit test auth-rotation)', async () => {
    const tokens = provider({ refreshToken: sandbox.refreshToken });
    for (let i = 0; i < 3; i += 1) {
      expect(claimsOf(await tokens.getAccessToken({ forceRefresh: true })).idtyp).toBe('user');
    }
  });

  test('with a certificate as the app credential', async () => {
    const tokens = provider({
      refreshToken: sandbox.refreshToken,
      credential: { certificatePath: sandbox.clientCertificatePath },
    });
    expect(claimsOf(await tokens.getAccessToken()).idtyp).toBe('user');
  });
});

describe('failures say which credential failed and why, and are not retried', () => {
  test('wrong client secret', async () => {
    const error = await rejection(
      provider({ credential: { clientSecret: 'sbx~not-the-right-secret-value' } }).getAccessToken(),
    );
    expect(error).toBeInstanceOf(PartnerCenterUnauthorizedError);
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(
      /^App-only token request \(client secret\) failed: the client secret is wrong \[AADSTS7000215/,
    );
    expect(error.message).not.toContain('sbx~not-the-right-secret-value');
  });

  test('unknown refresh token', async () => {
    const error = await rejection(
      provider({ refreshToken: '1.sbx.revoked-or-never-issued-refresh-token' }).getAccessToken(),
    );
    expect(error).toBeInstanceOf(PartnerCenterUnauthorizedError);
    expect(error.message).toMatch(/App\+User token request .* refresh token is expired, revoked or malformed/);
    expect(error.message).not.toContain('revoked-or-never-issued');
  });

  test('missing certificate file', async () => {
    const error = await rejection(
      provider({ credential: { certificatePath: '/nonexistent/client.pem' } }).getAccessToken(),
    );
    expect(error).toBeInstanceOf(PartnerCenterUnauthorizedError);
    expect(error.message).toMatch(/certificate file \/nonexistent\/client.pem could not be read \(ENOENT\)/);
  });

  test('an untrusted authority certificate is a network failure naming the host', async () => {
    const error = await rejection(provider({ trustedCaPem: undefined }).getAccessToken());
    expect(error).toBeInstanceOf(PartnerCenterNetworkError);
    expect(error.message).toContain(sandbox.authorityHost);
  });
});

describe('trust through NODE_EXTRA_CA_CERTS (Node reads it at start-up: a fresh process on the compiled code)', () => {
  const script = `
    const { createTokenProvider } = require(process.env.PC_MODULE);
    createTokenProvider({
      tenantId: process.env.AZURE_TENANT_ID,
      clientId: process.env.AZURE_CLIENT_ID,
      credential: { clientSecret: process.env.AZURE_CLIENT_SECRET },
      authorityHost: process.env.AZURE_AUTHORITY_HOST,
    }).getAccessToken().then(
      (token) => console.log('TOKEN-PARTS ' + token.split('.').length),
      (error) => console.log('FAILED ' + error.name + ': ' + error.message),
    );`;

  const run = (extraEnv: Record<string, string>) =>
    new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ['-e', script], {
        env: {
          PATH: process.env.PATH,
          PC_MODULE: builtEntry('partner-center/index.js'),
          AZURE_TENANT_ID: sandbox.tenantId,
          AZURE_CLIENT_ID: sandbox.clientId,
          AZURE_CLIENT_SECRET: sandbox.clientSecret,
          AZURE_AUTHORITY_HOST: sandbox.authorityHost,
          ...extraEnv,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.once('error', reject);
      child.once('exit', () => resolve(output));
    });

  test('with the sandbox CA in NODE_EXTRA_CA_CERTS the authority is trusted', async () => {
    expect(await run({ NODE_EXTRA_CA_CERTS: sandbox.caFile })).toContain('TOKEN-PARTS 3');
  });

  test('without it the same process cannot reach the authority', async () => {
    expect(await run({})).toMatch(/FAILED PartnerCenterNetworkError: .*could not reach the authority/);
  });
});
