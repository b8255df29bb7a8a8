import { seekPage } from '../paging';
import type { Route } from '../router';
import type { Customer } from '../state';

/** The partner's customers (`GET /v1/customers`, seek paging with `size`, partner-center-api.md §2.4). */

/** The largest page the sandbox serves (Partner Center's samples ask for 500). */
const MAX_CUSTOMERS_PAGE = 500;

function customerJson(customer: Customer): Record<string, unknown> {
  return {
    id: customer.id,
    commerceId: customer.id,
    companyProfile: {
      tenantId: customer.id,
      domain: customer.domain,
      companyName: customer.companyName,
      attributes: { objectType: 'CustomerCompanyProfile' },
    },
    relationshipToPartner: 'reseller',
    allowDelegatedAccess: true,
    links: { self: { uri: `/customers/${customer.id}`, method: 'GET', headers: [] } },
    attributes: { objectType: 'Customer' },
  };
}

export const customerRoutes: Route[] = [
  {
    method: 'GET',
    template: '/v1/customers',
    handle: (ctx) => {
      // Only the calling partner's customers, in a stable order so that continuation offsets hold.
      const customers = [...ctx.runtime.world.customers.values()]
        .filter((c) => c.partnerTenantId === ctx.partner.tenantId)
        .map(customerJson);
      return seekPage(
        ctx,
        MAX_CUSTOMERS_PAGE,
        customers,
        'customers',
        (size) => `/customers?size=${size}&seekOperation=Next`,
      );
    },
  },
];
