import { z } from 'zod';
import { queryValue } from '../http';
import type { Customer, CustomerTenant, TenantUser } from '../state';
import {
  companySubscriptionJson,
  consumedUnits,
  findUser,
  prepaidUnitsBySku,
  subscribedSkusJson,
  tenantOf,
  tenantSubscriptions,
} from '../tenant';
import { GraphError, parseBody, type GraphContext, type GraphRoute } from './graph-route';

/**
 * Microsoft Graph in a customer's tenant (partner-center-lifecycle.md, Licences): directory subscriptions,
 * subscribed SKUs, users and licence assignment. Graph answers for the token's tenant, so these routes take a token
 * for the customer's tenant (graph-route.ts refuses a partner token) and 403 without a GDAP role there.
 */

const MAX_PAGE = 999;

interface TenantCall {
  customer: Customer;
  tenant: CustomerTenant;
}

function tenantCall(ctx: GraphContext): TenantCall {
  const customer = ctx.customer!;
  const tenant = tenantOf(ctx.deps.runtime.world, customer);
  if (!tenant.gdapAccess)
    throw new GraphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
  return { customer, tenant };
}

/** An OData collection page: `$top` (default: the policy's page size) and `$skiptoken`, `@odata.nextLink` to go on. */
export function odataPage(ctx: GraphContext, items: unknown[], path: string): { status: number; body: unknown } {
  const requested = Number(queryValue(ctx.url, '$top') ?? ctx.deps.graph.policy.tenantPageSize);
  const top = Math.min(Math.max(1, Number.isInteger(requested) ? requested : 1), MAX_PAGE);
  const skip = Math.max(0, Number(queryValue(ctx.url, '$skiptoken') ?? 0) || 0);
  const next =
    skip + top < items.length ? `${ctx.origin}/graph${path}?$top=${top}&$skiptoken=${skip + top}` : undefined;
  return {
    status: 200,
    body: {
      '@odata.context': `${ctx.origin}/graph/v1.0/$metadata#${path.split('/').pop() ?? ''}`,
      value: items.slice(skip, skip + top),
      ...(next !== undefined ? { '@odata.nextLink': next } : {}),
    },
  };
}

function userJson(user: TenantUser): Record<string, unknown> {
  return {
    id: user.id,
    userPrincipalName: user.userPrincipalName,
    displayName: user.displayName,
    usageLocation: user.usageLocation ?? null,
    assignedLicenses: user.assignedSkuIds.map((skuId) => ({ skuId, disabledPlans: [] })),
  };
}

function userOf(call: TenantCall, idOrUpn: string): TenantUser {
  const user = findUser(call.tenant, idOrUpn);
  if (user === undefined)
    throw new GraphError(
      404,
      'Request_ResourceNotFound',
      `Resource '${idOrUpn}' does not exist or one of its queried reference-property objects are not present.`,
    );
  return user;
}

/** Graph requires both lists (removeLicenses may be empty). */
const assignLicenseSchema = z.object({
  addLicenses: z.array(z.object({ skuId: z.string().min(1), disabledPlans: z.array(z.string()).optional() })),
  removeLicenses: z.array(z.string().min(1)),
});

/** Checks every change first and applies all or nothing, refusing as Graph does (docs/sandbox.md, Customers' tenants). */
function assignLicense(ctx: GraphContext, call: TenantCall, user: TenantUser): void {
  const request = parseBody(assignLicenseSchema, ctx);
  const { runtime } = ctx.deps;
  const units = prepaidUnitsBySku(
    tenantSubscriptions(runtime.world, call.customer.id, runtime.clock.now(), runtime.delays),
  );
  const badRequest = (message: string) => new GraphError(400, 'Request_BadRequest', message);
  const removed = request.removeLicenses.map((skuId) => skuId.toLowerCase());
  for (const skuId of removed)
    if (!user.assignedSkuIds.includes(skuId)) throw badRequest('User does not have a corresponding license.');
  const added = request.addLicenses.map((l) => l.skuId.toLowerCase()).filter((id) => !user.assignedSkuIds.includes(id));
  for (const skuId of added) {
    const prepaid = units.get(skuId);
    if (prepaid === undefined) throw badRequest(`License ${skuId} does not correspond to a valid company License.`);
    if (user.usageLocation === undefined)
      throw badRequest('License assignment cannot be done for user with invalid usage location.');
    if (consumedUnits(call.tenant, skuId) >= prepaid.enabled)
      throw badRequest(`Subscription with SKU ${skuId} does not have any available licenses.`);
  }
  user.assignedSkuIds = [...user.assignedSkuIds.filter((id) => !removed.includes(id)), ...added];
  ctx.deps.onChange?.();
}

export const tenantRoutes: GraphRoute[] = [
  {
    method: 'GET',
    template: '/v1.0/directory/subscriptions',
    tenant: 'customer',
    handle: (ctx) => {
      const { customer } = tenantCall(ctx);
      const { runtime } = ctx.deps;
      const subscriptions = tenantSubscriptions(runtime.world, customer.id, runtime.clock.now(), runtime.delays);
      const json = subscriptions.map((s) => companySubscriptionJson(s, customer.partnerTenantId));
      return odataPage(ctx, json, '/v1.0/directory/subscriptions');
    },
  },
  {
    method: 'GET',
    template: '/v1.0/subscribedSkus',
    tenant: 'customer',
    handle: (ctx) => {
      const { customer, tenant } = tenantCall(ctx);
      const { runtime } = ctx.deps;
      const subscriptions = tenantSubscriptions(runtime.world, customer.id, runtime.clock.now(), runtime.delays);
      return {
        status: 200,
        body: {
          '@odata.context': `${ctx.origin}/graph/v1.0/$metadata#subscribedSkus`,
          value: subscribedSkusJson(tenant, customer, subscriptions),
        },
      };
    },
  },
  {
    method: 'GET',
    template: '/v1.0/users',
    tenant: 'customer',
    handle: (ctx) => odataPage(ctx, tenantCall(ctx).tenant.users.map(userJson), '/v1.0/users'),
  },
  {
    method: 'GET',
    template: '/v1.0/users/{userId}',
    tenant: 'customer',
    handle: (ctx) => ({ status: 200, body: userJson(userOf(tenantCall(ctx), ctx.params.userId)) }),
  },
  {
    method: 'POST',
    template: '/v1.0/users/{userId}/assignLicense',
    tenant: 'customer',
    handle: (ctx) => {
      const call = tenantCall(ctx);
      const user = userOf(call, ctx.params.userId);
      assignLicense(ctx, call, user);
      return { status: 200, body: userJson(user) };
    },
  },
];
