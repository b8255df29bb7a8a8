import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import { authenticate } from './bearer-check';
import { DAY_MS } from './clock';
import { deliverInBackground } from './event-delivery';
import { ApiError, badRequest, throttledBody } from './errors';
import { jsonBody, parseWith, queryValue, readRawBody, type ApiResponse, type RequestContext } from './http';
import { seekPage } from './paging';
import { compileRoutes, type RouteTemplate } from './router';
import type { ServerDeps } from './server-deps';
import { WEBHOOK_EVENT_NAMES, type AuditRecord, type EventState, type ValidationEvent } from './webhook-state';

/**
 * Partner Center's webhook registration API (`/webhooks/v1/registration…`) and its activity log
 * (`GET /v1/auditrecords`), behind the same bearer check as /v1 (partner-center-lifecycle.md).
 */

interface WebhookContext {
  deps: ServerDeps;
  state: EventState;
  partnerId: string;
  request: RequestContext;
}

interface WebhookRoute extends RouteTemplate {
  handle(ctx: WebhookContext): ApiResponse;
}

const VALIDATIONS_PER_MINUTE = 2;
const AUDIT_DAYS_MAX = 90;
const AUDIT_DAYS_DEFAULT = 30;
const AUDIT_PAGE_MAX = 500;

const registrationSchema = z.object({
  webhookUrl: z.url().refine(publicOrLoopbackHttps, 'must be an https URL (http only on a loopback host)'),
  webhookEvents: z
    .array(z.string().refine((name) => knownEvent(name) !== undefined, 'is not a Partner Center webhook event'))
    .min(1),
});

const routes: WebhookRoute[] = [
  {
    method: 'GET',
    template: '/webhooks/v1/registration/events',
    handle: () => ({ status: 200, body: [...WEBHOOK_EVENT_NAMES] }),
  },
  { method: 'GET', template: '/webhooks/v1/registration', handle: ({ state }) => registrationView(state) },
  { method: 'POST', template: '/webhooks/v1/registration', handle: (ctx) => register(ctx, 'create') },
  { method: 'PUT', template: '/webhooks/v1/registration', handle: (ctx) => register(ctx, 'update') },
  {
    method: 'DELETE',
    template: '/webhooks/v1/registration',
    handle: ({ state }) => {
      state.webhookUrl = undefined;
      state.partnerId = undefined;
      return { status: 204 };
    },
  },
  { method: 'POST', template: '/webhooks/v1/registration/validationEvents', handle: requestValidation },
  {
    method: 'GET',
    template: '/webhooks/v1/registration/validationEvents/{correlationId}',
    handle: ({ state, request }) => {
      const validation = state.validations.get(request.params.correlationId.toLowerCase());
      if (!validation) throw new ApiError(404, 0, `No validation event ${request.params.correlationId}.`);
      return { status: 200, body: validation };
    },
  },
  { method: 'GET', template: '/v1/auditrecords', handle: auditRecords },
];
const matchRoute = compileRoutes(routes);

export function isWebhookRequest(path: string): boolean {
  const lower = path.toLowerCase();
  return lower.startsWith('/webhooks/v1/') || lower.replace(/\/+$/, '') === '/v1/auditrecords';
}

export async function serveWebhooks(
  deps: ServerDeps,
  req: IncomingMessage,
  method: string,
  url: URL,
): Promise<ApiResponse> {
  const match = matchRoute(method, url.pathname);
  if (!match) throw new ApiError(404, 0, `The resource ${url.pathname} was not found.`);
  if ('methodNotAllowed' in match)
    throw new ApiError(405, 0, `The method ${method} is not allowed on ${url.pathname}.`);
  const rawBody = await readRawBody(req);
  const token = authenticate(deps, req, false);
  const now = deps.runtime.clock.now();
  const request: RequestContext = {
    method,
    path: url.pathname,
    url,
    headers: req.headers,
    rawBody,
    params: match.params,
    now,
  };
  return match.route.handle({ deps, state: deps.events, partnerId: token.tid, request });
}

function registrationView(state: EventState): ApiResponse {
  if (state.webhookUrl === undefined) throw new ApiError(404, 0, 'No webhook is registered.');
  return {
    status: 200,
    body: { SubscriberId: state.partnerId ?? '', WebhookUrl: state.webhookUrl, WebhookEvents: state.webhookEvents },
  };
}

function register(ctx: WebhookContext, kind: 'create' | 'update'): ApiResponse {
  const { state } = ctx;
  if (kind === 'create' && state.webhookUrl !== undefined)
    throw new ApiError(409, 0, 'A webhook is already registered: update it with PUT.');
  if (kind === 'update' && state.webhookUrl === undefined)
    throw new ApiError(404, 0, 'No webhook is registered: create one with POST.');
  const registration = parseWith(registrationSchema, jsonBody(ctx.request.rawBody));
  state.webhookUrl = registration.webhookUrl;
  state.webhookEvents = registration.webhookEvents.map((name) => knownEvent(name)!);
  state.partnerId = ctx.partnerId;
  return registrationView(state);
}

