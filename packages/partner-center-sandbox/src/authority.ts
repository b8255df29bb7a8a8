import { createHash, generateKeyPairSync, randomUUID, X509Certificate, type KeyObject } from 'node:crypto';
import { rmSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import { z } from 'zod';
import { decodeJwt, hasValidSignature, signJwt } from './jwt';
import type { SandboxRandom } from './random';

/** The https token authority: just enough of Microsoft Entra ID's v2 endpoints for msal-node's
 * ConfidentialClientApplication (client credentials and refresh-token grants), plus the check the
 * API applies to every bearer token. */

export const PARTNER_CENTER_RESOURCE = 'https://api.partnercenter.microsoft.com';
/** The Azure AD Graph audience the official SDK requested for App-only tokens (partner-center-api.md §1.4),
 * retired on 31 August 2025: Partner Center now refuses its tokens with 401/900420. */
export const RETIRED_AUDIENCE = 'https://graph.windows.net';
const ACCESS_TOKEN_LIFETIME_SECONDS = 3599;
const KEY_ID = 'pcw-sandbox-signing-key';

export const accessTokenClaimsSchema = z.object({
  aud: z.string(),
  iss: z.string(),
  iat: z.number(),
  nbf: z.number(),
  exp: z.number(),
  tid: z.string(),
  oid: z.string(),
  appid: z.string(),
  idtyp: z.enum(['app', 'user']),
  ver: z.string(),
  scp: z.string().optional(),
  amr: z.array(z.string()).optional(),
  upn: z.string().optional(),
});
export type AccessTokenClaims = z.infer<typeof accessTokenClaimsSchema>;

/** An app registration in a partner tenant, with the partner user that consented for App+User. */
export interface AppRegistration {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  user: { oid: string; upn: string; name: string };
}

export type TokenCheck =
  | { ok: true; claims: AccessTokenClaims }
  | {
      ok: false;
      reason:
        | 'malformed'
        | 'bad-signature'
        | 'expired'
        | 'not-yet-valid'
        | 'wrong-issuer'
        | 'wrong-audience'
        | 'retired-audience';
      description: string;
    };

/** Checks a bearer token the way Partner Center would: signed by our authority, issued for the
 * token's own tenant, meant for Partner Center, and within its lifetime (wall-clock seconds). */
export function verifyAccessToken(
  token: string,
  trust: { publicKey: KeyObject | string; authorityHost: string; audience?: string },
  nowSeconds: number = Math.floor(Date.now() / 1000),
): TokenCheck {
  const jwt = decodeJwt(token);
  if (!jwt) return { ok: false, reason: 'malformed', description: 'The access token is not a JWT.' };
  if (!hasValidSignature(jwt, trust.publicKey))
    return { ok: false, reason: 'bad-signature', description: 'The access token signature is invalid.' };
  const parsed = accessTokenClaimsSchema.safeParse(jwt.claims);
  if (!parsed.success)
    return { ok: false, reason: 'malformed', description: 'The access token lacks required claims.' };
  const claims = parsed.data;
  if (claims.iss !== issuerFor(trust.authorityHost, claims.tid))
    return { ok: false, reason: 'wrong-issuer', description: 'The access token was issued by an unknown authority.' };
  if (claims.aud === RETIRED_AUDIENCE) {
    return {
      ok: false,
      reason: 'retired-audience',
      description: `The access token audience ${RETIRED_AUDIENCE} is retired; request a token for ${PARTNER_CENTER_RESOURCE}.`,
    };
  }
  const audience = trust.audience ?? PARTNER_CENTER_RESOURCE;
  if (claims.aud !== audience)
    return { ok: false, reason: 'wrong-audience', description: `The access token audience is not ${audience}.` };
  if (claims.exp <= nowSeconds) return { ok: false, reason: 'expired', description: 'The access token has expired.' };
  if (claims.nbf > nowSeconds + 300)
    return { ok: false, reason: 'not-yet-valid', description: 'The access token is not yet valid.' };
  return { ok: true, claims };
}

export function issuerFor(authorityHost: string, tenantId: string): string {
  return `${authorityHost}/${tenantId}/v2.0`;
}

export interface MintOptions {
  tenantId: string;
  mode: 'app-only' | 'app+user';
  /** Seconds from now; negative gives an already expired token. */
  expiresInSeconds?: number;
  /** App+User only: include `mfa` in `amr` (default true). */
  mfa?: boolean;
  audience?: string;
}

/** How strict the authority is about refresh tokens; changeable while running (control API). */
export interface AuthorityPolicy {
  /** While on, a refresh token works once: after it has been redeemed (and rotated) a reuse gets
   * 400 invalid_grant AADSTS50173, as Entra answers for a revoked grant. Off by default: Entra
   * usually keeps a rotated-out refresh token valid until it expires. */
  singleUseRefreshTokens: boolean;
  /** App+User tokens from the token endpoint carry `amr: ["pwd", "mfa"]` (on by default, as after an MFA
   * sign-in); off, they carry `["pwd"]` only, which Partner Center refuses with 401/900421. */
  mfaClaim: boolean;
  /** Tokens from the token endpoint are for the retired audience (RETIRED_AUDIENCE) whatever the scope
   * asked for, which Partner Center refuses with 401/900420. Off by default. */
  legacyAudience: boolean;
}

export interface TokenAuthority {
  host: string;
  caPem: string;
  caFile: string;
  /** PEM file (private key + certificate) registered as each app's certificate credential, by client id. */
  clientCertificateFiles: Record<string, string>;
  publicKey: KeyObject;
  counters: { clientCredentials: number; refreshToken: number };
  /** Mutable: the control API changes it; reset() restores the start options. */
  policy: AuthorityPolicy;
  /** Checks a token meant for `audience` (default Partner Center; the Graph host passes its own). */
  verify(token: string, audience?: string): TokenCheck;
  /** Adds a refresh token for an app's consenting user (the secure application model's stored token);
   * a reset makes it usable again, so published credentials survive single-use redemption. */
  issueRefreshToken(clientId: string): string;
  /** Signs an access token directly, for tests of refusals (expired, no MFA, wrong audience). */
  mint(options: MintOptions): string;
  /** Counters to zero, the policy back to the start options, issued refresh tokens usable again. */
  reset(): void;
  close(): Promise<void>;
}

interface RefreshGrant {
  clientId: string;
  /** From issueRefreshToken (a published credential) rather than rotation. */
  issued: boolean;
  /** Redeemed while refresh tokens were single-use. */
  redeemed: boolean;
}

interface AppEntry {
  registration: AppRegistration;
  certificate: { publicKey: KeyObject; sha1: string; sha256: string };
}

export async function startAuthority(options: {
  port?: number;
  apps: AppRegistration[];
  random: SandboxRandom;
  policy?: Partial<AuthorityPolicy>;
}): Promise<TokenAuthority> {
  const tls = await generate([{ name: 'commonName', value: 'Partner Center sandbox authority' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + 2 * 365 * 24 * 3600 * 1000),
    extensions: [
      // Its own CA, so clients can trust exactly this certificate through `ca` or NODE_EXTRA_CA_CERTS.
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  });
  const signing = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const dir = await mkdtemp(join(tmpdir(), 'pcw-sandbox-'));
  trackTemporaryDir(dir);
  const caFile = join(dir, 'authority-ca.pem');
  await writeFile(caFile, tls.cert, { mode: 0o644 });

  const apps = new Map<string, AppEntry>();
  const clientCertificateFiles: Record<string, string> = {};
  for (const registration of options.apps) {
    // Each app also gets a certificate credential, as an app registration in Entra can have.
    const credential = await generate([{ name: 'commonName', value: `app ${registration.clientId}` }], {
      keySize: 2048,
      algorithm: 'sha256',
    });
    const file = join(dir, `client-${registration.clientId}.pem`);
    await writeFile(file, `${credential.private}${credential.cert}`, { mode: 0o600 });
    clientCertificateFiles[registration.clientId] = file;
    const x509 = new X509Certificate(credential.cert);
    apps.set(registration.clientId, {
      registration,
      certificate: { publicKey: x509.publicKey, sha1: thumbprint(x509, 'sha1'), sha256: thumbprint(x509, 'sha256') },
    });
  }
  const refreshGrants = new Map<string, RefreshGrant>();
  const counters = { clientCredentials: 0, refreshToken: 0 };
  const initialPolicy: AuthorityPolicy = {
    singleUseRefreshTokens: options.policy?.singleUseRefreshTokens ?? false,
    mfaClaim: options.policy?.mfaClaim ?? true,
    legacyAudience: options.policy?.legacyAudience ?? false,
  };
  const policy: AuthorityPolicy = { ...initialPolicy };
  const publicJwk = signing.publicKey.export({ format: 'jwk' });
  let host = '';

  const accessToken = (o: MintOptions & { clientId: string; user?: AppRegistration['user'] }): string => {
    const now = Math.floor(Date.now() / 1000);
    const claims: AccessTokenClaims = {
      aud: o.audience ?? PARTNER_CENTER_RESOURCE,
      iss: issuerFor(host, o.tenantId),
      iat: now,
      nbf: now,
      exp: now + (o.expiresInSeconds ?? ACCESS_TOKEN_LIFETIME_SECONDS),
      tid: o.tenantId,
      oid: o.user?.oid ?? servicePrincipalOid(o.clientId),
      appid: o.clientId,
      idtyp: o.mode === 'app+user' ? 'user' : 'app',
      ver: '1.0',
    };
    if (o.mode === 'app+user') {
      claims.scp = 'user_impersonation';
      claims.amr = o.mfa === false ? ['pwd'] : ['pwd', 'mfa'];
      claims.upn = o.user?.upn;
    }
    return signJwt({ alg: 'RS256', typ: 'JWT', kid: KEY_ID }, claims, signing.privateKey);
  };

  /** The audience the token endpoint puts in a token: what was asked for, unless the policy hands out the retired one. */
  const issuedAudience = (requested: string): string => (policy.legacyAudience ? RETIRED_AUDIENCE : requested);

  const newRefreshToken = (clientId: string, issued: boolean): string => {
    const token = `1.sbx.${options.random.token(96)}`;
    refreshGrants.set(token, { clientId, issued, redeemed: false });
    return token;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', host);
    const segments = url.pathname.split('/').filter(Boolean);
    const tenant = segments[0] ?? '';
    const rest = segments.slice(1).join('/');
    if (
      req.method === 'GET' &&
      (rest === 'v2.0/.well-known/openid-configuration' || rest === '.well-known/openid-configuration')
    ) {
      const base = `${host}/${tenant}`;
      return sendJson(res, 200, {
        issuer: issuerFor(host, tenant),
        authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
        token_endpoint: `${base}/oauth2/v2.0/token`,
        end_session_endpoint: `${base}/oauth2/v2.0/logout`,
        jwks_uri: `${base}/discovery/v2.0/keys`,
        response_types_supported: ['code', 'id_token', 'code id_token', 'token id_token', 'token'],
        subject_types_supported: ['pairwise'],
        id_token_signing_alg_values_supported: ['RS256'],
        token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
        scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
        claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'tid', 'oid', 'amr'],
        tenant_region_scope: 'NA',
        cloud_instance_name: 'sandbox',
      });
    }
    if (req.method === 'GET' && (rest === 'discovery/v2.0/keys' || rest === 'discovery/keys')) {
      return sendJson(res, 200, { keys: [{ ...publicJwk, kid: KEY_ID, use: 'sig', alg: 'RS256' }] });
    }
    if (req.method === 'POST' && (rest === 'oauth2/v2.0/token' || rest === 'oauth2/token')) {
      const form = new URLSearchParams(await readBody(req));
      return tokenEndpoint(res, tenant, form, `${host}${url.pathname}`);
    }
    sendJson(
      res,
      404,
      aadError(
        'invalid_request',
        90002,
        `Endpoint ${req.method ?? ''} ${url.pathname} does not exist on the sandbox authority.`,
      ),
    );
  };

  const tokenEndpoint = (res: ServerResponse, tenant: string, form: URLSearchParams, endpoint: string): void => {
    const grantType = form.get('grant_type');
    const clientId = form.get('client_id') ?? '';
    const app = apps.get(clientId);
    if (!grantType)
      return sendJson(
        res,
        400,
        aadError('invalid_request', 900144, "The request body must contain the following parameter: 'grant_type'."),
      );
    if (grantType !== 'client_credentials' && grantType !== 'refresh_token') {
      return sendJson(
        res,
        400,
        aadError('unsupported_grant_type', 70003, `The app requested an unsupported grant type '${grantType}'.`),
      );
    }
    // An app of another tenant is, to this tenant's authority, an app that does not exist.
    if (!app || app.registration.tenantId !== tenant) {
      return sendJson(
        res,
        400,
        aadError(
          'unauthorized_client',
          700016,
          `Application with identifier '${clientId}' was not found in the directory '${tenant}'.`,
        ),
      );
    }
    const credentialProblem = checkClientCredential(app, form, endpoint);
    if (credentialProblem)
      return sendJson(res, 401, aadError('invalid_client', credentialProblem.code, credentialProblem.description));
    const audience = audienceFromScope(form.get('scope'), form.get('resource'));
    if (!audience)
      return sendJson(
        res,
        400,
        aadError(
          'invalid_scope',
          1002012,
          'The provided value for scope is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier.',
        ),
      );

    if (grantType === 'client_credentials') {
      counters.clientCredentials += 1;
      return sendJson(res, 200, {
        token_type: 'Bearer',
        expires_in: ACCESS_TOKEN_LIFETIME_SECONDS,
        ext_expires_in: ACCESS_TOKEN_LIFETIME_SECONDS,
        access_token: accessToken({ tenantId: tenant, mode: 'app-only', clientId, audience: issuedAudience(audience) }),
      });
    }
    const presented = form.get('refresh_token') ?? '';
    const grant = refreshGrants.get(presented);
    if (!grant || grant.clientId !== clientId) {
      return sendJson(
        res,
        400,
        aadError(
          'invalid_grant',
          9002313,
          'Invalid request. The refresh token is malformed, expired or was not issued to this client.',
        ),
      );
    }
    if (grant.redeemed) {
      return sendJson(
        res,
        400,
        aadError(
          'invalid_grant',
          50173,
          'The provided grant has expired due to it being revoked, a fresh auth token is needed. The refresh token was redeemed already and replaced by the one issued then.',
        ),
      );
    }
    if (policy.singleUseRefreshTokens) grant.redeemed = true;
    counters.refreshToken += 1;
    const user = app.registration.user;
    const now = Math.floor(Date.now() / 1000);
    const idToken = signJwt(
      { alg: 'RS256', typ: 'JWT', kid: KEY_ID },
      {
        aud: clientId,
        iss: issuerFor(host, tenant),
        iat: now,
        nbf: now,
        exp: now + ACCESS_TOKEN_LIFETIME_SECONDS,
        tid: tenant,
        oid: user.oid,
        sub: user.oid,
        preferred_username: user.upn,
        name: user.name,
        ver: '2.0',
      },
      signing.privateKey,
    );
    sendJson(res, 200, {
      token_type: 'Bearer',
      scope: `${issuedAudience(audience)}/user_impersonation`,
      expires_in: ACCESS_TOKEN_LIFETIME_SECONDS,
      ext_expires_in: ACCESS_TOKEN_LIFETIME_SECONDS,
      access_token: accessToken({
        tenantId: tenant,
        mode: 'app+user',
        clientId,
        audience: issuedAudience(audience),
        mfa: policy.mfaClaim,
        user,
      }),
      // Entra rotates refresh tokens on use; the previous one stays valid unless the policy makes them single-use.
      refresh_token: newRefreshToken(clientId, false),
      id_token: idToken,
      client_info: Buffer.from(JSON.stringify({ uid: user.oid, utid: tenant })).toString('base64url'),
    });
  };

  const server: Server = createServer({ key: tls.private, cert: tls.cert }, (req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent)
        sendJson(res, 500, aadError('server_error', 90000, 'The sandbox authority failed to handle the request.'));
      else res.destroy();
    });
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
  } catch (error) {
    await removeTemporaryDir(dir);
    throw error;
  }
  host = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    host,
    caPem: tls.cert,
    caFile,
    clientCertificateFiles,
    publicKey: signing.publicKey,
    counters,
    policy,
    verify: (token, audience) =>
      verifyAccessToken(token, { publicKey: signing.publicKey, authorityHost: host, audience }),
    issueRefreshToken: (clientId) => newRefreshToken(clientId, true),
    mint: (o) => {
      const app = [...apps.values()].find((a) => a.registration.tenantId === o.tenantId);
      return accessToken({ ...o, clientId: app?.registration.clientId ?? o.tenantId, user: app?.registration.user });
    },
    reset: () => {
      counters.clientCredentials = 0;
      counters.refreshToken = 0;
      Object.assign(policy, initialPolicy);
      for (const grant of refreshGrants.values()) if (grant.issued) grant.redeemed = false;
    },
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await removeTemporaryDir(dir);
    },
  };
}

