/** Partner Center client, authentication and catalog resolution (docs/seams.md §2). */
export * from './types';
export * from './errors';
export * from './schemas';
export {
  createPartnerCenterClient,
  routeTemplate,
  type PartnerCenterCall,
  type PartnerCenterClientOptions,
} from './client';
export { nextSeekPage, nextOffset, CONTINUATION_HEADER, type PageRequest } from './paging';
export { createTokenProvider, PARTNER_CENTER_SCOPE } from './auth';
export type { TokenProviderOptions } from './authority/options';
export {
  createCatalogResolver,
  CatalogNotCachedError,
  CatalogResolutionError,
  type CatalogResolutionFailure,
  type CatalogResolverOptions,
  type CatalogReader,
} from './catalog';
export { GRAPH_SCOPE } from './auth';
export {
  createPriceSheetClient,
  DEFAULT_PRICING_BASE_URL,
  monthOf,
  PRICING_AUDIENCE,
  PRICING_SCOPE,
  type CachedPriceSheet,
  type PriceSheetClient,
  type PriceSheetClientOptions,
  type PriceSheetView,
} from './pricing/client';
export { readPriceSheet, tierFor, type PriceKey, type PriceRow, type PriceSheet } from './pricing/sheet';
export * from './graph/billing';
export {
  createGdapClient,
  GDAP_PERMISSION,
  type GdapAccessAssignment,
  type GdapClient,
  type GdapClientOptions,
  type GdapRelationship,
  type GdapRelationshipInput,
} from './graph/gdap';
export {
  createCustomerTenantClient,
  type CustomerTenantClient,
  type CustomerTenantClientOptions,
} from './tenant/client';
export { CustomerTenantForbiddenError, type TenantRight } from './tenant/forbidden';
export {
  companySubscriptionSchema,
  DIRECTORY_SUBSCRIPTION_STATUSES,
  subscribedSkuSchema,
  tenantUserSchema,
  type CompanySubscription,
  type SubscribedSku,
  type TenantUser,
} from './tenant/schemas';
export { licenceUsageOf, type LicenceUsage } from './tenant/usage';
export { LineFieldCheck, MATCHED_LINE_FIELDS } from './line-fields';
export { eventDigest, GRAPH_RELATIONSHIP_ROOT, PARTNER_CENTER_RESOURCE_ROOT } from './event-identity';
