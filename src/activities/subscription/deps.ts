import type { PartnerCenterClient } from '../../partner-center';

export interface SubscriptionActivityDeps {
  partnerCenter: PartnerCenterClient;
}