/** Temporary directories (CA and client certificates) of sandboxes not closed yet, removed at process
 * exit too, so a test run or `npm start` that ends without close() leaves nothing behind. */
const liveTemporaryDirs = new Set<string>();

function trackTemporaryDir(dir: string): void {
  if (liveTemporaryDirs.size === 0) process.once('exit', removeLiveTemporaryDirs);
  liveTemporaryDirs.add(dir);
}

function removeLiveTemporaryDirs(): void {
  for (const dir of liveTemporaryDirs) rmSync(dir, { recursive: true, force: true });
  liveTemporaryDirs.clear();
}

async function removeTemporaryDir(dir: string): Promise<void> {
  liveTemporaryDirs.delete(dir);
  if (liveTemporaryDirs.size === 0) process.removeListener('exit', removeLiveTemporaryDirs);
  await rm(dir, { recursive: true, force: true });
}

function checkClientCredential(
  app: AppEntry,
  form: URLSearchParams,
  endpoint: string,
): { code: number; description: string } | undefined {
  const secret = form.get('client_secret');
  if (secret !== null) {
    return secret === app.registration.clientSecret
      ? undefined
      : {
          code: 7000215,
          description:
            'Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.',
        };
  }
  const assertion = form.get('client_assertion');
  if (assertion === null)
    return {
      code: 7000218,
      description: "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
    };
  if (form.get('client_assertion_type') !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer') {
    return { code: 50027, description: 'The client_assertion_type is not supported.' };
  }
  const jwt = decodeJwt(assertion);
  const certificate = app.certificate;
  if (!jwt) return { code: 700027, description: 'Client assertion failed signature validation.' };
  const presentedThumbprint = jwt.header['x5t#S256'] ?? jwt.header.x5t;
  const knownThumbprints = [certificate.sha256, certificate.sha1];
  if (
    !presentedThumbprint ||
    !knownThumbprints.includes(presentedThumbprint) ||
    !hasValidSignature(jwt, certificate.publicKey)
  ) {
    return { code: 700027, description: 'Client assertion failed signature validation.' };
  }
  const claims = jwt.claims;
  const now = Math.floor(Date.now() / 1000);
  if (claims.iss !== app.registration.clientId || claims.sub !== app.registration.clientId) {
    return {
      code: 700021,
      description: 'Client assertion application identifier does not match the client_id parameter.',
    };
  }
  if (claims.aud !== endpoint)
    return {
      code: 700212,
      description: 'No matching federated identity record found for the presented assertion audience.',
    };
  if (typeof claims.exp !== 'number' || claims.exp <= now)
    return { code: 700024, description: 'Client assertion is not within its valid time range.' };
  return undefined;
}

function audienceFromScope(scope: string | null, resource: string | null): string | undefined {
  if (resource) return resource.replace(/\/+$/, '');
  const resourceScope = (scope ?? '').split(' ').find((s) => /^https?:\/\//.test(s));
  if (!resourceScope) return undefined;
  return resourceScope.replace(/\/(\.default|user_impersonation)$/, '');
}

function thumbprint(x509: X509Certificate, algorithm: 'sha1' | 'sha256'): string {
  return createHash(algorithm).update(x509.raw).digest('base64url');
}

function servicePrincipalOid(clientId: string): string {
  // Stable per app without storing anything: a GUID-shaped digest of the client id.
  const h = createHash('sha256').update(`sp:${clientId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

function aadError(error: string, code: number, message: string): Record<string, unknown> {
  const traceId = randomUUID();
  return {
    error,
    error_description: `AADSTS${code}: ${message} Trace ID: ${traceId} Timestamp: ${new Date().toISOString()}`,
    error_codes: [code],
    timestamp: new Date().toISOString(),
    trace_id: traceId,
    correlation_id: traceId,
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
