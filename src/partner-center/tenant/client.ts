/**
 * Microsoft Graph in a customer's tenant (partner-center-lifecycle.md, Licences): its directory subscriptions, its
 * subscribed SKUs, its users and their licences. Graph answers for the token's tenant, so every call carries a token
 * from the authority of the customer's tenant — the same app credentials as for Partner Center, App+User when a
 * refresh token is configured (the token provider caches them per tenant) — and GDAP grants the rights there.
 *
 * Built on the Graph call of graph/api.ts (token, timeout, one refresh on 401, errors classified: 429 and 5xx
 * retryable with Retry-After, for the activity's retry policy); knows nothing of Temporal.
 */
import { PartnerCenterNotFoundError } from '../errors';
import { callGraph, readJson, type GraphCallOptions, type GraphConnection } from '../graph/api';
import type { PartnerCenterCall } from '../http/exchange';
import { readAllPages } from '../graph/pages';
import type { PartnerCenterLogger, TokenProvider } from '../types';
import { CustomerTenantForbiddenError } from './forbidden';
import {
  companySubscriptionSchema,
  subscribedSkuSchema,
  tenantUserSchema,
  type CompanySubscription,
  type SubscribedSku,
  type TenantUser,
} from './schemas';
import { licenceUsageOf, type LicenceUsage } from './usage';

const TENANT_PATH = '/v1.0';
const DEFAULT_TIMEOUT_MS = 30_000;

export interface CustomerTenantClientOptions {
  /** Graph root without /v1.0, e.g. https://graph.microsoft.com */
  baseUrl: string;
  /** The partner's token provider: it gets tokens for a customer's tenant when asked with `tenantId`. */
  tokens: TokenProvider;
  /** Per call. Default 30 s. */
  timeoutMs?: number;
  fetch?: typeof fetch;
  logger?: PartnerCenterLogger;
  /** Told of every HTTP exchange (metrics, traces); `route` is the path template. */
  onCall?: (call: PartnerCenterCall) => void;
}

export interface CustomerTenantClient {
  /** `GET /v1.0/directory/subscriptions`, every page: the tenant's subscriptions (`commerceSubscriptionId` = Partner Center's id). */
  listDirectorySubscriptions(customerTenantId: string, o?: GraphCallOptions): Promise<CompanySubscription[]>;
  /** `GET /v1.0/subscribedSkus`: one entry per licence SKU, its seats summed over every subscription of the SKU. */
  listSubscribedSkus(customerTenantId: string, o?: GraphCallOptions): Promise<SubscribedSku[]>;
  /** A user by object id or user principal name, with the licences it holds; undefined when the tenant has none such. */
  getUser(customerTenantId: string, user: string, o?: GraphCallOptions): Promise<TenantUser | undefined>;
  /**
   * `POST /v1.0/users/{user}/assignLicense`: adds the licence SKUs `add` (Graph skuIds, no plan disabled) and removes
   * `remove`, all or nothing; answers the user as it is after. A user the tenant does not have is a not-found error;
   * Graph's refusals (no licence available, usage location missing, a SKU the tenant lacks, removing one the user
   * does not hold) are business errors carrying Graph's message.
   */
  assignLicence(
    customerTenantId: string,
    user: string,
    add: string[],
    remove?: string[],
    o?: GraphCallOptions,
  ): Promise<TenantUser>;
  /**
   * The licence SKU of the given Partner Center subscriptions (they must share one) as the tenant shows it now: seats
   * assigned and enabled across every subscription of that SKU, and those subscriptions. Undefined while none of
   * them shows in the tenant yet (a recent purchase); the ones not shown yet are listed in `missing`.
   */
  readLicenceUsage(
    customerTenantId: string,
    subscriptionIds: string[],
    o?: GraphCallOptions,
  ): Promise<LicenceUsage | undefined>;
}

export function createCustomerTenantClient(options: CustomerTenantClientOptions): CustomerTenantClient {
  const root = `${options.baseUrl.replace(/\/+$/, '')}${TENANT_PATH}`;
  const connectionFor = (tenantId: string): GraphConnection => ({
    root,
    prefix: TENANT_PATH,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    fetch: options.fetch ?? fetch,
    tokens: options.tokens,
    logger: options.logger,
    onCall: options.onCall,
    tenantId,
    forbidden: (details, route) => new CustomerTenantForbiddenError(details, { tenantId, route }),
  });
  const client: CustomerTenantClient = {
    listDirectorySubscriptions: (tenantId, o) =>
      readAllPages(connectionFor(tenantId), companySubscriptionSchema, '/directory/subscriptions', o),
    listSubscribedSkus: (tenantId, o) =>
      readAllPages(connectionFor(tenantId), subscribedSkuSchema, '/subscribedSkus', o),
    getUser: (tenantId, user, o) => getUser(connectionFor(tenantId), user, o),
    assignLicence: async (tenantId, user, add, remove = [], o) => {
      const body = { addLicenses: add.map((skuId) => ({ skuId, disabledPlans: [] })), removeLicenses: remove };
      const path = `/users/${encodeURIComponent(user)}/assignLicense`;
      const response = await callGraph(connectionFor(tenantId), 'POST', path, body, o);
      return readJson(tenantUserSchema, response, `POST ${TENANT_PATH}/users/{user}/assignLicense`);
    },
    readLicenceUsage: async (tenantId, subscriptionIds, o) => {
      const [subscriptions, skus] = await Promise.all([
        client.listDirectorySubscriptions(tenantId, o),
        client.listSubscribedSkus(tenantId, o),
      ]);
      return licenceUsageOf(tenantId, subscriptionIds, subscriptions, skus);
    },
  };
  return client;
}

async function getUser(
  connection: GraphConnection,
  user: string,
  o?: GraphCallOptions,
): Promise<TenantUser | undefined> {
  try {
    const response = await callGraph(connection, 'GET', `/users/${encodeURIComponent(user)}`, undefined, o);
    return await readJson(tenantUserSchema, response, `GET ${TENANT_PATH}/users/{user}`);
  } catch (error) {
    if (error instanceof PartnerCenterNotFoundError) return undefined;
    throw error;
  }
}
