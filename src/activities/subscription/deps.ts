import type { CustomerTenantClient, PartnerCenterClient } from '../../partner-center';
import type { ExpiringCache } from '../common/expiring-cache';

/** The one method the lifecycle needs of the customer-tenant Graph client; it throws on 403 (no GDAP role) and the like. */
export type LicenceUsageReader = Pick<CustomerTenantClient, 'readLicenceUsage'>;

export interface SubscriptionActivityDeps {
  partnerCenter: PartnerCenterClient;
  /** Licences in customers' tenants (Microsoft Graph); without it a lifecycle's review waits, saying why. */
  licenceUsage?: LicenceUsageReader;
  /** The review's catalog reads, kept in this process (createSubscriptionActivities makes one when absent). */
  skuMinimums?: SkuMinimumCache;
}

/** What the review reads once per process (./sku-minimum.ts): the customers' countries and the SKUs' minimums in each country. */
export interface SkuMinimumCache {
  countries: ExpiringCache<string | undefined>;
  minimums: ExpiringCache<number | undefined>;
}
