import type { CustomerTenantClient, PartnerCenterClient } from '../../partner-center';
import type { SkuMinimumCache } from './sku-minimum';

/** The one method the lifecycle needs of the customer-tenant Graph client; it throws on 403 (no GDAP role) and the like. */
export type LicenceUsageReader = Pick<CustomerTenantClient, 'readLicenceUsage'>;

export interface SubscriptionActivityDeps {
  partnerCenter: PartnerCenterClient;
  /** Licences in customers' tenants (Microsoft Graph); without it a lifecycle's review waits, saying why. */
  licenceUsage?: LicenceUsageReader;
  /** The review's catalog reads, kept in this process (createSubscriptionActivities makes one when absent). */
  skuMinimums?: SkuMinimumCache;
}
