import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';
import { request } from 'node:https';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src';

export const PARTNER_CENTER_SCOPE = 'https://api.partnercenter.microsoft.com/.default';

/** msal-node network client that trusts the sandbox authority's certificate (in-process tests cannot
 * use NODE_EXTRA_CA_CERTS: Node reads it only at start-up). */
export function trustingNetworkClient(caPem: string): INetworkModule {
  const send = <T>(method: 'GET' | 'POST', url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> =>
    new Promise((resolve, reject) => {
      const req = request(url, { method, ca: caPem, headers: options?.headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const headers: Record<string, string> = {};
          for (const [key, value] of Object.entries(res.headers)) if (typeof value === 'string') headers[key] = value;
          try {
            resolve({
              status: res.statusCode ?? 0,
              headers,
              body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as T,
            });
          } catch (error) {
            reject(error instanceof Error ? error : new Error(String(error)));
          }
        });
      });
      req.on('error', reject);
      req.end(options?.body);
    });
  return {
    sendGetRequestAsync: (url, options) => send('GET', url, options),
    sendPostRequestAsync: (url, options) => send('POST', url, options),
  };
}

/** What the token endpoint answers: tokens, or an Entra-shaped error. */
export interface TokenResponse {
  access_token?: string;
  refresh_token?: string;
  error?: string;
  error_description?: string;
  error_codes?: number[];
}

/** One raw call to the sandbox authority's v2 token endpoint: App-only (client credentials) or
 * App+User (a refresh-token exchange with `app.refreshToken`). */
export function requestToken(
  sandbox: Pick<Sandbox, 'authorityHost' | 'caPem'>,
  mode: 'app-only' | 'app+user',
  app: { tenantId: string; clientId: string; clientSecret: string; refreshToken: string },
  /** Another tenant's authority (a customer's tenant) and another resource (Graph); the app's own and Partner Center by default. */
  target: { tenantId?: string; scope?: string } = {},
): Promise<NetworkResponse<TokenResponse>> {
  const form = new URLSearchParams({
    client_id: app.clientId,
    client_secret: app.clientSecret,
    scope: target.scope ?? PARTNER_CENTER_SCOPE,
  });
  if (mode === 'app-only') form.set('grant_type', 'client_credentials');
  else {
    form.set('grant_type', 'refresh_token');
    form.set('refresh_token', app.refreshToken);
  }
  return trustingNetworkClient(sandbox.caPem).sendPostRequestAsync<TokenResponse>(
    `${sandbox.authorityHost}/${target.tenantId ?? app.tenantId}/oauth2/v2.0/token`,
    {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    },
  );
}

/** An access token straight from the sandbox authority's token endpoint (see requestToken). */
export async function tokenFor(
  sandbox: Pick<Sandbox, 'authorityHost' | 'caPem'>,
  mode: 'app-only' | 'app+user',
  app: { tenantId: string; clientId: string; clientSecret: string; refreshToken: string },
  target: { tenantId?: string; scope?: string } = {},
): Promise<string> {
  const response = await requestToken(sandbox, mode, app, target);
  if (!response.body.access_token)
    throw new Error(`token request failed: ${response.status} ${response.body.error ?? ''}`);
  return response.body.access_token;
}

export interface ApiResult<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

/** Plain fetch against the sandbox's /v1 API with a bearer token. */
export async function api<T = Record<string, unknown>>(
  sandbox: Pick<Sandbox, 'baseUrl'>,
  token: string | undefined,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<ApiResult<T>> {
  const response = await fetch(`${sandbox.baseUrl}/v1${path}`, {
    method,
    headers: {
      accept: 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : undefined) as T };
}

export interface PartnerTokens {
  appOnly: string;
  appUser: string;
}

/** Tokens of both kinds for the sandbox's main partner, fetched once per test file. */
export async function partnerTokens(sandbox: Sandbox): Promise<PartnerTokens> {
  return {
    appOnly: await tokenFor(sandbox, 'app-only', sandbox),
    appUser: await tokenFor(sandbox, 'app+user', sandbox),
  };
}

export interface StartedSandbox {
  sandbox: Sandbox;
  tokens: PartnerTokens;
  /** The main partner's first customer. */
  customer: string;
}

/** One sandbox for the whole test file, handed to `use` once started and closed after the file;
 * every test starts from a reset with instant checkouts. */
export function sandboxForFile(options: SandboxOptions, use: (started: StartedSandbox) => void): void {
  let sandbox: Sandbox | undefined;
  beforeAll(async () => {
    sandbox = await startSandbox(options);
    use({ sandbox, tokens: await partnerTokens(sandbox), customer: sandbox.customerIds[0] });
  });
  afterAll(async () => {
    await sandbox?.close();
  });
  beforeEach(async () => {
    await sandbox?.control.reset();
    await sandbox?.control.setDelays({ checkoutMs: 0 });
  });
}

/** The first commercial availability of a SKU in a country with the given term (its catalogItemId). */
export async function catalogItemFor(
  sandbox: Sandbox,
  token: string,
  productId: string,
  skuId: string,
  term: string,
  country = 'US',
): Promise<string> {
  const list = await api<{
    items: Array<{ catalogItemId: string; segment: string; terms: Array<{ duration: string }> }>;
  }>(
    sandbox,
    token,
    'GET',
    `/products/${productId}/skus/${skuId}/availabilities?country=${country}&targetSegment=commercial`,
  );
  const found = list.body.items.find((a) => a.terms.some((t) => t.duration === term));
  if (!found) throw new Error(`no ${term} availability for ${productId}:${skuId} in ${country}`);
  return found.catalogItemId;
}
