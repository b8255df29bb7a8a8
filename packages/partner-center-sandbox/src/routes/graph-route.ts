import type { z } from 'zod';
import type { TokenAuthority } from '../authority';
import type { Faults, FaultRule } from '../faults';
import type { GraphStore } from '../graph';
import type { RouteTemplate, SandboxRuntime } from '../router';
import type { Customer, Partner } from '../state';

/**
 * What the Microsoft Graph host's route modules share: the route and context shapes, Graph's error, and the bearer
 * check of each kind of route — a partner's own (billing exports) or a customer's tenant (licences).
 */

export const GRAPH_RESOURCE = 'https://graph.microsoft.com';
export const BILLING_PERMISSION = 'PartnerBilling.Read.All';

export interface GraphDeps {
  runtime: SandboxRuntime;
  authority: TokenAuthority;
  partners: Partner[];
  graph: GraphStore;
  faults: Faults;
  /** Called after a request that changed state (persistence). */
  onChange?: () => void;
}

export interface GraphContext {
  deps: GraphDeps;
  /** The calling partner: the token's tenant, or the partner of the customer whose tenant the token is for. */
  partner: Partner;
  /** The customer whose tenant the token is for (routes with `tenant: 'customer'` only). */
  customer?: Customer;
  params: Record<string, string>;
  url: URL;
  body: () => unknown;
  origin: string;
}

export interface GraphRoute extends RouteTemplate {
  /** Whose token the route takes: the partner tenant's (default) or a customer tenant's (the data is that tenant's). */
  tenant?: 'customer';
  /** The partner's permission the route needs: PartnerBilling.Read.All (default, `billingPermission` policy) or
   * DelegatedAdminRelationship.ReadWrite.All (GDAP, always granted in the sandbox). */
  permission?: 'billing' | 'delegatedAdmin';
  handle(ctx: GraphContext): { status: number; body?: unknown; headers?: Record<string, string> };
}

export class GraphError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function parseBody<S extends z.ZodType>(schema: S, ctx: GraphContext): z.infer<S> {
  const parsed = schema.safeParse(ctx.body());
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new GraphError(400, 'BadRequest', `Invalid request: '${issue.path.join('.') || 'body'}' ${issue.message}.`);
}

/** An injected fault that answers (status or throttle) as Graph's error; the others are the caller's to act on. */
export function faultError(fault: FaultRule): GraphError | undefined {
  if (fault.kind === 'throttle') {
    const seconds = fault.retryAfterSeconds ?? 1;
    return new GraphError(429, 'TooManyRequests', `Too many requests. Retry after ${seconds} seconds.`, {
      'Retry-After': String(seconds),
    });
  }
  if (fault.kind !== 'status') return undefined;
  const headers: Record<string, string> =
    fault.retryAfterSeconds !== undefined ? { 'Retry-After': String(fault.retryAfterSeconds) } : {};
  const code = fault.code === undefined ? 'InjectedFault' : String(fault.code);
  return new GraphError(fault.status ?? 500, code, fault.description ?? `Injected fault ${fault.id}.`, headers);
}

/** The caller of a route: a partner token for partner routes, a customer-tenant token for the customer's tenant. */
export function authenticate(
  deps: GraphDeps,
  authorization: string | undefined,
  route: GraphRoute,
): Pick<GraphContext, 'partner' | 'customer'> {
  const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  if (token === undefined)
    throw new GraphError(401, 'InvalidAuthenticationToken', 'Access token is empty or not a Bearer token.');
  const check = deps.authority.verify(token, GRAPH_RESOURCE);
  if (!check.ok) throw new GraphError(401, 'InvalidAuthenticationToken', check.description);
  const tenantId = check.claims.tid;
  const partner = deps.partners.find((p) => p.tenantId === tenantId);
  if (route.tenant === 'customer') return customerTenantCaller(deps, tenantId, partner);
  if (partner === undefined) throw new GraphError(403, 'Forbidden', 'The tenant is not a Partner Center partner.');
  if (route.permission !== 'delegatedAdmin' && !deps.graph.policy.billingPermission)
    throw new GraphError(
      403,
      'Forbidden',
      `Missing role permissions on the request. API requires one of '${BILLING_PERMISSION}'.`,
    );
  return { partner };
}

/** A token for a customer's tenant, of its partner's app, with a GDAP role there (else 401 or 403). */
function customerTenantCaller(
  deps: GraphDeps,
  tenantId: string,
  tokenPartner: Partner | undefined,
): Pick<GraphContext, 'partner' | 'customer'> {
  if (tokenPartner !== undefined)
    throw new GraphError(
      401,
      'InvalidAuthenticationToken',
      `The access token is for the partner tenant ${tenantId}, not a customer's tenant: Graph answers for the token's tenant, so request a token from the authority of the customer's tenant ({authority host}/{customer tenant id}).`,
    );
  const customer = deps.runtime.world.customers.get(tenantId.toLowerCase());
  const partner = deps.partners.find((p) => p.tenantId === customer?.partnerTenantId);
  if (customer === undefined || partner === undefined)
    throw new GraphError(401, 'InvalidAuthenticationToken', `The access token is for an unknown tenant ${tenantId}.`);
  return { partner, customer };
}
