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
  CatalogResolutionError,
  type CatalogResolutionFailure,
  type CatalogResolverOptions,
  type CatalogReader,
} from './catalog';
export { GRAPH_SCOPE } from './auth';
export * from './graph/billing';
export { LineFieldCheck, MATCHED_LINE_FIELDS } from './line-fields';
