import { z } from 'zod';
import { badRequest, notFound } from '../errors';
import { parseWith, queryValue } from '../http';
import { domainTaken } from '../onboarding';
import { seekPage } from '../paging';
import { customerOf, type ApiContext, type Route } from '../router';
import type { Customer } from '../state';

/** The partner's customers (`GET /v1/customers`, seek paging with `size` and an optional `filter`,
 * partner-center-api.md §2.4), one customer, the domain check and the reseller invitation link. */

/** The largest page the sandbox serves (Partner Center's samples ask for 500). */
const MAX_CUSTOMERS_PAGE = 500;

/** `filter={"Field":"Domain","Value":"…","Operator":"starts_with"}` (URL-encoded JSON; keys in any case). */
const customerFilterSchema = z.object({
  field: z.preprocess((v) => (typeof v === 'string' ? v.toLowerCase() : v), z.enum(['domain', 'companyname'])),
  value: z.string(),
  operator: z.preprocess((v) => (typeof v === 'string' ? v.toLowerCase() : v), z.literal('starts_with')),
});

export function customerJson(customer: Customer): Record<string, unknown> {
  return {
    id: customer.id,
    commerceId: customer.id,
    companyProfile: {
      tenantId: customer.id,
      domain: customer.domain,
      companyName: customer.companyName,
      attributes: { objectType: 'CustomerCompanyProfile' },
    },
    // Seeded and invited customers show their market only (a renewal plan reads its catalog there).
    billingProfile: {
      ...(customer.billingProfile ?? {
        companyName: customer.companyName,
        defaultAddress: { country: customer.country },
      }),
      attributes: { objectType: 'CustomerBillingProfile' },
    },
    relationshipToPartner: 'reseller',
    allowDelegatedAccess: true,
    links: { self: { uri: `/customers/${customer.id}`, method: 'GET', headers: [] } },
    attributes: { objectType: 'Customer' },
  };
}

/** The customers the `filter` query parameter keeps (all without one); a 400 naming `filter` when it is not one. */
function filtered(ctx: ApiContext, customers: Customer[]): Customer[] {
  const raw = queryValue(ctx.url, 'filter');
  if (raw === undefined) return customers;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw badRequest('filter', 'is not JSON ({"Field":"Domain","Value":"…","Operator":"starts_with"})');
  }
  const lowerKeys =
    typeof json === 'object' && json !== null
      ? Object.fromEntries(Object.entries(json).map(([k, v]) => [k.toLowerCase(), v]))
      : json;
  const filter = parseWith(customerFilterSchema, lowerKeys, 'filter');
  const prefix = filter.value.toLowerCase();
  const of = (c: Customer) => (filter.field === 'domain' ? c.domain : c.companyName).toLowerCase();
  return customers.filter((c) => of(c).startsWith(prefix));
}

/** The partner tenant's invitation link a customer's admin opens to accept the reseller relationship. */
function invitationUrl(partnerTenantId: string): string {
  return `https://admin.microsoft.com/Adminportal/Home?invType=ResellerRelationship&partnerId=${partnerTenantId}&msppId=0&DAP=true#/BillingAccounts/partner-invitation`;
}

export const customerRoutes: Route[] = [
  {
    method: 'GET',
    template: '/v1/customers',
    handle: (ctx) => {
      // Only the calling partner's customers, in a stable order so that continuation offsets hold.
      const mine = [...ctx.runtime.world.customers.values()].filter((c) => c.partnerTenantId === ctx.partner.tenantId);
      const filter = queryValue(ctx.url, 'filter');
      const query = filter === undefined ? '' : `&filter=${encodeURIComponent(filter)}`;
      return seekPage(
        ctx,
        MAX_CUSTOMERS_PAGE,
        filtered(ctx, mine).map(customerJson),
        `customers${query}`,
        (size) => `/customers?size=${size}${query}&seekOperation=Next`,
      );
    },
  },
  {
    // Before `/v1/customers/{customerId}`: `relationshiprequests` is not a customer id.
    method: 'GET',
    template: '/v1/customers/relationshiprequests',
    appUserOnly: true,
    handle: (ctx) => ({
      status: 200,
      body: { url: invitationUrl(ctx.partner.tenantId), attributes: { objectType: 'RelationshipRequest' } },
    }),
  },
  {
    method: 'GET',
    template: '/v1/customers/{customerId}',
    handle: (ctx) => ({ status: 200, body: customerJson(customerOf(ctx)) }),
  },
  {
    // Any customer of any partner holds its domain: 200 taken, 404 free (no body either way).
    method: 'HEAD',
    template: '/v1/domains/{domain}',
    handle: (ctx) => {
      if (!domainTaken(ctx.runtime.world, ctx.params.domain))
        throw notFound(0, `The domain ${ctx.params.domain} is not in use.`);
      return { status: 200 };
    },
  },
];
