import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { ApiError, badRequest } from './errors';

/** Request/response plumbing shared by the route modules: case-insensitive query names, JSON bodies
 * accepted in camelCase or PascalCase, zod problems turned into 400s naming the field. */

export interface ApiResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface RequestContext {
  method: string;
  path: string;
  url: URL;
  headers: IncomingHttpHeaders;
  rawBody: string;
  params: Record<string, string>;
  now: number;
}

/** A query value by name, ignoring case and `_` (Partner Center spells `seekOperation`, `seekoperation` and `seek_operation`). */
export function queryValue(url: URL, name: string): string | undefined {
  const wanted = comparableName(name);
  for (const [key, value] of url.searchParams) if (comparableName(key) === wanted) return value;
  return undefined;
}

const comparableName = (name: string) => name.replace(/_/g, '').toLowerCase();

export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** The JSON body with every property name camelCased (PascalCase `LineItems` → `lineItems`);
 * free-form maps (`provisioningContext`) keep their keys. */
export function jsonBody(rawBody: string): unknown {
  if (rawBody.trim() === '') throw badRequest('body', 'is required (a JSON object)');
  let parsed: unknown;
  try {
    parsed = JSON.parse(rawBody);
  } catch {
    throw badRequest('body', 'is not valid JSON');
  }
  return camelCaseKeys(parsed);
}

const FREE_FORM_KEYS = new Set(['provisioningContext']);

function camelCaseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelCaseKeys);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    const camel = key.charAt(0).toLowerCase() + key.slice(1);
    out[camel] = FREE_FORM_KEYS.has(camel) ? inner : camelCaseKeys(inner);
  }
  return out;
}

/** Parses with `schema` or throws a 400 whose description names the first offending field. */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown, root = 'body'): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue.path.length
    ? issue.path
        .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
        .join('')
        .replace(/^\./, '')
    : root;
  const missing = issue.code === 'invalid_type' && valueAt(value, issue.path) === undefined;
  throw badRequest(field, missing ? 'is required' : `is invalid: ${issue.message.replace(/^Invalid input: /, '')}`);
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/** Enum values are case-insensitive on input (`Monthly` accepted). */
export function looseEnum<const T extends readonly [string, ...string[]]>(values: T) {
  return z.preprocess(
    (v) => (typeof v === 'string' ? (values.find((x) => x.toLowerCase() === v.toLowerCase()) ?? v) : v),
    z.enum(values),
  );
}

export function requireQuery(url: URL, name: string): string {
  const value = queryValue(url, name);
  if (value === undefined || value.trim() === '') throw badRequest(name, 'is a required query parameter');
  return value;
}

export async function readRawBody(req: IncomingMessage, limitBytes = 1_000_000): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limitBytes) throw new ApiError(413, 0, `The request body exceeds ${limitBytes} bytes.`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function writeJson(res: ServerResponse, response: ApiResponse, extraHeaders: Record<string, string>): void {
  // A Buffer body is a document (an invoice PDF) sent as is, with the content type its route sets.
  const text = Buffer.isBuffer(response.body)
    ? response.body
    : response.body === undefined
      ? ''
      : JSON.stringify(response.body);
  const headers: Record<string, string | number> = { ...extraHeaders, ...response.headers };
  if (text && !Buffer.isBuffer(text)) headers['content-type'] = 'application/json; charset=utf-8';
  headers['content-length'] = Buffer.byteLength(text);
  res.writeHead(response.status, headers);
  res.end(text);
}

/** A Partner Center link (URIs relative to /v1). */
export function link(
  uri: string,
  method = 'GET',
  headers: Array<{ key: string; value: string }> = [],
): { uri: string; method: string; headers: Array<{ key: string; value: string }> } {
  return { uri, method, headers };
}

export function collection(
  items: unknown[],
  self: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    totalCount: items.length,
    items,
    links: { self: link(self) },
    attributes: { objectType: 'Collection' },
    ...extra,
  };
}
