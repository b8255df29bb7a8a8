/**
 * One HTTP exchange with Partner Center: Node's fetch to `{baseUrl}/v1`, our headers (MS-RequestId,
 * MS-CorrelationId, the application's name), a per-request timeout combined with the caller's AbortSignal, and
 * the answer's body read. No answer at all is classified here (timeout or network); what an answer means is
 * send's business (send.ts).
 */
import { PartnerCenterNetworkError, PartnerCenterTimeoutError, type PartnerCenterError } from '../errors';
import type { PartnerCenterLogger, TokenProvider } from '../types';

export interface PartnerCenterCall {
  method: string;
  /** The path template from the host's root, e.g. `/v1/customers/{customerId}/carts/{cartId}/checkout`. */
  route: string;
  /** HTTP status, or the kind of failure when no answer came. */
  outcome: string;
  durationMs: number;
  /** When the exchange began (epoch ms). */
  startedAt: number;
  /** The answer's request id and the header it came in (Partner Center's `ms-requestid`, Graph's `request-id`). */
  responseRequestId?: { header: string; value: string };
}

/** What every call of one client shares (createPartnerCenterClient's options, defaults applied). */
export interface PartnerCenterConnection {
  /** API root with `/v1`, no trailing slash. */
  apiRoot: string;
  /** Per request (headers and body). */
  timeoutMs: number;
  fetch: typeof fetch;
  tokens: TokenProvider;
  logger?: PartnerCenterLogger;
  /** Told of every HTTP exchange (metrics); `route` is the path template, so its cardinality stays small. */
  onCall?: (call: PartnerCenterCall) => void;
}

type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
type Query = Record<string, string | number | undefined>;

export interface HttpRequest {
  method: Method;
  /** Relative to /v1, may already carry a query string (next-page links). */
  path: string;
  query?: Query;
  body?: unknown;
  headers?: Record<string, string>;
  /** A document (a PDF): a successful body is kept as bytes, not parsed. */
  binary?: boolean;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  body: unknown;
  requestId: string;
}

/** The ids of one logical call: the same on its every exchange. */
export interface CallIds {
  requestId: string;
  correlationId: string;
}

const APPLICATION_NAME = 'partner-center-worker';

/**
 * `/customers/1f…/carts/9c…/checkout` → `/customers/{customerId}/carts/{cartId}/checkout`: a route's own words are
 * letters only; anything else (an id, a domain, a user's name with its `@`) becomes a placeholder named after the
 * collection before it, so no customer's or person's id reaches a metric label or a span.
 */
export function routeTemplate(path: string): string {
  const parts = path.split('?')[0].split('/');
  return parts
    .map((part, i) => (part === '' || /^[A-Za-z$]+$/.test(part) ? part : placeholder(parts[i - 1])))
    .join('/');
}

function placeholder(collection: string | undefined): string {
  if (collection === undefined || !/^[A-Za-z]+s$/.test(collection)) return '{id}';
  return `{${collection.replace(/ies$/, 'y').replace(/s$/, '')}Id}`;
}

/** `POST /customers/1f…/carts`: the route as errors and logs name it (ids kept, query left out). */
export function routeOf(request: HttpRequest): string {
  return `${request.method} ${request.path.split('?')[0]}`;
}

/** The route template from the host's root: `/v1/customers/{customerId}/carts`. */
function templateOf(connection: PartnerCenterConnection, request: HttpRequest): string {
  const relative = routeTemplate(request.path);
  return `${new URL(connection.apiRoot).pathname}${relative.startsWith('/') ? '' : '/'}${relative}`;
}

/** The request id an answer carries in `header`, for PartnerCenterCall. */
export function requestIdOf(headers: Headers, header: string): PartnerCenterCall['responseRequestId'] {
  const value = headers.get(header);
  return value === null ? undefined : { header, value };
}

/** A path segment from a value (an id): escaped. */
export const pathSegment = (value: string) => encodeURIComponent(value);

