import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { TokenAuthority } from './authority';
import { billInvoice, recordCharge, seedInvoices } from './billing';
import { billingCyclesFor, catalogItemId, COUNTRIES, unitPrice } from './catalog';
import { sleep } from './clock';
import { apiPolicySchema, type ApiPolicy } from './api-policy';
import {
  advanceSchema,
  authorityPolicySchema,
  chargeSchema,
  delaysSchema,
  invoiceSchema,
  mintTokenSchema,
  provisioningSchema,
  resetSchema,
  rotateSchema,
  seedSubscriptionSchema,
  throttlingSchema,
} from './control';
import { agreementRoutes } from './routes/agreements';
import { cotermRoutes } from './coterm';
import { ApiError, throttledBody } from './errors';
import { faultInputSchema, type Faults } from './faults';
import { graphPolicySchema, type GraphStore } from './graph';
import { header, jsonBody, parseWith, readRawBody, writeJson, type ApiResponse, type RequestContext } from './http';
import { createOrderedSubscription } from './lifecycle';
import { settle } from './settle';
import { compileRoutes, type ApiContext, type RouteTemplate, type SandboxRuntime } from './router';
import { billingRoutes } from './routes/billing';
import { cartRoutes } from './routes/carts';
import { catalogRoutes } from './routes/catalog';
import { customerRoutes } from './routes/customers';
import { orderRoutes } from './routes/orders';
import { promotionRoutes } from './promotions';
import { subscriptionRoutes } from './routes/subscriptions';
import { isGraphRequest, serveGraph } from './routes/graph';
import type { Delays, Partner } from './state';
import { createWorld } from './world';
import type { Throttle } from './throttle';

/** The http server: /v1 (Partner Center) and /_sandbox (control). Every /v1 request goes through
 * faults → bearer check → throttling → MS-RequestId replay → route; nothing a client sends can
 * crash it (unexpected errors become a 500 PartnerFD body). */

const matchRoute = compileRoutes([
  ...agreementRoutes,
  ...promotionRoutes,
  // Before the subscription routes: `customTermEndDates` is not a subscription id.
  ...cotermRoutes,
  ...customerRoutes,
  ...catalogRoutes,
  ...cartRoutes,
  ...orderRoutes,
  ...subscriptionRoutes,
  ...billingRoutes,
]);

export interface ServerDeps {
  runtime: SandboxRuntime;
  authority: TokenAuthority;
  faults: Faults;
  throttle: Throttle;
  /** The Microsoft Graph billing host's export operations and blob store (routes/graph.ts). */
  graph: GraphStore;
  partners: Partner[];
  customerIds: Record<string, string[]>;
  initialDelays: Delays;
  initialPolicy: ApiPolicy;
  /** Called after a request that may have changed state (persistence). */
  onChange?: () => void;
}

interface ReplayEntry {
  at: number;
  response: ApiResponse;
}

const REPLAY_WINDOW_MS = 24 * 3_600_000;

export function resetWorld(deps: ServerDeps, seed: number): void {
  const { runtime } = deps;
  runtime.clock.reset();
  runtime.world = createWorld(seed, deps.partners, deps.customerIds);
  seedInvoices(runtime.world, runtime.clock.now());
  Object.assign(runtime.delays, deps.initialDelays);
  Object.assign(runtime.policy, deps.initialPolicy);
  deps.faults.clear();
  deps.throttle.reset();
  deps.authority.reset();
  deps.graph.reset();
}

