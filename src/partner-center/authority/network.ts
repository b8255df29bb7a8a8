/**
 * msal-node's network module on node:https, so the authority can be trusted through an extra CA
 * (msal's own fetch-based client cannot take one) and every call, POST included, has a timeout.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { rootCertificates } from 'node:tls';
import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';

type Method = 'GET' | 'POST';

/** The network module, and why its last call failed (msal's own error does not say). */
export function createNetworkClient(
  trustedCaPem: string | undefined,
  timeoutMs: number,
): { client: INetworkModule; lastFailure(): string | undefined } {
  const agent = trustedCaPem ? new https.Agent({ ca: [...rootCertificates, trustedCaPem] }) : undefined;
  let lastFailure: string | undefined;

  const send = <T>(
    url: string,
    method: Method,
    options: NetworkRequestOptions | undefined,
    timeout = timeoutMs,
  ): Promise<NetworkResponse<T>> => {
    lastFailure = undefined;
    const onFailure = (error: Error) => {
      const code = (error as NodeJS.ErrnoException).code;
      lastFailure = code ? `${code} (${error.message})` : error.message;
    };
    return requestAuthority<T>(url, method, options, { agent, timeout, onFailure });
  };

  return {
    client: {
      sendGetRequestAsync: (url, options, timeout) => send(url, 'GET', options, timeout),
      sendPostRequestAsync: (url, options) => send(url, 'POST', options),
    },
    lastFailure: () => lastFailure,
  };
}

/**
 * One request to the authority: its JSON answer whatever the status; no answer, or one that is not JSON, is an
 * error, told to onFailure first.
 */
function requestAuthority<T>(
  url: string,
  method: Method,
  options: NetworkRequestOptions | undefined,
  { agent, timeout, onFailure }: { agent: https.Agent | undefined; timeout: number; onFailure: (error: Error) => void },
): Promise<NetworkResponse<T>> {
  return new Promise((resolve, reject) => {
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
          try {
            resolve(networkResponse<T>(response, Buffer.concat(chunks).toString('utf8'), method, target));
          } catch (error) {
            fail(error as Error);
          }
        });
      },
    );
    request.on('timeout', () =>
      request.destroy(Object.assign(new Error(`no answer within ${timeout} ms`), { code: 'ETIMEDOUT' })),
    );
    request.on('error', fail);
    request.end(body);
    function fail(error: Error) {
      onFailure(error);
      reject(error);
    }
  });
}

/** The answer as msal takes it: flat string headers and a parsed JSON body (an empty body is `{}`). */
function networkResponse<T>(
  response: http.IncomingMessage,
  text: string,
  method: Method,
  target: URL,
): NetworkResponse<T> {
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(response.headers)) {
    if (value !== undefined) headers[key] = Array.isArray(value) ? value.join(', ') : value;
  }
  let parsed: unknown;
  try {
    parsed = text === '' ? {} : JSON.parse(text);
  } catch {
    throw new Error(
      `the authority answered ${method} ${target.pathname} with HTTP ${response.statusCode ?? 0} and a body that is not JSON`,
    );
  }
  return { status: response.statusCode ?? 0, headers, body: parsed as T };
}
