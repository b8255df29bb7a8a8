/**
 * Refresh-token rotation with real msal-node against a strict stand-in authority on loopback https:
 * each refresh token works once, so only a provider that keeps the rotated one keeps working. This
 * stand-in also records which token each exchange presented; the end-to-end version against the
 * sandbox's single-use refresh tokens is test/integration/partner-center/rotation.test.ts.
 */
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { generate } from 'selfsigned';
import { createTokenProvider, PartnerCenterUnauthorizedError } from '../../../src/partner-center';

const TENANT = '11111111-2222-4333-8444-555555555555';
const CLIENT = '66666666-7777-4888-9999-000000000000';
const SECRET = 'stand-in-client-secret-value';

let server: Server;
let host: string;
let caPem: string;
let valid: Set<string>;
let issued = 0;
const presented: string[] = [];

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

beforeAll(async () => {
  const tls = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keySize: 2048,
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] },
    ],
  });
  caPem = tls.cert;
  server = createServer({ key: tls.private, cert: tls.cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.method === 'GET' && req.url === `/${TENANT}/v2.0/.well-known/openid-configuration`) {
        return send(200, {
          issuer: `${host}/${TENANT}/v2.0`,
          authorization_endpoint: `${host}/${TENANT}/oauth2/v2.0/authorize`,
          token_endpoint: `${host}/${TENANT}/oauth2/v2.0/token`,
          end_session_endpoint: `${host}/${TENANT}/oauth2/v2.0/logout`,
          jwks_uri: `${host}/${TENANT}/discovery/v2.0/keys`,
        });
      }
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const refreshToken = form.get('refresh_token') ?? '';
      presented.push(refreshToken);
      if (form.get('client_secret') !== SECRET || !valid.delete(refreshToken)) {
        return send(400, {
          error: 'invalid_grant',
          error_description: 'AADSTS70043: The refresh token has expired or is invalid.',
          error_codes: [70043],
        });
      }
      issued += 1;
      const next = `rt-${issued}-rotated`;
      valid.add(next);
      const now = Math.floor(Date.now() / 1000);
      send(200, {
        token_type: 'Bearer',
        expires_in: 3599,
        access_token: `access-${issued}`,
        refresh_token: next,
        id_token: `${base64url({ alg: 'none' })}.${base64url({ aud: CLIENT, iss: `${host}/${TENANT}/v2.0`, tid: TENANT, oid: 'user-1', sub: 'user-1', iat: now, exp: now + 3599, preferred_username: 'agent@partner.example' })}.`,
        client_info: base64url({ uid: 'user-1', utid: TENANT }),
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  host = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const provider = (refreshToken: string) =>
  createTokenProvider({
    tenantId: TENANT,
    clientId: CLIENT,
    credential: { clientSecret: SECRET },
    refreshToken,
    authorityHost: host,
    trustedCaPem: caPem,
  });

test('each exchange presents the refresh token the previous one returned', async () => {
  valid = new Set(['rt-original']);
  const tokens = provider('rt-original');
  presented.length = 0;
  const first = await tokens.getAccessToken();
  const second = await tokens.getAccessToken({ forceRefresh: true });
  const third = await tokens.getAccessToken({ forceRefresh: true });
  expect([first, second, third]).toEqual([`access-${issued - 2}`, `access-${issued - 1}`, `access-${issued}`]);
  expect(presented).toEqual(['rt-original', `rt-${issued - 2}-rotated`, `rt-${issued - 1}-rotated`]);
});

test('a refresh token that no longer works is Unauthorized with the reason, and the token is not in the message', async () => {
  valid = new Set();
  const error = await provider('rt-used-up-already')
    .getAccessToken()
    .catch((e: unknown) => e);
  expect(error).toBeInstanceOf(PartnerCenterUnauthorizedError);
  expect((error as Error).message).toMatch(/refresh token is expired, revoked or malformed.*AADSTS70043/);
  expect((error as Error).message).not.toContain('rt-used-up-already');
});