export function createApiServer(deps: ServerDeps): Server {
  const replay = new Map<string, ReplayEntry>();

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://sandbox.invalid');
    const method = (req.method ?? 'GET').toUpperCase();
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
    const respond = (response: ApiResponse) =>
      writeJson(res, response, { ...echo, Date: new Date(deps.runtime.clock.now()).toUTCString() });
    try {
      if (isGraphRequest(url.pathname)) return await serveGraph(deps, req, res);
      if (url.pathname.startsWith('/_sandbox/')) {
        const rawBody = await readRawBody(req);
        return respond(control(deps, method, url, rawBody, replay));
      }
      const { runtime } = deps;
      settle(runtime.world, runtime.clock.now(), runtime.delays);
      const match = matchRoute(method, url.pathname);
      if (!match) throw new ApiError(404, 0, `The resource ${url.pathname} was not found.`);
      if ('methodNotAllowed' in match)
        throw new ApiError(405, 0, `The method ${method} is not allowed on ${url.pathname}.`);
      const counterKey = `${method} ${match.route.template}`;
      runtime.world.counters.requests[counterKey] = (runtime.world.counters.requests[counterKey] ?? 0) + 1;

      const fault = deps.faults.take(method, url.pathname);
      if (fault?.kind === 'latency') await sleep(fault.latencyMs ?? 1000);
      if (fault?.kind === 'reset') {
        req.socket.destroy();
        return;
      }
      if (fault?.kind === 'status') {
        const status = fault.status ?? 500;
        const code = typeof fault.code === 'number' ? fault.code : Number(fault.code ?? 0) || 0;
        const headers: Record<string, string> =
          fault.retryAfterSeconds !== undefined ? { 'Retry-After': String(fault.retryAfterSeconds) } : {};
        throw new ApiError(status, code, fault.description ?? `Injected fault ${fault.id}.`, headers);
      }
      if (fault?.kind === 'throttle') {
        const seconds = fault.retryAfterSeconds ?? 1;
        return respond({ status: 429, body: throttledBody(seconds), headers: { 'Retry-After': String(seconds) } });
      }

      const rawBody = await readRawBody(req);
      const token = authenticate(deps, req, match.route.appUserOnly === true);
      const partner = deps.partners.find((p) => p.tenantId === token.tid)!;
      const now = runtime.clock.now();
      if (match.route.throttled) {
        const wait = deps.throttle.take(partner.tenantId, match.params.customerId?.toLowerCase(), now);
        if (wait !== undefined)
          return respond({ status: 429, body: throttledBody(wait), headers: { 'Retry-After': String(wait) } });
      }
      const replayKey =
        runtime.policy.requestIdReplay && method !== 'GET' && header(req.headers, 'ms-requestid')
          ? `${partner.tenantId}|${requestId}|${method} ${url.pathname.toLowerCase()}`
          : undefined;
      const replayed = replayKey ? replay.get(replayKey) : undefined;
      let response: ApiResponse;
      if (replayed && now - replayed.at < REPLAY_WINDOW_MS) {
        runtime.world.counters.replayedRequests += 1;
        response = replayed.response;
      } else {
        const ctx: ApiContext = {
          ...requestContext(method, url, req, rawBody, match.params, now),
          runtime,
          partner,
          token,
        };
        response = await match.route.handle(ctx);
        if (replayKey && response.status < 300) remember(replay, replayKey, { at: now, response });
        deps.onChange?.();
      }
      if (fault?.kind === 'commit-then-drop') {
        // The change is committed; the client never hears about it.
        req.socket.destroy();
        return;
      }
      respond(response);
    } catch (error) {
      if (error instanceof ApiError) {
        // A refused checkout may still have changed state (reserved stock), so persist 4xx too.
        if (error.status >= 400 && error.status < 500) deps.onChange?.();
        return respond({ status: error.status, body: error.body(), headers: error.headers });
      }
      respond({
        status: 500,
        body: { code: 0, description: 'An unexpected error occurred in the sandbox.', data: [], source: 'PartnerFD' },
      });
    }
  };

  return createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
}

/** Stores a replayable response and forgets those past the window (the Map keeps insertion order,
 * which is time order: the sandbox clock only moves forward between resets). */
function remember(replay: Map<string, ReplayEntry>, key: string, entry: ReplayEntry): void {
  for (const [oldKey, old] of replay) {
    if (entry.at - old.at < REPLAY_WINDOW_MS) break;
    replay.delete(oldKey);
  }
  replay.set(key, entry);
}

function requestContext(
  method: string,
  url: URL,
  req: IncomingMessage,
  rawBody: string,
  params: Record<string, string>,
  now: number,
): RequestContext {
  return { method, path: url.pathname, url, headers: req.headers, rawBody, params, now };
}

