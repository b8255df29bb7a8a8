/**
 * The Partner Center REST client (docs/seams.md §2): Node's fetch, `{baseUrl}/v1`, JSON, one
 * MS-RequestId per logical call (the caller's, so it survives activity retries), a per-request
 * timeout combined with the caller's AbortSignal, one forced token refresh on 401, and every
 * failure classified into the PartnerCenterError hierarchy.
 *
 * Assembled from a small core (http/: one exchange, one logical call, JSON against schemas, paged
 * collections) and one module of operations per resource family (resources/), like the Partner
 * Center .NET SDK's operations per resource.
 */
import type { PartnerCenterCall, PartnerCenterConnection } from './http/exchange';
import { cartOperations } from './resources/carts';
import { customerOperations } from './resources/customers';
import { invoiceOperations } from './resources/invoices';
import { orderOperations } from './resources/orders';
import { prerequisiteOperations } from './resources/prerequisites';
import { catalogOperations } from './resources/products';
import { subscriptionOperations } from './resources/subscriptions';
import { webhookOperations } from './resources/webhooks';
import type { PartnerCenterClient, PartnerCenterLogger, TokenProvider } from './types';

export { routeTemplate, type PartnerCenterCall } from './http/exchange';

export interface PartnerCenterClientOptions {
  /** API root without `/v1`, e.g. https://api.partnercenter.microsoft.com */
  baseUrl: string;
  tokens: TokenProvider;
  /** Per request (headers and body), default 30 s. */
  timeoutMs?: number;
  fetch?: typeof fetch;
  logger?: PartnerCenterLogger;
  /** Told of every HTTP exchange (metrics); `route` is the path template, so its cardinality stays small. */
  onCall?: (call: PartnerCenterCall) => void;
}

const DEFAULT_TIMEOUT_MS = 30_000;

export function createPartnerCenterClient(options: PartnerCenterClientOptions): PartnerCenterClient {
  const connection: PartnerCenterConnection = {
    apiRoot: `${options.baseUrl.replace(/\/+$/, '')}/v1`,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    fetch: options.fetch ?? fetch,
    tokens: options.tokens,
    logger: options.logger,
    onCall: options.onCall,
  };
  return {
    ...customerOperations(connection),
    ...catalogOperations(connection),
    ...cartOperations(connection),
    ...orderOperations(connection),
    ...subscriptionOperations(connection),
    ...prerequisiteOperations(connection),
    ...invoiceOperations(connection),
    ...webhookOperations(connection),
  };
}
