import type { CatalogResolver, PartnerCenterClient, TokenMode } from '../../partner-center';

export interface PurchaseActivityDeps {
  partnerCenter: PartnerCenterClient;
  catalog: CatalogResolver;
  tokenMode: TokenMode;
  settings: {
    orderPollIntervalMs: number;
    orderPollMaxIntervalMs?: number;
    orderVisibilityDeadlineMs: number;
    approvalTimeoutMs?: number;
    subscriptionChangeDeadlineMs?: number;
    renewalReviewLeadMs?: number;
    relationshipAcceptTimeoutMs?: number;
    gdapApprovalTimeoutMs?: number;
    licenceVisibilityDeadlineMs?: number;
  };
}
