import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { issuerFor, RETIRED_AUDIENCE } from './access-token';
import { newRefreshToken, type AppEntry, type AuthorityState } from './authority-state';
import { decodeJwt, hasValidSignature } from './jwt';
import { ACCESS_TOKEN_LIFETIME_SECONDS, KEY_ID, signAccessToken, signIdToken } from './token-minting';

/** The token authority's endpoints: just enough of Microsoft Entra ID's v2 endpoints (OpenID
 * configuration, signing keys, token) for msal-node's ConfidentialClientApplication with the client
 * credentials and refresh-token grants, answering errors in Entra's AADSTS shape. */

interface AuthorityAnswer {
  status: number;
  body: unknown;
}

/** Answers every request; one that fails unexpectedly gets a 500 server_error (or a dropped socket once headers went out). */
export function authorityRequestListener(state: AuthorityState): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    answer(state, req)
      .then((result) => sendJson(res, result.status, result.body))
      .catch(() => {
        if (!res.headersSent)
          sendJson(res, 500, aadError('server_error', 90000, 'The sandbox authority failed to handle the request.'));
        else res.destroy();
      });
  };
}

async function answer(state: AuthorityState, req: IncomingMessage): Promise<AuthorityAnswer> {
  const url = new URL(req.url ?? '/', state.host);
  const segments = url.pathname.split('/').filter(Boolean);
  const tenant = segments[0] ?? '';
  const rest = segments.slice(1).join('/');
  if (
    req.method === 'GET' &&
    (rest === 'v2.0/.well-known/openid-configuration' || rest === '.well-known/openid-configuration')
  ) {
    return { status: 200, body: openIdConfiguration(state.host, tenant) };
  }
  if (req.method === 'GET' && (rest === 'discovery/v2.0/keys' || rest === 'discovery/keys')) {
    const publicJwk = state.signing.publicKey.export({ format: 'jwk' });
    return { status: 200, body: { keys: [{ ...publicJwk, kid: KEY_ID, use: 'sig', alg: 'RS256' }] } };
  }
  if (req.method === 'POST' && (rest === 'oauth2/v2.0/token' || rest === 'oauth2/token')) {
    const form = new URLSearchParams(await readBody(req));
    return tokenEndpoint(state, tenant, form, `${state.host}${url.pathname}`);
  }
  return refusal(
    404,
    'invalid_request',
    90002,
    `Endpoint ${req.method ?? ''} ${url.pathname} does not exist on the sandbox authority.`,
  );
}

function openIdConfiguration(host: string, tenant: string): Record<string, unknown> {
  const base = `${host}/${tenant}`;
  return {
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
  };
}

/** A token request that named a supported grant, an app of the tenant with its right credential, and a resource. */
interface TokenRequest {
  grantType: 'client_credentials' | 'refresh_token';
  tenant: string;
  app: AppEntry;
  /** The resource the token is for, from `scope` or `resource`. */
  audience: string;
  form: URLSearchParams;
}

function tokenEndpoint(
  state: AuthorityState,
  tenant: string,
  form: URLSearchParams,
  endpoint: string,
): AuthorityAnswer {
  const request = checkTokenRequest(state, tenant, form, endpoint);
  if ('status' in request) return request;
  return request.grantType === 'client_credentials'
    ? clientCredentialsGrant(state, request)
    : refreshTokenGrant(state, request);
}

