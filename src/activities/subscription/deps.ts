import type { PartnerCenterClient } from '../../partner-center';
import type { LicenceUsageReader } from './licence-usage';

export interface SubscriptionActivityDeps {
  partnerCenter: PartnerCenterClient;
  /** Licences in customers' tenants (Microsoft Graph); without it a lifecycle's review waits, saying why. */
  licenceUsage?: LicenceUsageReader;
}
