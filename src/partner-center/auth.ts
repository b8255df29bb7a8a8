/**
 * Access tokens for Partner Center through @azure/msal-node (docs/seams.md §2, issue 4).
 *
 * - App-only: confidential client, client-credentials grant, with a client secret or a certificate.
 * - App+User: the secure application model — a stored refresh token exchanged for access tokens;
 *   the rotated refresh token Entra returns is kept in memory only and used for the next exchange.
 * - Tokens are cached here and renewed shortly before expiry; concurrent callers share one
 *   token request. Any authority host other than the public cloud is a known authority (no
 *   instance discovery; OpenID metadata from `{host}/{tenant}/v2.0/.well-known/openid-configuration`).
 * - Failures become PartnerCenterErrors whose messages name the credential kind and the reason,
 *   with every secret we hold redacted from anything the authority said.
 */
import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import * as http from 'node:http';
import * as https from 'node:https';
import { rootCertificates } from 'node:tls';
import {
  AuthError,
  ClientAuthError,
  ConfidentialClientApplication,
  ServerError,
  type INetworkModule,
  type NetworkRequestOptions,
  type NetworkResponse,
} from '@azure/msal-node';
import {
  PartnerCenterError,
  PartnerCenterNetworkError,
  type PartnerCenterErrorDetails,
  PartnerCenterTransientError,
  PartnerCenterUnauthorizedError,
} from './errors';
import type { CredentialKind, TokenMode, TokenProvider } from './types';

export const PARTNER_CENTER_SCOPE = 'https://api.partnercenter.microsoft.com/.default';
/** Microsoft Graph (partner billing exports need PartnerBilling.Read.All). */
export const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';
export const PUBLIC_AUTHORITY_HOST = 'https://login.microsoftonline.com';

export interface TokenProviderOptions {
  tenantId: string;
  clientId: string;
  credential: { clientSecret: string } | { certificatePath: string };
  /** App+User (secure application model) when set. */
  refreshToken?: string;
  /** Default https://login.microsoftonline.com */
  authorityHost?: string;
  /** Extra CA for the authority (tests); otherwise Node's store, including NODE_EXTRA_CA_CERTS. */
  trustedCaPem?: string;
  /** Renew this long before expiry (capped at half the token's lifetime). Default 5 minutes. */
  renewBeforeExpiryMs?: number;
  /** Per call to the authority. Default 30 s. */
  timeoutMs?: number;
  /** Clock for the renewal decision (tests). */
  now?: () => number;
}

const DEFAULT_RENEW_BEFORE_EXPIRY_MS = 5 * 60_000;
const DEFAULT_AUTHORITY_TIMEOUT_MS = 30_000;
/** When the authority gives no expiry, do not trust a token for longer than this. */
const FALLBACK_LIFETIME_MS = 5 * 60_000;

interface CachedToken {
  token: string;
  renewAt: number;
}