/** Sends a `test-created` event to the registered URL and keeps every attempt's result under its correlation id. */
function requestValidation({ deps, state, partnerId, request }: WebhookContext): ApiResponse {
  const url = state.webhookUrl;
  if (url === undefined) throw new ApiError(404, 0, 'No webhook is registered: create one with POST.');
  state.validationTimes = state.validationTimes.filter((at) => at > request.now - 60_000);
  if (state.validationTimes.length >= VALIDATIONS_PER_MINUTE) {
    const wait = Math.ceil((state.validationTimes[0] + 60_000 - request.now) / 1000);
    return { status: 429, body: throttledBody(wait), headers: { 'Retry-After': String(wait) } };
  }
  state.validationTimes.push(request.now);
  const correlationId = randomUUID();
  const validation: ValidationEvent = { correlationId, partnerId, status: 'pending', events: [] };
  state.validations.set(correlationId, validation);
  deliverInBackground(
    deps,
    url,
    { EventName: 'test-created', ResourceUri: '', ResourceName: '', AuditUri: '', ResourceChangeUtcDate: undefined },
    (attempt, last) => {
      validation.events.push(attempt);
      if (last) validation.status = attempt.responseCode >= 200 && attempt.responseCode < 300 ? 'completed' : 'failed';
    },
  );
  return { status: 200, body: { correlationId } };
}

/** The activity log between startDate (30 days back by default, 90 at most) and endDate (now), oldest first. */
function auditRecords({ deps, partnerId, request }: WebhookContext): ApiResponse {
  const { url, now } = request;
  const start = dateQuery(url, 'startDate') ?? now - AUDIT_DAYS_DEFAULT * DAY_MS;
  const end = dateQuery(url, 'endDate') ?? now;
  if (start < now - AUDIT_DAYS_MAX * DAY_MS)
    throw badRequest('startDate', `must be within the last ${AUDIT_DAYS_MAX} days`);
  if (end < start) throw badRequest('endDate', 'must not be before startDate');
  const filter = auditFilter(url);
  const items = deps.runtime.activityLog
    .filter((r) => r.partnerId === partnerId && r.at >= start && r.at <= end && filter(r))
    .map(({ at: _at, ...record }) => ({ ...record, attributes: { objectType: 'AuditRecord' } }));
  // The query as sent, not its defaults: a default moves with the clock, the continuation must not.
  const scope = [
    'auditrecords',
    partnerId,
    ...['startDate', 'endDate', 'filter'].map((q) => queryValue(url, q) ?? ''),
  ].join(':');
  return seekPage(request, AUDIT_PAGE_MAX, items, scope, (size) => {
    const next = new URLSearchParams(url.search);
    next.set('size', String(size));
    next.set('seekOperation', 'Next');
    return `/auditrecords?${next.toString()}`;
  });
}

function dateQuery(url: URL, name: string): number | undefined {
  const raw = queryValue(url, name);
  if (raw === undefined || raw.trim() === '') return undefined;
  const ms = Date.parse(raw);
  if (Number.isNaN(ms)) throw badRequest(name, 'is not a date');
  return ms;
}

const filterSchema = z.object({
  field: z.enum(['CustomerId', 'CustomerName', 'ResourceType', 'OperationType']),
  value: z.string(),
  operator: z.enum(['equals', 'substring']).default('equals'),
});

/** `filter={"Field":"ResourceType","Value":"subscription","Operator":"equals"}` (case-insensitive names and values). */
function auditFilter(url: URL): (record: AuditRecord) => boolean {
  const raw = queryValue(url, 'filter');
  if (raw === undefined || raw.trim() === '') return () => true;
  let parsed: unknown;
  try {
    parsed = jsonBody(raw);
  } catch {
    throw badRequest('filter', 'is not JSON');
  }
  const { field, value, operator } = parseWith(filterSchema, parsed, 'filter');
  const key = (field.charAt(0).toLowerCase() + field.slice(1)) as
    'customerId' | 'customerName' | 'resourceType' | 'operationType';
  const wanted = value.toLowerCase();
  return (record) => {
    const actual = record[key].toLowerCase();
    return operator === 'equals' ? actual === wanted : actual.includes(wanted);
  };
}

function knownEvent(name: string): string | undefined {
  return WEBHOOK_EVENT_NAMES.find((known) => known.toLowerCase() === name.toLowerCase());
}

function publicOrLoopbackHttps(raw: string): boolean {
  const url = new URL(raw);
  if (url.protocol === 'https:') return true;
  return url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
}
