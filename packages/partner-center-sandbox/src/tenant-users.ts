import { z } from 'zod';
import { ApiError } from './errors';
import { parseWith } from './http';
import type { ReplayStore } from './request-replay';
import type { RouteTemplate } from './router';
import type { ApiResponse } from './http';
import type { ServerDeps } from './server-deps';
import type { Customer, CustomerTenant, TenantUser } from './state';
import { derivedGuid, licenceSkuOf, setAssignedSeats, tenantOf } from './tenant';

/**
 * Control routes that shape a customer's tenant for licence tests (docs/sandbox.md, Customers' tenants): users seeded
 * by name or by count, and the seats of a subscription's SKU held by users.
 */

const MAX_SEEDED_USERS = 10_000;

/** Users by name, or `count` users named `seeded-NNNN@{domain}` (default: the customer's domain). */
export const seedUsersSchema = z.union([
  z.strictObject({
    users: z
      .array(
        z.strictObject({
          userPrincipalName: z.string().regex(/^[^@\s]+@[^@\s]+$/, 'must be name@domain'),
          displayName: z.string().min(1).optional(),
          /** Absent: the customer's country; null: none (Graph then refuses the user a licence). */
          usageLocation: z.string().length(2).nullable().optional(),
        }),
      )
      .min(1)
      .max(MAX_SEEDED_USERS),
  }),
  z.strictObject({
    count: z.number().int().min(1).max(MAX_SEEDED_USERS),
    domain: z.string().min(1).optional(),
  }),
]);
export type SeedUsersInput = z.infer<typeof seedUsersSchema>;

/** Exactly `seats` users of the tenant hold the subscription's licence SKU. */
export const consumedSeatsSchema = z.object({ seats: z.number().int().min(0).max(100_000) });

export interface SeededUsers {
  /** The users named or counted, created or (already there) as they were. */
  users: Array<{ id: string; userPrincipalName: string }>;
  /** Users of the tenant after. */
  total: number;
}

interface TenantControlContext {
  deps: ServerDeps;
  body(): unknown;
  params: Record<string, string>;
  replay: ReplayStore;
}

interface TenantControlRoute extends RouteTemplate {
  handle(ctx: TenantControlContext): ApiResponse;
}

function customerOf(deps: ServerDeps, customerId: string): Customer {
  const customer = deps.runtime.world.customers.get(customerId.toLowerCase());
  if (!customer) throw new ApiError(404, 600001, `Customer ${customerId} was not found.`);
  return customer;
}

/** Adds the users the tenant lacks (by UPN, case-insensitive); one already there is left as it is. */
function seedUsers(tenant: CustomerTenant, customer: Customer, input: SeedUsersInput): SeededUsers {
  const wanted: Array<{ userPrincipalName: string; displayName?: string; usageLocation?: string | null }> =
    'users' in input
      ? input.users
      : Array.from({ length: input.count }, (_, i) => ({
          userPrincipalName: `seeded-${String(i + 1).padStart(4, '0')}@${input.domain ?? customer.domain}`,
        }));
  const byUpn = new Map(tenant.users.map((u) => [u.userPrincipalName.toLowerCase(), u]));
  const users = wanted.map((w): TenantUser => {
    const existing = byUpn.get(w.userPrincipalName.toLowerCase());
    if (existing !== undefined) return existing;
    const user: TenantUser = {
      id: derivedGuid(`user:${customer.id}:${w.userPrincipalName.toLowerCase()}`),
      userPrincipalName: w.userPrincipalName,
      displayName: w.displayName ?? w.userPrincipalName.split('@')[0],
      ...(w.usageLocation === null ? {} : { usageLocation: (w.usageLocation ?? customer.country).toUpperCase() }),
      assignedSkuIds: [],
    };
    tenant.users.push(user);
    byUpn.set(user.userPrincipalName.toLowerCase(), user);
    return user;
  });
  return { users: users.map(({ id, userPrincipalName }) => ({ id, userPrincipalName })), total: tenant.users.length };
}

export const tenantUserControlRoutes: TenantControlRoute[] = [
  {
    method: 'POST',
    template: '/_sandbox/customers/{customerId}/users',
    handle: ({ deps, body, params }) => {
      const customer = customerOf(deps, params.customerId);
      const seeded = seedUsers(tenantOf(deps.runtime.world, customer), customer, parseWith(seedUsersSchema, body()));
      deps.onChange?.();
      return { status: 200, body: seeded };
    },
  },
  {
    method: 'POST',
    template: '/_sandbox/subscriptions/{subscriptionId}/consumed',
    handle: ({ deps, body, params }) => {
      const subscription = deps.runtime.world.subscriptions.get(params.subscriptionId.toLowerCase());
      if (!subscription) throw new ApiError(404, 800002, `Subscription ${params.subscriptionId} was not found.`);
      const { seats } = parseWith(consumedSeatsSchema, body());
      const customer = customerOf(deps, subscription.customerId);
      const { skuId } = licenceSkuOf(subscription.productId);
      setAssignedSeats(tenantOf(deps.runtime.world, customer), customer, skuId, seats);
      deps.onChange?.();
      return { status: 200, body: { subscriptionId: subscription.id, skuId, consumed: seats } };
    },
  },
];