export function createTokenProvider(options: TokenProviderOptions): TokenProvider {
  const mode: TokenMode = options.refreshToken ? 'app+user' : 'app-only';
  const credentialKind: CredentialKind = options.refreshToken
    ? 'refresh-token'
    : 'clientSecret' in options.credential
      ? 'client-secret'
      : 'certificate';
  const appCredentialKind = 'clientSecret' in options.credential ? 'client secret' : 'certificate';
  const label =
    mode === 'app+user'
      ? `App+User token request (refresh token, secure application model; app ${appCredentialKind})`
      : `App-only token request (${appCredentialKind})`;
  const authorityHost = (options.authorityHost ?? PUBLIC_AUTHORITY_HOST).replace(/\/+$/, '');
  const renewBeforeExpiryMs = options.renewBeforeExpiryMs ?? DEFAULT_RENEW_BEFORE_EXPIRY_MS;
  const now = options.now ?? Date.now;
  const network = createNetworkClient(options.trustedCaPem, options.timeoutMs ?? DEFAULT_AUTHORITY_TIMEOUT_MS);

  let refreshToken = options.refreshToken;
  let application: Promise<ConfidentialClientApplication> | undefined;
  // Per scope (Partner Center, Graph): one provider, so an App+User refresh token is rotated in one place.
  const cached = new Map<string, CachedToken>();
  const inFlight = new Map<string, Promise<string>>();

  // Every secret this provider holds right now, so no message can carry one.
  const redact = (text: string) =>
    redactSecrets(
      text,
      [
        'clientSecret' in options.credential ? options.credential.clientSecret : undefined,
        options.refreshToken,
        refreshToken,
        ...[...cached.values()].map((c) => c.token),
      ].filter((value): value is string => value !== undefined),
    );

  const app = () => {
    application ??= buildApplication().catch((error: unknown) => {
      application = undefined; // a missing certificate file may appear later; do not cache the failure
      throw error;
    });
    return application;
  };

  async function buildApplication(): Promise<ConfidentialClientApplication> {
    const credential =
      'clientSecret' in options.credential
        ? { clientSecret: options.credential.clientSecret }
        : { clientCertificate: await loadCertificate(options.credential.certificatePath, label) };
    const isPublicCloud = new URL(authorityHost).host.toLowerCase() === new URL(PUBLIC_AUTHORITY_HOST).host;
    return new ConfidentialClientApplication({
      auth: {
        clientId: options.clientId,
        authority: `${authorityHost}/${options.tenantId}`,
        ...credential,
        // Sovereign clouds and the sandbox: trusted as given, metadata from the host itself.
        knownAuthorities: isPublicCloud ? [] : [new URL(authorityHost).host],
      },
      system: { networkClient: network.client, loggerOptions: { piiLoggingEnabled: false } },
    });
  }

  async function acquire(scope: string): Promise<string> {
    const started = now();
    const wallClockStart = Date.now();
    try {
      const client = await app();
      const result = refreshToken
        ? // forceCache: store the result although the account is new to msal's cache, so the rotated refresh token is kept.
          await client.acquireTokenByRefreshToken({ scopes: [scope], refreshToken, forceCache: true })
        : // skipCache: this provider is the cache, msal's would hand back a token we decided to renew.
          await client.acquireTokenByClientCredential({ scopes: [scope], skipCache: true });
      if (!result?.accessToken) {
        throw authorityError(PartnerCenterUnauthorizedError, { description: `${label} returned no access token` });
      }
      if (refreshToken) refreshToken = rotatedRefreshToken(client, result.account?.homeAccountId) ?? refreshToken;
      // msal reports expiry in wall-clock time; keep the lifetime and place it on our clock.
      const lifetime = Math.max(
        (result.expiresOn?.getTime() ?? wallClockStart + FALLBACK_LIFETIME_MS) - wallClockStart,
        0,
      );
      cached.set(scope, {
        token: result.accessToken,
        renewAt: started + lifetime - Math.min(renewBeforeExpiryMs, lifetime / 2),
      });
      return result.accessToken;
    } catch (error) {
      throw tokenFailure(error, label, authorityHost, redact, network.lastFailure());
    }
  }

  return {
    mode,
    credentialKind,
    getAccessToken(request) {
      const forceRefresh = request?.forceRefresh === true;
      const scope = request?.scope ?? PARTNER_CENTER_SCOPE;
      const token = cached.get(scope);
      if (!forceRefresh && token && now() < token.renewAt) return Promise.resolve(token.token);
      // One request in flight per scope, whoever asks: a forced refresh joins a running one (it is fresh anyway).
      let pending = inFlight.get(scope);
      if (pending === undefined) {
        pending = acquire(scope).finally(() => inFlight.delete(scope));
        inFlight.set(scope, pending);
      }
      return pending;
    },
  };
}

/** The refresh token msal stored from the last exchange (Entra rotates it on use); memory only. */
function rotatedRefreshToken(
  client: ConfidentialClientApplication,
  homeAccountId: string | undefined,
): string | undefined {
  const serialized = JSON.parse(client.getTokenCache().serialize()) as {
    RefreshToken?: Record<string, { home_account_id?: string; secret?: string }>;
  };
  const entries = Object.values(serialized.RefreshToken ?? {});
  const mine =
    entries.find((entry) => homeAccountId !== undefined && entry.home_account_id === homeAccountId) ?? entries[0];
  return mine?.secret || undefined;
}

