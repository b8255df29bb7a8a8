import type { GraphBillingClient, PartnerCenterClient } from '../../partner-center';

export interface BillingActivityDeps {
  partnerCenter: PartnerCenterClient;
  /** Microsoft Graph partner billing (the exports); without it a Graph reconciliation fails saying so. */
  graph?: GraphBillingClient;
  /** Reconciliation lines per page; Partner Center's maximum (2000) unless a test wants many pages. */
  reconciliationPageSize?: number;
  /** Customers per page when reconciling every customer; the client's default (500) unless a test wants many pages. */
  customerPageSize?: number;
  /** Lines of a Graph export one workflow run reads before it continues as new (EXPORT_SEGMENT_LINES unless a test wants many runs). */
  exportSegmentLines?: number;
}

/** The worker's Graph client, or the failure saying it has none. */
export function graphClientOf(deps: Pick<BillingActivityDeps, 'graph'>): GraphBillingClient {
  if (deps.graph === undefined)
    throw new Error(
      'This worker has no Microsoft Graph client (MICROSOFT_GRAPH_BASE_URL): it cannot read billing exports',
    );
  return deps.graph;
}
