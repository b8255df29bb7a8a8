import { apiPolicySchema } from './api-policy';
import { billInvoice, recordCharge } from './billing';
import { billingCyclesFor, catalogItemId, COUNTRIES, unitPrice } from './catalog';
import {
  addCustomersSchema,
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
  tenantSettingsSchema,
  termEndSchema,
  throttlingSchema,
  type TenantView,
  assignedSeatsSchema,
} from './control';
import { DAY_MS, isoDate } from './clock';
import { webhookControlRoutes } from './control-webhooks';
import { ApiError } from './errors';
import { faultInputSchema } from './faults';
import { graphPolicySchema } from './graph';
import { jsonBody, parseWith, type ApiResponse } from './http';
import { createOrderedSubscription } from './lifecycle';
import type { ControlContext, ControlRoute } from './control-route';
import type { ReplayStore } from './request-replay';
import { onboardingControlRoutes } from './control-routes-onboarding';
import { compileRoutes } from './router';
import { resetWorld, type ServerDeps } from './server-deps';
import { settle } from './settle';
import type { CustomerTenant, Delays } from './state';
import { priceControlRoutes } from './price-controls';
import { licenceSkuOf, productOfLicence, setAssignedSeats, tenantOf } from './tenant';
import { tenantUserControlRoutes } from './tenant-users';
import { addCustomers } from './world';

/** The routes of the /_sandbox/ control API (docs/sandbox.md); server.ts hands them every /_sandbox/ request. */

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
    template: '/_sandbox/customers',
    handle: ({ deps, body }) => {
      const { count, country } = parseWith(addCustomersSchema, body());
      const added = addCustomers(deps.runtime.world, deps.partners[0], count, country);
      return { status: 201, body: { ids: added.map((c) => c.id) } };
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
/** Customers' tenants (tenant.ts) and the term end a renewal test moves near. */
const tenantControlRoutes: ControlRoute[] = [
  {
    method: 'GET',
    template: '/_sandbox/tenants/{customerId}',
    handle: (ctx) => ({ status: 200, body: tenantView(customerTenant(ctx)) }),
  },
  {
    method: 'PUT',
    template: '/_sandbox/tenants/{customerId}',
    handle: (ctx) => {
      const tenant = customerTenant(ctx);
      assignDefined(tenant, parseWith(tenantSettingsSchema, ctx.body()));
      ctx.deps.onChange?.();
      return { status: 200, body: tenantView(tenant) };
    },
  },
  {
    method: 'PUT',
    template: '/_sandbox/tenants/{customerId}/licences',
    handle: (ctx) => {
      const { world } = ctx.deps.runtime;
      const tenant = customerTenant(ctx);
      const seats = parseWith(assignedSeatsSchema, ctx.body());
      const productId = seats.productId ?? productOfLicence(seats.skuId ?? '');
      if (productId === undefined || !world.catalog.findProduct(productId))
        throw new ApiError(404, 0, `No licence SKU ${seats.skuId ?? seats.productId ?? ''} in the catalog.`);
      const licence = licenceSkuOf(productId);
      setAssignedSeats(tenant, world.customers.get(tenant.customerId)!, licence.skuId, seats.assigned);
      ctx.deps.onChange?.();
      return { status: 200, body: { ...licence, assigned: seats.assigned } };
    },
  },
  {
    method: 'PUT',
    template: '/_sandbox/subscriptions/{subscriptionId}/term-end',
    handle: ({ deps, body, params }) => {
      const subscription = deps.runtime.world.subscriptions.get(params.subscriptionId.toLowerCase());
      if (!subscription) throw new ApiError(404, 800002, `Subscription ${params.subscriptionId} was not found.`);
      const lastDay = Date.parse(parseWith(termEndSchema, body()).commitmentEndDate.slice(0, 10));
      if (lastDay + DAY_MS <= subscription.termStart)
        throw new ApiError(400, 0, "The request is invalid: 'commitmentEndDate' is before the term's start.");
      subscription.commitmentEnd = lastDay;
      deps.onChange?.();
      return { status: 200, body: { id: subscription.id, commitmentEndDate: isoDate(lastDay) } };
    },
  },
];
const matchControlRoute = compileRoutes([
  ...controlRoutes,
  ...tenantControlRoutes,
  ...onboardingControlRoutes,
  ...tenantUserControlRoutes,
  ...priceControlRoutes,
  ...webhookControlRoutes,
]);

function customerTenant({ deps, params }: ControlContext): CustomerTenant {
  const customer = deps.runtime.world.customers.get(params.customerId.toLowerCase());
  if (!customer) throw new ApiError(404, 600001, `Customer ${params.customerId} was not found.`);
  return tenantOf(deps.runtime.world, customer);
}

function tenantView(tenant: CustomerTenant): TenantView {
  return {
    customerId: tenant.customerId,
    gdapAccess: tenant.gdapAccess,
    users: tenant.users.map(({ id, userPrincipalName, usageLocation, assignedSkuIds }) => ({
      id,
      userPrincipalName,
      ...(usageLocation !== undefined ? { usageLocation } : {}),
      assignedSkuIds,
    })),
  };
}

function countBy(keys: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const key of keys) counts[key] = (counts[key] ?? 0) + 1;
  return counts;
}

/** Applies the fields a policy change gives (an absent one keeps its value) and returns the whole policy. */
function assignDefined<T extends object>(target: T, changes: Partial<T>): T {
  return Object.assign(target, Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined)));
}

export function handleControlRequest(
  deps: ServerDeps,
  method: string,
  url: URL,
  rawBody: string,
  replay: ReplayStore,
): Promise<ApiResponse> {
  settle(deps.runtime.world, deps.runtime.clock.now(), deps.runtime.delays);
  const match = matchControlRoute(method, url.pathname);
  if (match === undefined || 'methodNotAllowed' in match) {
    throw new ApiError(404, 0, `Unknown control route ${method} ${url.pathname.replace(/\/+$/, '')}.`);
  }
  const body = () => (rawBody.trim() === '' ? {} : jsonBody(rawBody));
  return Promise.resolve(match.route.handle({ deps, body, params: match.params, replay }));
}