async function loadCertificate(path: string, label: string) {
  let pem: string;
  try {
    pem = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw authorityError(PartnerCenterUnauthorizedError, {
      description: `${label} failed: certificate file ${path} could not be read (${code})`,
    });
  }
  const certificatePem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem)?.[0];
  const keyPem = /-----BEGIN ((?:RSA |EC |ENCRYPTED )?)PRIVATE KEY-----[\s\S]+?-----END \1PRIVATE KEY-----/.exec(
    pem,
  )?.[0];
  if (!certificatePem || !keyPem) {
    throw authorityError(PartnerCenterUnauthorizedError, {
      description: `${label} failed: certificate file ${path} must hold a PEM certificate and its unencrypted private key`,
    });
  }
  try {
    const certificate = new X509Certificate(certificatePem);
    const privateKey = createPrivateKey(keyPem).export({ format: 'pem', type: 'pkcs8' }).toString();
    return {
      thumbprintSha256: createHash('sha256').update(certificate.raw).digest('hex'),
      privateKey,
      x5c: certificatePem,
    };
  } catch {
    throw authorityError(PartnerCenterUnauthorizedError, {
      description: `${label} failed: certificate file ${path} holds an invalid certificate or an encrypted private key`,
    });
  }
}

/** Reasons for Entra error codes (AADSTS…), so the message says what to fix. */
const AADSTS_REASONS: ReadonlyArray<[codes: number[], reason: string]> = [
  [
    [70008, 700082, 70043, 700084, 9002313, 50173],
    'the refresh token is expired, revoked or malformed; repeat the secure application model consent to issue a new one',
  ],
  [
    [50076, 50079, 50074, 50158],
    'multi-factor authentication is required; the consenting partner user must complete Microsoft Entra MFA',
  ],
  [[65001, 65004, 90094, 90008], 'consent is missing: the app has not been granted access in the partner tenant'],
  [[7000215, 7000216], 'the client secret is wrong'],
  [[7000222], 'the client secret has expired'],
  [
    [700027, 700024, 700021, 700212, 50027],
    'the certificate assertion was rejected (certificate not registered on the app, or clock skew)',
  ],
  [[700016, 7000218], 'the application is not registered in the tenant or sent no credential'],
  [[90002, 900023, 90072], 'the tenant was not found or the account is not in it'],
  [[1002012, 70011], 'the requested scope is invalid'],
];