/** Partner Center's 401 codes for an App+User token without the MFA claim and for the retired audience (partner-center-2026.md). */
const MFA_REQUIRED_CODE = 900421;
const RETIRED_AUDIENCE_CODE = 900420;

function unauthorized(description: string, error = 'invalid_token', code = 0): ApiError {
  return new ApiError(401, code, `Unauthorized: ${description}`, {
    'WWW-Authenticate': `Bearer realm="urn:cpsvc:cpid:pcw-sandbox", error="${error}", error_description="${description}"`,
  });
}

function authenticate(deps: ServerDeps, req: IncomingMessage, appUserOnly: boolean): ApiContext['token'] {
  const authorization = header(req.headers, 'authorization');
  if (!authorization) throw unauthorized('The Authorization header is missing.', 'invalid_request');
  const match = /^Bearer\s+(\S+)$/i.exec(authorization);
  if (!match) throw unauthorized('The Authorization header must be "Bearer <token>".', 'invalid_request');
  const check = deps.authority.verify(match[1]);
  if (!check.ok)
    throw unauthorized(
      check.description,
      'invalid_token',
      check.reason === 'retired-audience' ? RETIRED_AUDIENCE_CODE : 0,
    );
  const claims = check.claims;
  if (!deps.partners.some((p) => p.tenantId === claims.tid))
    throw unauthorized('The token tenant is not a Partner Center partner tenant.');
  // Enforced for every App+User call since April 2026; App-only tokens are not subject to it.
  if (claims.idtyp === 'user' && !claims.amr?.includes('mfa')) {
    throw unauthorized(
      'MFA required: the App+User token has no mfa claim in amr. Sign in with multi-factor authentication.',
      'invalid_token',
      MFA_REQUIRED_CODE,
    );
  }
  if (appUserOnly && claims.idtyp !== 'user') {
    throw new ApiError(
      403,
      0,
      'This operation requires an App+User (delegated) token; App-only tokens are not accepted.',
    );
  }
  return claims;
}

interface ControlContext {
  deps: ServerDeps;
  /** The request body as JSON (`{}` when empty). */
  body(): unknown;
  params: Record<string, string>;
  replay: Map<string, ReplayEntry>;
}

interface ControlRoute extends RouteTemplate {
  handle(ctx: ControlContext): ApiResponse;
}