function checkTokenRequest(
  state: AuthorityState,
  tenant: string,
  form: URLSearchParams,
  endpoint: string,
): TokenRequest | AuthorityAnswer {
  const grantType = form.get('grant_type');
  const clientId = form.get('client_id') ?? '';
  const app = state.apps.get(clientId);
  if (!grantType)
    return refusal(
      400,
      'invalid_request',
      900144,
      "The request body must contain the following parameter: 'grant_type'.",
    );
  if (grantType !== 'client_credentials' && grantType !== 'refresh_token')
    return refusal(400, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${grantType}'.`);
  // An app of another tenant is, to this tenant's authority, an app that does not exist; a partner's app is
  // present in its customers' tenants (multi-tenant app, GDAP), as the secure application model needs.
  const home = app?.registration.tenantId;
  if (!app || (home !== tenant && state.customerTenantOwner(tenant.toLowerCase()) !== home)) {
    return refusal(
      400,
      'unauthorized_client',
      700016,
      `Application with identifier '${clientId}' was not found in the directory '${tenant}'.`,
    );
  }
  const credentialProblem = checkClientCredential(app, form, endpoint);
  if (credentialProblem) return refusal(401, 'invalid_client', credentialProblem.code, credentialProblem.description);
  const audience = audienceFromScope(form.get('scope'), form.get('resource'));
  if (!audience)
    return refusal(
      400,
      'invalid_scope',
      1002012,
      'The provided value for scope is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier.',
    );
  return { grantType, tenant, app, audience, form };
}

function clientCredentialsGrant(state: AuthorityState, request: TokenRequest): AuthorityAnswer {
  state.counters.clientCredentials += 1;
  const accessToken = signAccessToken(state, {
    tenantId: request.tenant,
    mode: 'app-only',
    clientId: request.app.registration.clientId,
    audience: issuedAudience(state, request.audience),
  });
  return {
    status: 200,
    body: {
      token_type: 'Bearer',
      expires_in: ACCESS_TOKEN_LIFETIME_SECONDS,
      ext_expires_in: ACCESS_TOKEN_LIFETIME_SECONDS,
      access_token: accessToken,
    },
  };
}

function refreshTokenGrant(state: AuthorityState, request: TokenRequest): AuthorityAnswer {
  const { tenant, app } = request;
  const { clientId, user } = app.registration;
  const grant = state.refreshGrants.get(request.form.get('refresh_token') ?? '');
  if (!grant || grant.clientId !== clientId) {
    return refusal(
      400,
      'invalid_grant',
      9002313,
      'Invalid request. The refresh token is malformed, expired or was not issued to this client.',
    );
  }
  if (grant.redeemed) {
    return refusal(
      400,
      'invalid_grant',
      50173,
      'The provided grant has expired due to it being revoked, a fresh auth token is needed. The refresh token was redeemed already and replaced by the one issued then.',
    );
  }
  if (state.policy.singleUseRefreshTokens) grant.redeemed = true;
  state.counters.refreshToken += 1;
  const idToken = signIdToken(state, { tenantId: tenant, clientId, user });
  const audience = issuedAudience(state, request.audience);
  return {
    status: 200,
    body: {
      token_type: 'Bearer',
      scope: `${audience}/user_impersonation`,
      expires_in: ACCESS_TOKEN_LIFETIME_SECONDS,
      ext_expires_in: ACCESS_TOKEN_LIFETIME_SECONDS,
      access_token: signAccessToken(state, {
        tenantId: tenant,
        mode: 'app+user',
        clientId,
        audience,
        mfa: state.policy.mfaClaim,
        user,
      }),
      // Entra rotates refresh tokens on use; the previous one stays valid unless the policy makes them single-use.
      refresh_token: newRefreshToken(state, clientId, false),
      id_token: idToken,
      // The user's home tenant (the partner's), whichever tenant the token is for: msal keeps one account and one refresh token.
      client_info: Buffer.from(JSON.stringify({ uid: user.oid, utid: app.registration.tenantId })).toString(
        'base64url',
      ),
    },
  };
}

/** The audience the token endpoint puts in a token: what was asked for, unless the policy hands out the retired one. */
function issuedAudience(state: AuthorityState, requested: string): string {
  return state.policy.legacyAudience ? RETIRED_AUDIENCE : requested;
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

function refusal(status: number, error: string, code: number, message: string): AuthorityAnswer {
  return { status, body: aadError(error, code, message) };
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
