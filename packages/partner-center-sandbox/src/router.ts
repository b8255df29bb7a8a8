import type { AccessTokenClaims } from './authority';
import type { SandboxClock } from './clock';
import type { ApiPolicy } from './control';
import { notFound } from './errors';
import type { ApiResponse, RequestContext } from './http';
import type { Customer, Delays, Partner, World } from './state';

/** Route table plumbing: templates like `/v1/customers/{customerId}/carts`, matched per segment
 * and case-insensitively; the template is also the key of the request counters. */

export interface SandboxRuntime {
  world: World;
  clock: SandboxClock;
  delays: Delays;
  policy: ApiPolicy;
}

export interface ApiContext extends RequestContext {
  runtime: SandboxRuntime;
  partner: Partner;
  token: AccessTokenClaims;
}

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  template: string;
  /** App+User-only operations refuse App-only tokens (partner-center-api.md §1.3). */
  appUserOnly?: boolean;
  /** Order/subscription/cart resources count against the per-partner and per-customer buckets. */
  throttled?: boolean;
  handle(ctx: ApiContext): ApiResponse | Promise<ApiResponse>;
}

interface CompiledRoute {
  route: Route;
  segments: string[];
}

export type RouteMatch = { route: Route; params: Record<string, string> } | { methodNotAllowed: true } | undefined;

export function compileRoutes(routes: Route[]): (method: string, path: string) => RouteMatch {
  const compiled: CompiledRoute[] = routes.map((route) => ({
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