/** The /_sandbox/ control API, one table like the /v1 routes. */
const controlRoutes: ControlRoute[] = [
  {
    method: 'POST',
    template: '/_sandbox/reset',
    handle: ({ deps, body, replay }) => {
      const { seed } = parseWith(resetSchema, body());
      replay.clear();
      resetWorld(deps, seed ?? deps.runtime.world.seed);
      deps.onChange?.();
      return { status: 200, body: { seed: deps.runtime.world.seed } };
    },
  },
  {
    method: 'GET',
    template: '/_sandbox/clock',
    handle: ({ deps }) => ({ status: 200, body: { now: deps.runtime.clock.now() } }),
  },
  {
    method: 'POST',
    template: '/_sandbox/clock/advance',
    handle: ({ deps, body }) => {
      const { runtime } = deps;
      const now = runtime.clock.advance(parseWith(advanceSchema, body()).ms);
      settle(runtime.world, now, runtime.delays);
      deps.onChange?.();
      return { status: 200, body: { now } };
    },
  },
  {
    method: 'PUT',
    template: '/_sandbox/delays',
    handle: ({ deps, body }) => {
      const { delays } = deps.runtime;
      for (const [key, value] of Object.entries(parseWith(delaysSchema, body())))
        if (value !== undefined) delays[key as keyof Delays] = value;
      return { status: 200, body: delays };
    },
  },
  {
    method: 'POST',
    template: '/_sandbox/faults',
    handle: ({ deps, body }) => ({ status: 201, body: { id: deps.faults.add(parseWith(faultInputSchema, body())) } }),
  },
  {
    method: 'DELETE',
    template: '/_sandbox/faults',
    handle: ({ deps }) => {
      deps.faults.clear();
      return { status: 204 };
    },
  },
  {
    method: 'GET',
    template: '/_sandbox/counters',
    handle: ({ deps }) => {
      const { counters } = deps.runtime.world;
      return {
        status: 200,
        body: {
          requests: counters.requests,
          ordersPerCart: counters.ordersPerCart,
          tokens: { ...deps.authority.counters },
          replayedRequests: counters.replayedRequests,
          agreementsPerCustomer: countBy(deps.runtime.world.agreements.map((a) => a.customerId)),
        },
      };
    },
  },
  {
    method: 'DELETE',
    template: '/_sandbox/customers/{customerId}/agreements',
    handle: ({ deps, params }) => {
      const { world } = deps.runtime;
      const customerId = params.customerId.toLowerCase();
      if (!world.customers.has(customerId))
        throw new ApiError(404, 600001, `Customer ${params.customerId} was not found.`);
      const before = world.agreements.length;
      world.agreements = world.agreements.filter((a) => a.customerId !== customerId);
      deps.onChange?.();
      return { status: 200, body: { removed: before - world.agreements.length } };
    },
  },
  {
    method: 'POST',
    template: '/_sandbox/catalog/rotate-availability',
    handle: ({ deps, body }) => {
      const { productId, skuId, availabilityId } = parseWith(rotateSchema, body());
      const { catalog } = deps.runtime.world;
      const availability = catalog.findAvailability(productId, skuId, availabilityId);
      if (!availability)
        throw new ApiError(404, 400019, `Availability ${productId}:${skuId}:${availabilityId} was not found.`);
      const oldCatalogItemId = catalogItemId(availability);
      catalog.rotate(productId, skuId, availabilityId);
      deps.onChange?.();
      return { status: 200, body: { oldCatalogItemId, newCatalogItemId: catalogItemId(availability) } };
    },
  },
  {
    method: 'PUT',
    template: '/_sandbox/throttling',
    handle: ({ deps, body }) => {
      deps.throttle.reset(parseWith(throttlingSchema, body()));
      return { status: 200, body: deps.throttle.limits };
    },
  },
  {
    method: 'POST',
    template: '/_sandbox/billing/charges',
    handle: ({ deps, body }) => {
      const { world, clock } = deps.runtime;
      const charge = parseWith(chargeSchema, body());
      const subscription = world.subscriptions.get(charge.subscriptionId.toLowerCase());
      if (!subscription) throw new ApiError(404, 800002, `Subscription ${charge.subscriptionId} was not found.`);
      const billedTo = charge.customerId?.toLowerCase() ?? subscription.customerId;
      if (!world.customers.has(billedTo))
        throw new ApiError(404, 600001, `Customer ${charge.customerId} was not found.`);
      recordCharge(world, { ...subscription, customerId: billedTo }, charge.chargeType, charge.quantity, clock.now());
      deps.onChange?.();
      return { status: 201, body: { subscriptionId: subscription.id, customerId: billedTo } };
    },
  },
  {
    method: 'DELETE',
    template: '/_sandbox/billing/charges/{subscriptionId}',
    handle: ({ deps, params }) => {
      const { world } = deps.runtime;
      const subscriptionId = params.subscriptionId.toLowerCase();
      const before = world.recon.length;
      world.recon = world.recon.filter((line) => String(line.item.subscriptionId).toLowerCase() !== subscriptionId);
      deps.onChange?.();
      return { status: 200, body: { removed: before - world.recon.length } };
    },
  },
  {
    method: 'PUT',
    template: '/_sandbox/graph',
    handle: ({ deps, body }) => {
      const { failExports, ...policy } = parseWith(graphPolicySchema, body());
      assignDefined(deps.graph.policy, policy);
      if (failExports !== undefined) deps.graph.policy.failExports = { ...failExports };
      return { status: 200, body: deps.graph.policy };
    },
  },
  {
    method: 'POST',
    template: '/_sandbox/billing/invoices',
    handle: ({ deps, body }) => {
      const { world, clock } = deps.runtime;
      const invoice = billInvoice(world, deps.partners[0].tenantId, clock.now(), parseWith(invoiceSchema, body()));
      deps.onChange?.();
      return { status: 201, body: { id: invoice.id, lines: invoice.generatedLines ?? invoice.lines.length } };
    },
  },
  {
    method: 'POST',
    template: '/_sandbox/subscriptions',
    handle: ({ deps, body }) => {
      const { world, clock, delays } = deps.runtime;
      const input = parseWith(seedSubscriptionSchema, body());
      const customer = world.customers.get(input.customerId.toLowerCase());
      if (!customer) throw new ApiError(404, 600001, `Customer ${input.customerId} was not found.`);
      const availability = world.catalog
        .availabilitiesFor(input.productId, input.skuId, customer.country)
        .find((a) => input.termDuration === undefined || a.termDuration === input.termDuration);
      if (!availability)
        throw new ApiError(
          404,
          400019,
          `No availability of ${input.productId}:${input.skuId} for ${customer.country}.`,
        );
      const billingCycle = input.billingCycle ?? billingCyclesFor(availability.sku, availability.termDuration)[0];
      const s = createOrderedSubscription(world, clock.now(), delays, {
        customerId: customer.id,
        currencyCode: COUNTRIES[customer.country].currency,
        line: {
          offerId: catalogItemId(availability),
          quantity: input.quantity,
          termDuration: availability.termDuration,
          billingCycle,
          friendlyName: input.friendlyName ?? availability.sku.title,
          unitPrice: unitPrice(availability.sku, customer.country, availability.termDuration, billingCycle),
        },
      });
      deps.onChange?.();
      return { status: 201, body: { id: s.id, isTrial: s.isTrial } };
    },
  },
  {
    method: 'POST',
    template: '/_sandbox/subscriptions/{subscriptionId}/provisioning',
    handle: ({ deps, body, params }) => {
      const subscription = deps.runtime.world.subscriptions.get(params.subscriptionId.toLowerCase());
      if (!subscription) throw new ApiError(404, 800002, `Subscription ${params.subscriptionId} was not found.`);
      subscription.provisioning.forced = parseWith(provisioningSchema, body()).status;
      deps.onChange?.();
      return { status: 200, body: { id: subscription.id, status: subscription.provisioning.forced } };
    },
  },
  {
    method: 'PUT',
    template: '/_sandbox/authority',
    handle: ({ deps, body }) => ({
      status: 200,
      body: assignDefined(deps.authority.policy, parseWith(authorityPolicySchema, body())),
    }),
  },
  {
    method: 'PUT',
    template: '/_sandbox/api-policy',
    handle: ({ deps, body }) => ({
      status: 200,
      body: assignDefined(deps.runtime.policy, parseWith(apiPolicySchema, body())),
    }),
  },
  {
    method: 'POST',
    template: '/_sandbox/tokens',
    handle: ({ deps, body }) => {
      const options = parseWith(mintTokenSchema, body());
      const tenantId = options.tenantId ?? deps.partners[0].tenantId;
      return { status: 200, body: { accessToken: deps.authority.mint({ ...options, tenantId }) } };
    },
  },
];
const matchControlRoute = compileRoutes(controlRoutes);

function countBy(keys: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const key of keys) counts[key] = (counts[key] ?? 0) + 1;
  return counts;
}

/** Applies the fields a policy change gives (an absent one keeps its value) and returns the whole policy. */
function assignDefined<T extends object>(target: T, changes: Partial<T>): T {
  return Object.assign(target, Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined)));
}

function control(
  deps: ServerDeps,
  method: string,
  url: URL,
  rawBody: string,
  replay: Map<string, ReplayEntry>,
): ApiResponse {
  settle(deps.runtime.world, deps.runtime.clock.now(), deps.runtime.delays);
  const match = matchControlRoute(method, url.pathname);
  if (match === undefined || 'methodNotAllowed' in match) {
    throw new ApiError(404, 0, `Unknown control route ${method} ${url.pathname.replace(/\/+$/, '')}.`);
  }
  const body = () => (rawBody.trim() === '' ? {} : jsonBody(rawBody));
  return match.route.handle({ deps, body, params: match.params, replay });
}
