import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { authenticate } from './bearer-check';
import { sleep } from './clock';
import { watchSubscriptionChanges } from './change-events';
import { handleControlRequest } from './control-routes';
import { handleEventControl } from './event-delivery';
import { agreementRoutes } from './routes/agreements';
import { cotermRoutes } from './coterm';
import { ApiError, throttledBody } from './errors';
import type { FaultRule } from './faults';
import { header, readRawBody, writeJson, type ApiResponse } from './http';
import { remember, replayKey, storedResponse, type ReplayStore } from './request-replay';
import { settle } from './settle';
import { compileRoutes, type ApiContext, type Route } from './router';
import { billingRoutes } from './routes/billing';
import { cartRoutes } from './routes/carts';
import { catalogRoutes } from './routes/catalog';
import { customerRoutes } from './routes/customers';
import { customerOnboardingRoutes } from './routes/customers-onboarding';
import { orderRoutes } from './routes/orders';
import { promotionRoutes } from './promotions';
import { subscriptionRoutes } from './routes/subscriptions';
import { isGraphRequest, serveGraph } from './routes/graph';
import { isPricingRequest, servePricing } from './routes/pricing';
import type { ServerDeps } from './server-deps';
import { isWebhookRequest, serveWebhooks } from './webhook-routes';

/** The http server: /v1 (Partner Center) and /_sandbox (control). Every /v1 request goes through
 * faults → bearer check → throttling → MS-RequestId replay → route; nothing a client sends can
 * crash it (unexpected errors become a 500 PartnerFD body). */

const matchRoute = compileRoutes([
  ...agreementRoutes,
  ...promotionRoutes,
  // Before the subscription routes: `customTermEndDates` is not a subscription id.
  ...cotermRoutes,
  ...customerRoutes,
  ...customerOnboardingRoutes,
  ...catalogRoutes,
  ...cartRoutes,
  ...orderRoutes,
  ...subscriptionRoutes,
  ...billingRoutes,
]);

export function createApiServer(deps: ServerDeps): Server {
  const replay: ReplayStore = new Map();
  return createServer((req, res) => {
    handle(deps, replay, req, res).catch(() => res.destroy());
  });
}

async function handle(deps: ServerDeps, replay: ReplayStore, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://sandbox.invalid');
  const method = (req.method ?? 'GET').toUpperCase();
  const respond = responder(deps, req, res);
  try {
    if (isGraphRequest(url.pathname)) return await serveGraph(deps, req, res);
    watchSubscriptionChanges(deps);
    if (isWebhookRequest(url.pathname)) return respond(await serveWebhooks(deps, req, method, url));
    if (isPricingRequest(url.pathname)) return respond(servePricing(deps, req, method, url));
    if (url.pathname.startsWith('/_sandbox/partner-center-events/')) {
      return respond(await handleEventControl(deps, method, url.pathname, await readRawBody(req)));
    }
    if (url.pathname.startsWith('/_sandbox/')) {
      const rawBody = await readRawBody(req);
      return respond(await handleControlRequest(deps, method, url, rawBody, replay));
    }
    const response = await serveApi(deps, replay, req, method, url);
    if (response) respond(response);
  } catch (error) {
    respond(errorResponse(deps, error));
  } finally {
    // After the answer is written: a subscription it changed raises its event (change-events.ts).
    watchSubscriptionChanges(deps);
  }
}

/** Writes a response with the headers Partner Center echoes or stamps on every answer. */
function responder(deps: ServerDeps, req: IncomingMessage, res: ServerResponse): (response: ApiResponse) => void {
  const requestId = header(req.headers, 'ms-requestid') ?? randomUUID();
  const correlationId = header(req.headers, 'ms-correlationid') ?? randomUUID();
  const echo = {
    'MS-RequestId': requestId,
    'MS-CorrelationId': correlationId,
    'MS-CV': `${correlationId.slice(0, 8)}.0`,
    'MS-ServerId': 'pcw-sandbox',
    'X-Locale': header(req.headers, 'x-locale') ?? 'en-US',
  };
  // `Date` on the sandbox clock, as Partner Center's own clock stamps its responses and resources.
  return (response) => writeJson(res, response, { ...echo, Date: new Date(deps.runtime.clock.now()).toUTCString() });
}

