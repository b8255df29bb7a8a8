import type { AccessTokenClaims } from './access-token';
import type { SandboxClock } from './clock';
import type { ApiPolicy } from './api-policy';
import { notFound } from './errors';
import type { ApiResponse, RequestContext } from './http';
import type { Customer, Delays, Partner, World } from './state';
import type { AuditRecord } from './webhook-state';

/** Route table plumbing: templates like `/v1/customers/{customerId}/carts`, matched per segment
 * and case-insensitively; the template is also the key of the request counters. */

export interface SandboxRuntime {
  world: World;
  clock: SandboxClock;
  delays: Delays;
  policy: ApiPolicy;
  /** The activity log (activity-log.ts): every change the sandbox made since its start or last reset. */
  activityLog: AuditRecord[];
}

export interface ApiContext extends RequestContext {
  runtime: SandboxRuntime;
  partner: Partner;
  token: AccessTokenClaims;
}

/** What every route table entry has: a method and a path template; the control API's routes are matched the same way. */
export interface RouteTemplate {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  template: string;
}

export interface Route extends RouteTemplate {
  /** App+User-only operations refuse App-only tokens (partner-center-api.md §1.3). */
  appUserOnly?: boolean;
  /** Order/subscription/cart resources count against the per-partner and per-customer buckets. */
  throttled?: boolean;
  /** false: a repeated MS-RequestId runs the route again instead of answering the stored response (a create that is
   * not idempotent and whose answer carries a secret nobody may keep). */
  replayable?: boolean;
  handle(ctx: ApiContext): ApiResponse | Promise<ApiResponse>;
}

interface CompiledRoute<R> {
  route: R;
  segments: string[];
}

export type RouteMatch<R> = { route: R; params: Record<string, string> } | { methodNotAllowed: true } | undefined;

export function compileRoutes<R extends RouteTemplate>(routes: R[]): (method: string, path: string) => RouteMatch<R> {
  const compiled: CompiledRoute<R>[] = routes.map((route) => ({
    route,
    segments: route.template.split('/').filter(Boolean),
  }));
  return (method, path) => {
    const segments = path.split('/').filter(Boolean).map(safeDecode);
    let pathMatched = false;
    for (const candidate of compiled) {
      const params = matchSegments(candidate.segments, segments);
      if (!params) continue;
      pathMatched = true;
      if (candidate.route.method === method) return { route: candidate.route, params };
    }
    return pathMatched ? { methodNotAllowed: true } : undefined;
  };
}

function matchSegments(template: string[], actual: string[]): Record<string, string> | undefined {
  if (template.length !== actual.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < template.length; i += 1) {
    const t = template[i];
    if (t.startsWith('{') && t.endsWith('}')) params[t.slice(1, -1)] = actual[i];
    else if (t.toLowerCase() !== actual[i].toLowerCase()) return undefined;
  }
  return params;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The customer in the path, if it belongs to the calling partner; another partner's customer is
 * indistinguishable from one that does not exist. */
export function customerOf(ctx: ApiContext): Customer {
  const customer = ctx.runtime.world.customers.get(ctx.params.customerId?.toLowerCase() ?? '');
  if (!customer || customer.partnerTenantId !== ctx.partner.tenantId) {
    throw notFound(600001, `Customer ${ctx.params.customerId ?? ''} was not found for this partner.`);
  }
  return customer;
}