function tokenFailure(
  error: unknown,
  label: string,
  authorityHost: string,
  redact: (text: string) => string,
  lastNetworkFailure: string | undefined,
): PartnerCenterError {
  if (error instanceof PartnerCenterError) return error;
  if (error instanceof ServerError) {
    const said = redact(error.errorMessage);
    const aadsts = Number(/AADSTS(\d+)/.exec(said)?.[1] ?? error.errorNo ?? NaN);
    const details = { status: error.status, code: error.errorCode };
    if (
      (error.status !== undefined && (error.status >= 500 || error.status === 429)) ||
      ['temporarily_unavailable', 'server_error'].includes(error.errorCode)
    ) {
      const description = `${label} failed: the authority is unavailable (${error.errorCode}). Authority said: ${authoritySaid(said)}`;
      return authorityError(PartnerCenterTransientError, { ...details, description });
    }
    const reason =
      AADSTS_REASONS.find(([codes]) => codes.includes(aadsts))?.[1] ??
      (error.errorCode === 'invalid_client'
        ? 'the app credential was rejected'
        : error.errorCode === 'invalid_grant'
          ? 'the grant was rejected'
          : 'the authority refused the request');
    const tag = Number.isNaN(aadsts) ? error.errorCode : `AADSTS${aadsts}, ${error.errorCode}`;
    const description = `${label} failed: ${reason} [${tag}]. Authority said: ${authoritySaid(said)}`;
    return authorityError(PartnerCenterUnauthorizedError, { ...details, description });
  }
  if (
    error instanceof ClientAuthError &&
    ['network_error', 'endpoints_resolution_error', 'openid_config_error'].includes(error.errorCode)
  ) {
    const why = lastNetworkFailure ? `: ${redact(lastNetworkFailure)}` : '';
    return authorityError(PartnerCenterNetworkError, {
      code: error.errorCode,
      description: `${label} failed: could not reach the authority ${authorityHost}${why}`,
    });
  }
  if (error instanceof AuthError) {
    return authorityError(PartnerCenterUnauthorizedError, {
      code: error.errorCode,
      description: `${label} failed: ${error.errorCode}: ${redact(error.errorMessage)}`,
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return authorityError(PartnerCenterUnauthorizedError, { description: `${label} failed: ${redact(message)}` });
}

/** Token errors are about the authority, not Partner Center: their message is the description alone. */
function authorityError(
  ErrorClass: new (details: PartnerCenterErrorDetails, message?: string) => PartnerCenterError,
  details: PartnerCenterErrorDetails,
): PartnerCenterError {
  return new ErrorClass(details, details.description);
}

/** The authority's own sentence, without msal's "Error(s): … - Timestamp: …" framing. */
function authoritySaid(message: string): string {
  return /AADSTS\d+: .*?(?= - Correlation ID| - Trace ID|$)/.exec(message)?.[0] ?? message;
}

export function redactSecrets(text: string, secrets: Iterable<string>): string {
  let result = text;
  for (const secret of secrets) {
    if (secret.length >= 8) result = result.split(secret).join('[redacted]');
  }
  return result.replace(/eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, '[redacted-jwt]');
}

/**
 * msal-node's network module on node:https, so the authority can be trusted through an extra CA
 * (msal's own fetch-based client cannot take one) and every call, POST included, has a timeout.
 */
function createNetworkClient(
  trustedCaPem: string | undefined,
  timeoutMs: number,
): { client: INetworkModule; lastFailure(): string | undefined } {
  const agent = trustedCaPem ? new https.Agent({ ca: [...rootCertificates, trustedCaPem] }) : undefined;
  let lastFailure: string | undefined;

  const send = <T>(
    url: string,
    method: 'GET' | 'POST',
    options: NetworkRequestOptions | undefined,
    timeout = timeoutMs,
  ): Promise<NetworkResponse<T>> =>
    new Promise((resolve, reject) => {
      lastFailure = undefined;
      const target = new URL(url);
      const transport = target.protocol === 'http:' ? http : https;
      const body = method === 'POST' ? (options?.body ?? '') : undefined;
      const headers: Record<string, string | number> = { ...options?.headers };
      if (body !== undefined) headers['Content-Length'] = Buffer.byteLength(body);
      const request = transport.request(
        target,
        { method, headers, agent: target.protocol === 'https:' ? agent : undefined, timeout },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', fail);
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const responseHeaders: Record<string, string> = {};
            for (const [key, value] of Object.entries(response.headers)) {
              if (value !== undefined) responseHeaders[key] = Array.isArray(value) ? value.join(', ') : value;
            }
            let parsed: unknown;
            try {
              parsed = text === '' ? {} : JSON.parse(text);
            } catch {
              fail(
                new Error(
                  `the authority answered ${method} ${target.pathname} with HTTP ${response.statusCode ?? 0} and a body that is not JSON`,
                ),
              );
              return;
            }
            resolve({ status: response.statusCode ?? 0, headers: responseHeaders, body: parsed as T });
          });
        },
      );
      function fail(error: Error) {
        const code = (error as NodeJS.ErrnoException).code;
        lastFailure = code ? `${code} (${error.message})` : error.message;
        reject(error);
      }
      request.on('timeout', () =>
        request.destroy(Object.assign(new Error(`no answer within ${timeout} ms`), { code: 'ETIMEDOUT' })),
      );
      request.on('error', fail);
      request.end(body);
    });

  return {
    client: {
      sendGetRequestAsync: (url, options, timeout) => send(url, 'GET', options, timeout),
      sendPostRequestAsync: (url, options) => send(url, 'POST', options),
    },
    lastFailure: () => lastFailure,
  };
}
