import { ConfidentialClientApplication } from '@azure/msal-node';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { createHash, createPublicKey, X509Certificate, type JsonWebKey } from 'node:crypto';
import { startSandbox, type Sandbox } from '../../src';
import { verifyAccessToken } from '../../src/access-token';
import { decodeJwt } from '../../src/jwt';
import { trustingNetworkClient, PARTNER_CENTER_SCOPE } from './helpers';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ seed: 7 });
});
afterAll(async () => {
  await sandbox.close();
});

function confidentialClient(
  auth: { clientSecret: string } | { clientCertificate: { thumbprintSha256: string; privateKey: string } },
): ConfidentialClientApplication {
  return new ConfidentialClientApplication({
    auth: {
      clientId: sandbox.clientId,
      authority: `${sandbox.authorityHost}/${sandbox.tenantId}`,
      knownAuthorities: [new URL(sandbox.authorityHost).host],
      ...auth,
    },
    system: { networkClient: trustingNetworkClient(sandbox.caPem) },
  });
}

describe('sandbox token authority with msal-node', () => {
  test('client credentials with the client secret give an App-only token the API accepts', async () => {
    const result = await confidentialClient({ clientSecret: sandbox.clientSecret }).acquireTokenByClientCredential({
      scopes: [PARTNER_CENTER_SCOPE],
    });
    expect(result?.accessToken).toBeTruthy();
    const check = verifyAccessToken(result!.accessToken, {
      publicKey: sandbox.tokenSigningKey,
      authorityHost: sandbox.authorityHost,
    });
    expect(check).toMatchObject({
      ok: true,
      claims: {
        tid: sandbox.tenantId,
        appid: sandbox.clientId,
        aud: 'https://api.partnercenter.microsoft.com',
        idtyp: 'app',
      },
    });
    const claims = decodeJwt(result!.accessToken)!.claims;
    expect(claims.amr).toBeUndefined();
    expect(typeof claims.oid).toBe('string');
    expect(Number(claims.exp)).toBeGreaterThan(Number(claims.iat));
  });

  test('acquireTokenByRefreshToken gives an App+User token with MFA and an account', async () => {
    const client = confidentialClient({ clientSecret: sandbox.clientSecret });
    const result = await client.acquireTokenByRefreshToken({
      refreshToken: sandbox.refreshToken,
      scopes: [PARTNER_CENTER_SCOPE],
      forceCache: false,
    });
    expect(result?.account?.tenantId).toBe(sandbox.tenantId);
    const claims = decodeJwt(result!.accessToken)!.claims;
    expect(claims).toMatchObject({
      tid: sandbox.tenantId,
      appid: sandbox.clientId,
      scp: 'user_impersonation',
      idtyp: 'user',
    });
    expect(claims.amr).toContain('mfa');
    // The original refresh token keeps working after msal-node's use (Entra rotates but does not revoke).
    const again = await confidentialClient({ clientSecret: sandbox.clientSecret }).acquireTokenByRefreshToken({
      refreshToken: sandbox.refreshToken,
      scopes: [PARTNER_CENTER_SCOPE],
    });
    expect(again?.accessToken).toBeTruthy();
  });

  test('the refresh-token grant returns a rotated refresh token that works in turn', async () => {
    const redeem = (refreshToken: string) =>
      trustingNetworkClient(sandbox.caPem).sendPostRequestAsync<{ refresh_token?: string; access_token?: string }>(
        `${sandbox.authorityHost}/${sandbox.tenantId}/oauth2/v2.0/token`,
        {
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            grant_type: 'refresh_token',
            refresh_token: refreshToken,
            client_id: sandbox.clientId,
            client_secret: sandbox.clientSecret,
            scope: PARTNER_CENTER_SCOPE,
          }).toString(),
        },
      );
    const first = await redeem(sandbox.refreshToken);
    expect(first.body.refresh_token).toBeTruthy();
    expect(first.body.refresh_token).not.toBe(sandbox.refreshToken);
    const second = await redeem(first.body.refresh_token!);
    expect(second.status).toBe(200);
    expect(decodeJwt(second.body.access_token!)!.claims.amr).toContain('mfa');
  });

  test('a certificate credential (client assertion) is accepted', async () => {
    const pem = readFileSync(sandbox.clientCertificatePath, 'utf8');
    const certificate = new X509Certificate(pem.slice(pem.indexOf('-----BEGIN CERTIFICATE-----')));
    const thumbprintSha256 = createHash('sha256').update(certificate.raw).digest('hex');
    const result = await confidentialClient({
      clientCertificate: { thumbprintSha256, privateKey: pem },
    }).acquireTokenByClientCredential({ scopes: [PARTNER_CENTER_SCOPE] });
    expect(decodeJwt(result!.accessToken)!.claims.tid).toBe(sandbox.tenantId);
  });

  test('a wrong client secret is refused without echoing any secret', async () => {
    const wrong = 'not-the-secret-0123456789';
    const error: unknown = await confidentialClient({ clientSecret: wrong })
      .acquireTokenByClientCredential({ scopes: [PARTNER_CENTER_SCOPE] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    const text = `${(error as Error).message} ${JSON.stringify(error)}`;
    expect(text).toContain('invalid_client');
    expect(text).not.toContain(wrong);
    expect(text).not.toContain(sandbox.clientSecret);
  });

  test('an unknown refresh token is refused with invalid_grant', async () => {
    const error: unknown = await confidentialClient({ clientSecret: sandbox.clientSecret })
      .acquireTokenByRefreshToken({ refreshToken: '1.sbx.unknown-refresh-token-value', scopes: [PARTNER_CENTER_SCOPE] })
      .catch((e: unknown) => e);
    expect(String((error as Error).message)).toContain('invalid_grant');
    expect(`${(error as Error).message} ${JSON.stringify(error)}`).not.toContain('unknown-refresh-token-value');
  });

  test('the OpenID configuration is served at both discovery paths and the CA file holds the served certificate', async () => {
    expect(readFileSync(sandbox.caFile, 'utf8')).toBe(sandbox.caPem);
    const network = trustingNetworkClient(sandbox.caPem);
    for (const path of ['v2.0/.well-known/openid-configuration', '.well-known/openid-configuration']) {
      const response = await network.sendGetRequestAsync<Record<string, string>>(
        `${sandbox.authorityHost}/${sandbox.tenantId}/${path}`,
      );
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({
        issuer: `${sandbox.authorityHost}/${sandbox.tenantId}/v2.0`,
        token_endpoint: `${sandbox.authorityHost}/${sandbox.tenantId}/oauth2/v2.0/token`,
      });
      expect(response.body.jwks_uri).toBeTruthy();
      expect(response.body.authorization_endpoint).toBeTruthy();
    }
  });

  test('a child Node process trusts the authority through NODE_EXTRA_CA_CERTS=caFile (global fetch, as msal-node uses)', async () => {
    const url = `${sandbox.authorityHost}/${sandbox.tenantId}/v2.0/.well-known/openid-configuration`;
    const script = 'fetch(process.argv[1]).then((r) => r.json()).then((j) => process.stdout.write(j.issuer))';
    const trusted = await promisify(execFile)(process.execPath, ['-e', script, url], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: sandbox.caFile },
    });
    expect(trusted.stdout).toBe(`${sandbox.authorityHost}/${sandbox.tenantId}/v2.0`);
    const { NODE_EXTRA_CA_CERTS: _ignored, ...withoutCa } = process.env;
    await expect(promisify(execFile)(process.execPath, ['-e', script, url], { env: withoutCa })).rejects.toThrow();
  });

  test('the signing keys are published at jwks_uri and verify the access tokens', async () => {
    const network = trustingNetworkClient(sandbox.caPem);
    const config = await network.sendGetRequestAsync<{ jwks_uri: string }>(
      `${sandbox.authorityHost}/${sandbox.tenantId}/v2.0/.well-known/openid-configuration`,
    );
    const keys = await network.sendGetRequestAsync<{ keys: Array<JsonWebKey & { kid: string }> }>(config.body.jwks_uri);
    expect(keys.body.keys).toHaveLength(1);
    const publicKey = createPublicKey({ key: keys.body.keys[0], format: 'jwk' });
    const result = await confidentialClient({ clientSecret: sandbox.clientSecret }).acquireTokenByClientCredential({
      scopes: [PARTNER_CENTER_SCOPE],
    });
    expect(verifyAccessToken(result!.accessToken, { publicKey, authorityHost: sandbox.authorityHost }).ok).toBe(true);
    expect(decodeJwt(result!.accessToken)!.header.kid).toBe(keys.body.keys[0].kid);
  });

  test('the v1 token endpoint takes a resource instead of a scope', async () => {
    const response = await trustingNetworkClient(sandbox.caPem).sendPostRequestAsync<{ access_token: string }>(
      `${sandbox.authorityHost}/${sandbox.tenantId}/oauth2/token`,
      {
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: sandbox.clientId,
          client_secret: sandbox.clientSecret,
          resource: 'https://api.partnercenter.microsoft.com',
        }).toString(),
      },
    );
    expect(response.status).toBe(200);
    expect(decodeJwt(response.body.access_token)!.claims.aud).toBe('https://api.partnercenter.microsoft.com');
  });
});
