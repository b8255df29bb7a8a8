import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';
import { request } from 'node:https';
import type { Sandbox } from '../../../src/sandbox';

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
            resolve({ status: res.statusCode ?? 0, headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as T });
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

/** An access token straight from the sandbox authority's token endpoint: App-only (client
 * credentials) or App+User (the sandbox's refresh token). */
export async function tokenFor(
  sandbox: Pick<Sandbox, 'authorityHost' | 'caPem' | 'refreshToken'>,
  mode: 'app-only' | 'app+user',
  app: { tenantId: string; clientId: string; clientSecret: string },
): Promise<string> {
  const form = new URLSearchParams({ client_id: app.clientId, client_secret: app.clientSecret, scope: PARTNER_CENTER_SCOPE });
  if (mode === 'app-only') form.set('grant_type', 'client_credentials');
  else {
    form.set('grant_type', 'refresh_token');
    form.set('refresh_token', sandbox.refreshToken);
  }
  const response = await trustingNetworkClient(sandbox.caPem).sendPostRequestAsync<{ access_token?: string; error?: string }>(
    `${sandbox.authorityHost}/${app.tenantId}/oauth2/v2.0/token`,
    { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() },
  );
  if (!response.body.access_token) throw new Error(`token request failed: ${response.status} ${response.body.error ?? ''}`);
  return response.body.access_token;
}