/** A /v1 request through the pipeline; undefined when a fault dropped the connection instead of answering. */
async function serveApi(
  deps: ServerDeps,
  replay: ReplayStore,
  req: IncomingMessage,
  method: string,
  url: URL,
): Promise<ApiResponse | undefined> {
  const { runtime } = deps;
  settle(runtime.world, runtime.clock.now(), runtime.delays);
  const match = routeOf(deps, method, url.pathname);
  const fault = deps.faults.take(method, url.pathname);
  if (fault?.kind === 'latency') await sleep(fault.latencyMs ?? 1000);
  if (fault?.kind === 'reset') return dropConnection(req);
  if (fault?.kind === 'status') throw injectedError(fault);
  if (fault?.kind === 'throttle') return tooManyRequests(fault.retryAfterSeconds ?? 1);

  const rawBody = await readRawBody(req);
  const token = authenticate(deps, req, match.route.appUserOnly === true);
  const partner = deps.partners.find((p) => p.tenantId === token.tid)!;
  const now = runtime.clock.now();
  if (match.route.throttled) {
    const wait = deps.throttle.take(partner.tenantId, match.params.customerId?.toLowerCase(), now);
    if (wait !== undefined) return tooManyRequests(wait);
  }
  const ctx: ApiContext = {
    method,
    path: url.pathname,
    url,
    headers: req.headers,
    rawBody,
    params: match.params,
    now,
    runtime,
    partner,
    token,
  };
  const response = await replayOrHandle(deps, replay, match.route, ctx);
  if (fault?.kind === 'commit-then-drop') {
    // The change is committed; the client never hears about it (after `latencyMs`: a call still in flight).
    if (fault.latencyMs !== undefined) await sleep(fault.latencyMs);
    return dropConnection(req);
  }
  return response;
}

/** The route of a /v1 request (404 or 405 otherwise), counted per method and template. */
function routeOf(deps: ServerDeps, method: string, path: string): { route: Route; params: Record<string, string> } {
  const match = matchRoute(method, path);
  if (!match) throw new ApiError(404, 0, `The resource ${path} was not found.`);
  if ('methodNotAllowed' in match) throw new ApiError(405, 0, `The method ${method} is not allowed on ${path}.`);
  const { counters } = deps.runtime.world;
  const counterKey = `${method} ${match.route.template}`;
  counters.requests[counterKey] = (counters.requests[counterKey] ?? 0) + 1;
  return match;
}

/** The stored response of a repeated MS-RequestId, or the route's answer (stored when it succeeded). */
async function replayOrHandle(
  deps: ServerDeps,
  replay: ReplayStore,
  route: Route,
  ctx: ApiContext,
): Promise<ApiResponse> {
  const key =
    route.replayable === false
      ? undefined
      : replayKey(
          {
            tenantId: ctx.partner.tenantId,
            requestId: header(ctx.headers, 'ms-requestid'),
            method: ctx.method,
            path: ctx.path,
          },
          deps.runtime.policy.requestIdReplay,
        );
  const stored = storedResponse(replay, key, ctx.now);
  if (stored) {
    deps.runtime.world.counters.replayedRequests += 1;
    return stored;
  }
  const response = await route.handle(ctx);
  if (key && response.status < 300) remember(replay, key, { at: ctx.now, response });
  deps.onChange?.();
  return response;
}

function injectedError(fault: FaultRule): ApiError {
  const status = fault.status ?? 500;
  const code = typeof fault.code === 'number' ? fault.code : Number(fault.code ?? 0) || 0;
  const headers: Record<string, string> =
    fault.retryAfterSeconds !== undefined ? { 'Retry-After': String(fault.retryAfterSeconds) } : {};
  return new ApiError(status, code, fault.description ?? `Injected fault ${fault.id}.`, headers);
}

function tooManyRequests(retryAfterSeconds: number): ApiResponse {
  return { status: 429, body: throttledBody(retryAfterSeconds), headers: { 'Retry-After': String(retryAfterSeconds) } };
}

function dropConnection(req: IncomingMessage): undefined {
  req.socket.destroy();
  return undefined;
}

function errorResponse(deps: ServerDeps, error: unknown): ApiResponse {
  if (error instanceof ApiError) {
    // A refused checkout may still have changed state (reserved stock), so persist 4xx too.
    if (error.status >= 400 && error.status < 500) deps.onChange?.();
    return { status: error.status, body: error.body(), headers: error.headers };
  }
  return {
    status: 500,
    body: { code: 0, description: 'An unexpected error occurred in the sandbox.', data: [], source: 'PartnerFD' },
  };
}
