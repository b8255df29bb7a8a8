import type { AddressInfo } from 'node:net';
import type { Client } from '@temporalio/client';
import { buildApi, type ApiOptions } from '../../../src/api/server';
import type { ApiToken } from '../../../src/settings/api-tokens';

/** What the API tests share: tokens of each role, an API on a free loopback port, a fetch that reads problems. */

export const tokens: ApiToken[] = [
  { name: 'ops', role: 'operate', token: 'operate-token-0123456789abcdef' },
  { name: 'upstream', role: 'submit', token: 'submit-token-0123456789abcdef' },
  { name: 'dashboard', role: 'read', token: 'read-token-0123456789abcdef' },
];
export const [operate, submit, read] = tokens.map((t) => t.token);

export interface RunningApi {
  url: string;
  /** Every line the API logged. */
  log: string[];
  close(): Promise<void>;
}

export async function startApi(
  client: Client,
  taskQueue: string,
  extra: Partial<ApiOptions> = {},
): Promise<RunningApi> {
  const log: string[] = [];
  const app = await buildApi({
    client,
    taskQueue,
    tokens,
    logger: { level: 'debug', stream: { write: (line) => void log.push(line) } },
    ...extra,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, log, close: () => app.close() };
}

export interface Answer {
  status: number;
  contentType: string;
  body: unknown;
  text: string;
  headers: Headers;
}

/** One plain HTTP request, as curl would send it. */
export async function call(
  api: { url: string },
  method: string,
  path: string,
  options: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(`${api.url}${path}`, { method, headers, body });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    body: parsed,
    text,
    headers: response.headers,
  };
}

/** GETs `path` until `done` holds for its body (or the time runs out). */
export async function until(
  api: { url: string },
  path: string,
  token: string,
  done: (view: Record<string, unknown>) => boolean,
  timeoutMs = 20_000,
): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await call(api, 'GET', path, { token });
    const view = answer.body as Record<string, unknown>;
    if (answer.status === 200 && done(view)) return view;
    if (Date.now() > deadline)
      throw new Error(`GET ${path} never got there; last answer ${answer.status} ${answer.text}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
