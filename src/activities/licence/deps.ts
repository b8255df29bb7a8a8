import type { CustomerTenantClient } from '../../partner-center';

/** What licence assignment needs of the customer-tenant Graph client (src/partner-center/tenant/). */
export type LicenceTenantClient = Pick<CustomerTenantClient, 'getUser' | 'assignLicence' | 'readLicenceUsage'>;

export interface LicenceActivityDeps {
  /** Microsoft Graph in customers' tenants; without it an assignment fails, saying so. */
  customerTenants?: LicenceTenantClient;
}