/** One request and its answer, whatever its status; no answer throws a timeout or network error. */
export async function exchange(
  connection: PartnerCenterConnection,
  request: HttpRequest,
  ids: CallIds,
  token: string,
  signal?: AbortSignal,
): Promise<HttpResponse> {
  const { fetch: fetchImpl, timeoutMs } = connection;
  const timeout = AbortSignal.timeout(timeoutMs);
  const combined = signal ? AbortSignal.any([timeout, signal]) : timeout;
  const headers = requestHeaders(request, ids, token);
  const body = requestBody(request);
  const started = Date.now();
  try {
    const url = urlFor(connection.apiRoot, request);
    const response = await fetchImpl(url, { method: request.method, headers, body, signal: combined });
    const parsedBody =
      request.binary === true && response.ok
        ? Buffer.from(await response.arrayBuffer())
        : parseJson(await response.text());
    reportAnswer(connection, request, ids, { status: response.status, started, headers: response.headers });
    return { status: response.status, headers: response.headers, body: parsedBody, requestId: ids.requestId };
  } catch (error) {
    if (signal?.aborted) throw signal.reason ?? error;
    throw reportNoAnswer(connection, request, ids, { error, timedOut: timeout.aborted, started });
  }
}

function urlFor(apiRoot: string, request: HttpRequest): string {
  const url = new URL(`${apiRoot}${request.path.startsWith('/') ? '' : '/'}${request.path}`);
  for (const [key, value] of Object.entries(request.query ?? {})) {
    if (value !== undefined) url.searchParams.set(key, String(value));
  }
  return url.toString();
}

function requestHeaders(request: HttpRequest, ids: CallIds, token: string): Record<string, string> {
  const headers: Record<string, string> = {
    Accept: 'application/json',
    Authorization: `Bearer ${token}`,
    'MS-RequestId': ids.requestId,
    'MS-CorrelationId': ids.correlationId,
    'MS-PartnerCenter-Application': APPLICATION_NAME,
  };
  // Extra headers (If-Match, next-page link headers from the server) may add but never replace ours.
  const ours = new Set(Object.keys(headers).map((key) => key.toLowerCase()));
  for (const [key, value] of Object.entries(request.headers ?? {})) {
    if (!ours.has(key.toLowerCase())) headers[key] = value;
  }
  if (request.body !== undefined) headers['Content-Type'] = 'application/json';
  return headers;
}

function requestBody(request: HttpRequest): string | undefined {
  if (request.body !== undefined) return JSON.stringify(request.body);
  return request.method !== 'GET' && request.method !== 'HEAD' ? '' : undefined;
}

function reportAnswer(
  connection: PartnerCenterConnection,
  request: HttpRequest,
  ids: CallIds,
  { status, started, headers }: { status: number; started: number; headers: Headers },
): void {
  connection.onCall?.({
    method: request.method,
    route: templateOf(connection, request),
    outcome: String(status),
    durationMs: Date.now() - started,
    startedAt: started,
    responseRequestId: requestIdOf(headers, 'ms-requestid'),
  });
  connection.logger?.debug('Partner Center call', {
    route: routeOf(request),
    status,
    durationMs: Date.now() - started,
    requestId: ids.requestId,
    correlationId: ids.correlationId,
  });
}

/** The timeout or network error of an exchange that got no answer, logged and told to onCall. */
function reportNoAnswer(
  connection: PartnerCenterConnection,
  request: HttpRequest,
  ids: CallIds,
  { error, timedOut, started }: { error: unknown; timedOut: boolean; started: number },
): PartnerCenterError {
  const route = routeOf(request);
  const details = { requestId: ids.requestId, correlationId: ids.correlationId, cause: error };
  const failure = timedOut
    ? new PartnerCenterTimeoutError({
        ...details,
        description: `No answer to ${route} within ${connection.timeoutMs} ms`,
      })
    : new PartnerCenterNetworkError({
        ...details,
        description: `Could not reach Partner Center for ${route}: ${networkReason(error)}`,
      });
  connection.logger?.warn('Partner Center call failed', {
    route,
    kind: failure.kind,
    requestId: ids.requestId,
    correlationId: ids.correlationId,
  });
  connection.onCall?.({
    method: request.method,
    route: templateOf(connection, request),
    outcome: failure.kind,
    durationMs: Date.now() - started,
    startedAt: started,
  });
  return failure;
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function networkReason(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    return code ? `${code} (${cause.message})` : cause.message;
  }
  return 'unknown network failure';
}
