import type { MetricMeter } from '@temporalio/common';
import type { PartnerCenterSettings } from './config';
import { partnerCenterCallMetrics } from './metrics';
import { activeTracing } from './tracing';
import {
  createCustomerTenantClient,
  createGdapClient,
  createGraphBillingClient,
  createPriceSheetClient,
  DEFAULT_PRICING_BASE_URL,
  createPartnerCenterClient,
  createTokenProvider,
  DEFAULT_GRAPH_BASE_URL,
  type CustomerTenantClient,
  type GdapClient,
  type GraphBillingClient,
  type PartnerCenterCall,
  type PartnerCenterClient,
  type PartnerCenterLogger,
  type PriceSheetClient,
  type TokenProvider,
} from './partner-center';

/**
 * The one place Partner Center settings become clients: the worker's activities, the HTTP API's invoice routes,
 * `pcw invoices` and `pcw doctor` all connect here, so a new option (a CA, a logger, metrics) reaches every one.
 */

export interface PartnerCenterConnectionOptions {
  /** Where calls (debug) and refusals (warn) are logged; nowhere when absent. */
  logger?: PartnerCenterLogger;
  /** Counts and times every Partner Center exchange (the worker's Runtime meter, exported on METRICS_PORT). */
  metrics?: MetricMeter;
  /** An extra CA for the authority (the sandbox's), else the settings' own; besides Node's store and NODE_EXTRA_CA_CERTS. */
  trustedCaPem?: string;
  /** Per call to the authority, Partner Center and Graph; each client's own default when absent. */
  timeoutMs?: number;
}

export interface PartnerCenterConnection {
  tokens: TokenProvider;
  client: PartnerCenterClient;
  /** The billing exports on Microsoft Graph, with the same tokens. */
  graph: GraphBillingClient;
  /** Microsoft Graph in customers' tenants (licences), with tokens from each tenant's authority for the same app. */
  tenants: CustomerTenantClient;
  /** GDAP relationships on Microsoft Graph, in the partner's tenant, with the same tokens. */
  gdap: GdapClient;
  /** The price sheets (App+User tokens for their own audience), cached in this process per market, view and month. */
  prices: PriceSheetClient;
}

/**
 * A token provider for `settings` and the Partner Center and Graph clients over it. One token provider for every
 * scope and tenant: one place renews (and, App+User, rotates the refresh token for) them.
 */
export function connectPartnerCenter(
  settings: PartnerCenterSettings,
  options: PartnerCenterConnectionOptions = {},
): PartnerCenterConnection {
  const { logger, metrics, timeoutMs } = options;
  const trustedCaPem = options.trustedCaPem ?? settings.trustedCaPem;
  const onCall = observeCalls([metrics && partnerCenterCallMetrics(metrics), activeTracing()?.onCall]);
  const { tenantId, clientId, credential, refreshToken, authorityHost } = settings;
  const tokens = createTokenProvider({
    tenantId,
    clientId,
    credential,
    refreshToken,
    authorityHost,
    trustedCaPem,
    timeoutMs,
  });
  const client = createPartnerCenterClient({
    baseUrl: settings.baseUrl,
    tokens,
    timeoutMs,
    logger,
    onCall,
  });
  const graphBaseUrl = settings.graphBaseUrl ?? DEFAULT_GRAPH_BASE_URL;
  const graph = createGraphBillingClient({
    baseUrl: graphBaseUrl,
    tokens,
    timeoutMs,
    logger,
    onCall,
  });
  const tenants = createCustomerTenantClient({ baseUrl: graphBaseUrl, tokens, timeoutMs, logger, onCall });
  const gdap = createGdapClient({ baseUrl: graphBaseUrl, tokens, timeoutMs, logger, onCall });
  const prices = createPriceSheetClient({
    baseUrl: settings.pricingBaseUrl ?? DEFAULT_PRICING_BASE_URL,
    tokens,
    logger,
  });
  return { tokens, client, graph, tenants, gdap, prices };
}

/** Every observer of an exchange (metrics, traces) as one `onCall`; none when there is none. */
function observeCalls(
  observers: Array<((call: PartnerCenterCall) => void) | undefined>,
): ((call: PartnerCenterCall) => void) | undefined {
  const present = observers.filter((observe) => observe !== undefined);
  if (present.length <= 1) return present[0];
  return (call) => {
    for (const observe of present) observe(call);
  };
}
