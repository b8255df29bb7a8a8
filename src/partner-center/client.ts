/**
 * The Partner Center REST client (docs/seams.md §2): Node's fetch, `{baseUrl}/v1`, JSON, one
 * MS-RequestId per logical call (the caller's, so it survives activity retries), a per-request
 * timeout combined with the caller's AbortSignal, one forced token refresh on 401, and every
 * failure classified into the PartnerCenterError hierarchy.
 */
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import {
  classifyHttpError,
  PartnerCenterError,
  MFA_REQUIRED_ACTION,
  MFA_REQUIRED_CODE,
  parseErrorBody,
  PARTNER_CENTER_AUDIENCE,
  PartnerCenterInvalidRequestError,
  PartnerCenterMfaRequiredError,
  PartnerCenterNetworkError,
  PartnerCenterNotFoundError,
  PartnerCenterResponseShapeError,
  PartnerCenterTimeoutError,
  PartnerCenterUnauthorizedError,
  RETIRED_AUDIENCE_CODE,
  tokenRefusalOf,
} from './errors';
import { nextOffset, nextSeekPage, sameCursor, seekPageRequest, type SeekCursor } from './paging';
import {
  agreementMetadataSchema,
  anyCase,
  availabilitySchema,
  cartCheckoutResultSchema,
  cartInputSchema,
  cartSchema,
  collectionSchema,
  customerAgreementInputSchema,
  customerAgreementSchema,
  customerSchema,
  customTermEndDateSchema,
  invoiceSchema,
  oneTimeInvoiceLineItemSchema,
  orderLineItemProvisioningStatusSchema,
  orderSchema,
  productPromotionSchema,
  productSchema,
  promotionEligibilityInputSchema,
  promotionEligibilityItemSchema,
  skuSchema,
  subscriptionProvisioningStatusSchema,
  subscriptionSchema,
  transitionEligibilitySchema,
  transitionInputSchema,
  transitionSchema,
  type CartInput,
  type Customer,
} from './schemas';
import type {
  CustomerListQuery,
  InvoicePage,
  Page,
  PartnerCenterClient,
  PartnerCenterLogger,
  RequestOptions,
  TokenProvider,
  UnbilledReconciliationQuery,
} from './types';

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

export interface PartnerCenterCall {
  method: string;
  /** e.g. `POST /customers/{id}/carts/{id}/checkout` */
  route: string;
  /** HTTP status, or the kind of failure when no answer came. */
  outcome: string;
  durationMs: number;
}

/** `/customers/1f…/carts/9c…/checkout` → `/customers/{id}/carts/{id}/checkout`: ids carry digits, names do not. */
export function routeTemplate(path: string): string {
  return path
    .split('?')[0]
    .split('/')
    .map((part) => (/\d/.test(part) ? '{id}' : part))
    .join('/');
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH';
type Query = Record<string, string | number | undefined>;

interface HttpRequest {
  method: Method;
  /** Relative to /v1, may already carry a query string (next-page links). */
  path: string;
  query?: Query;
  body?: unknown;
  headers?: Record<string, string>;
  /** A document (a PDF): a successful body is kept as bytes, not parsed. */
  binary?: boolean;
}

interface HttpResponse {
  status: number;
  headers: Headers;
  body: unknown;
  requestId: string;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_RECON_PAGE_SIZE = 2000;
const DEFAULT_INVOICE_PAGE_SIZE = 100;
const DEFAULT_CUSTOMER_PAGE_SIZE = 500;
const NO_MORE_CUSTOMERS = 2000;
const APPLICATION_NAME = 'partner-center-worker';

const segment = (value: string) => encodeURIComponent(value);

export function createPartnerCenterClient(options: PartnerCenterClientOptions): PartnerCenterClient {
  const apiRoot = `${options.baseUrl.replace(/\/+$/, '')}/v1`;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const fetchImpl = options.fetch ?? fetch;
  const { tokens, logger, onCall } = options;

  function urlFor(request: HttpRequest): string {
    const url = new URL(`${apiRoot}${request.path.startsWith('/') ? '' : '/'}${request.path}`);
    for (const [key, value] of Object.entries(request.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    return url.toString();
  }

  async function attempt(
    request: HttpRequest,
    ids: { requestId: string; correlationId: string },
    token: string,
    signal?: AbortSignal,
  ): Promise<HttpResponse> {
    const routeForErrors = `${request.method} ${request.path.split('?')[0]}`;
    const timeout = AbortSignal.timeout(timeoutMs);
    const combined = signal ? AbortSignal.any([timeout, signal]) : timeout;
    const headers: Record<string, string> = {
      Accept: 'application/json',
      Authorization: `Bearer ${token}`,
      'MS-RequestId': ids.requestId,
      'MS-CorrelationId': ids.correlationId,
      'MS-PartnerCenter-Application': APPLICATION_NAME,
    };
    // Extra headers (If-Match, next-page link headers from the server) may add but never replace ours.
    const ours = new Set(Object.keys(headers).map((key) => key.toLowerCase()));
    for (const [key, value] of Object.entries(request.headers ?? {})) {
      if (!ours.has(key.toLowerCase())) headers[key] = value;
    }
    let body: string | undefined;
    if (request.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(request.body);
    } else if (request.method !== 'GET') {
      body = '';
    }
    const started = Date.now();
    try {
      const response = await fetchImpl(urlFor(request), { method: request.method, headers, body, signal: combined });
      const parsedBody =
        request.binary === true && response.ok
          ? Buffer.from(await response.arrayBuffer())
          : parseJson(await response.text());
      onCall?.({
        method: request.method,
        route: routeTemplate(request.path),
        outcome: String(response.status),
        durationMs: Date.now() - started,
      });
      logger?.debug('Partner Center call', {
        route: routeForErrors,
        status: response.status,
        durationMs: Date.now() - started,
        requestId: ids.requestId,
        correlationId: ids.correlationId,
      });
      return { status: response.status, headers: response.headers, body: parsedBody, requestId: ids.requestId };
    } catch (error) {
      if (signal?.aborted) throw signal.reason ?? error;
      const details = { requestId: ids.requestId, correlationId: ids.correlationId, cause: error };
      const failure = timeout.aborted
        ? new PartnerCenterTimeoutError({
            ...details,
            description: `No answer to ${routeForErrors} within ${timeoutMs} ms`,
          })
        : new PartnerCenterNetworkError({
            ...details,
            description: `Could not reach Partner Center for ${routeForErrors}: ${networkReason(error)}`,
          });
      logger?.warn('Partner Center call failed', {
        route: routeForErrors,
        kind: failure.kind,
        requestId: ids.requestId,
        correlationId: ids.correlationId,
      });
      onCall?.({
        method: request.method,
        route: routeTemplate(request.path),
        outcome: failure.kind,
        durationMs: Date.now() - started,
      });
      throw failure;
    }
  }

  /** One logical call: a forced token refresh and a single repeat on 401, then errors are classified. */
  async function send(request: HttpRequest, o?: RequestOptions): Promise<HttpResponse> {
    const ids = { requestId: o?.requestId ?? randomUUID(), correlationId: o?.correlationId ?? randomUUID() };
    let response = await attempt(request, ids, await tokens.getAccessToken(), o?.signal);
    // A token without the MFA claim or for the retired audience comes back the same from a refresh: no second try.
    if (response.status === 401 && tokenRefusal(response) === undefined) {
      response = await attempt(request, ids, await tokens.getAccessToken({ forceRefresh: true }), o?.signal);
    }
    if (response.status >= 200 && response.status < 300) return response;
    const route = `${request.method} ${request.path.split('?')[0]}`;
    const error =
      response.status === 401
        ? unauthorized(response, ids, tokens)
        : classifyHttpError({
            status: response.status,
            body: response.body,
            retryAfter: response.headers.get('retry-after'),
            requestId: ids.requestId,
            correlationId: ids.correlationId,
          });
    // 404s and busy 409s are routine while polling for eventually consistent orders: not warnings.
    const log = error.kind === 'not-found' || error.kind === 'conflict' ? logger?.debug : logger?.warn;
    log?.call(logger, 'Partner Center refused a call', {
      route,
      status: error.status,
      code: error.code,
      kind: error.kind,
      retryable: error.retryable,
      requestId: ids.requestId,
      correlationId: ids.correlationId,
    });
    throw error;
  }

  async function get<S extends z.ZodType>(
    schema: S,
    request: Omit<HttpRequest, 'method'>,
    o?: RequestOptions,
  ): Promise<z.infer<S>> {
    const response = await send({ method: 'GET', ...request }, o);
    return parseBody(schema, response, request.path);
  }

  /**
   * One seek page: `first` without a cursor, else the page the cursor points at. A server answering
   * with the very link it was asked for would loop forever, so that is refused.
   */
  async function seekPage<S extends z.ZodType>(
    item: S,
    first: HttpRequest,
    cursor: SeekCursor | undefined,
    o?: RequestOptions,
  ): Promise<Page<z.infer<S>>> {
    const request: HttpRequest = cursor === undefined ? first : { method: 'GET', ...seekPageRequest(cursor) };
    const response = await send(request, o);
    const page = parseBody(collectionSchema(item), response, first.path);
    const next = nextSeekPage(page.links?.next, page.continuationToken);
    if (next !== undefined && cursor !== undefined && sameCursor(next, cursor)) {
      throw new PartnerCenterResponseShapeError({
        description: `Partner Center returned the same next-page link twice for ${first.path}`,
      });
    }
    const serverTime = serverTimeOf(response.headers);
    return {
      items: page.items,
      ...(next !== undefined ? { next } : {}),
      ...(serverTime !== undefined ? { serverTime } : {}),
    };
  }

  /** Yields each page's items, following `links.next` (seek paging) until there is none. */
  function seekPages<S extends z.ZodType>(
    item: S,
    first: HttpRequest,
    o?: RequestOptions,
  ): AsyncGenerator<z.infer<S>[]> {
    return followPages((cursor, options) => seekPage(item, first, cursor, options), o);
  }

  async function listAll<S extends z.ZodType>(
    item: S,
    first: Omit<HttpRequest, 'method'>,
    o?: RequestOptions,
  ): Promise<z.infer<S>[]> {
    const all: z.infer<S>[] = [];
    for await (const page of seekPages(item, { method: 'GET', ...first }, o)) all.push(...page);
    return all;
  }

  /** A request body we build, checked before it leaves: a mistake is ours, never Partner Center's to find. */
  function strictBody<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      throw new PartnerCenterInvalidRequestError({ description: `Invalid ${what}: ${describeIssues(parsed.error)}` });
    }
    return parsed.data;
  }

  function cartBody(cart: CartInput): CartInput {
    const parsed = cartInputSchema.safeParse(cart);
    if (!parsed.success) {
      throw new PartnerCenterInvalidRequestError({ description: `Invalid cart: ${describeIssues(parsed.error)}` });
    }
    return parsed.data;
  }

  /** One page of the partner's customers (the first without a cursor). */
  async function customerPage(q?: CustomerListQuery, cursor?: SeekCursor, o?: RequestOptions): Promise<Page<Customer>> {
    const first: HttpRequest = {
      method: 'GET',
      path: '/customers',
      query: { size: q?.size ?? DEFAULT_CUSTOMER_PAGE_SIZE },
    };
    try {
      return await seekPage(customerSchema, first, cursor, o);
    } catch (err) {
      // Microsoft's own sample reads a 400 with code 2000 on a next page as "no more records" (reference §2.4).
      if (
        cursor !== undefined &&
        err instanceof PartnerCenterError &&
        err.status === 400 &&
        err.code === NO_MORE_CUSTOMERS
      )
        return { items: [] };
      throw err;
    }
  }

  return {
    listCustomers: (q, o) => items(followPages((cursor, options) => customerPage(q, cursor, options), o)),
    listCustomersPage: customerPage,
    listProducts: (q, o) =>
      listAll(
        productSchema,
        { path: '/products', query: { country: q.country, targetView: q.targetView, targetSegment: q.targetSegment } },
        o,
      ),
    getProduct: (productId, q, o) =>
      get(productSchema, { path: `/products/${segment(productId)}`, query: { country: q.country } }, o),
    listSkus: (productId, q, o) =>
      listAll(
        skuSchema,
        { path: `/products/${segment(productId)}/skus`, query: { country: q.country, targetSegment: q.targetSegment } },
        o,
      ),
    getSku: (productId, skuId, q, o) =>
      get(
        skuSchema,
        { path: `/products/${segment(productId)}/skus/${segment(skuId)}`, query: { country: q.country } },
        o,
      ),
    listAvailabilities: (productId, skuId, q, o) =>
      listAll(
        availabilitySchema,
        {
          path: `/products/${segment(productId)}/skus/${segment(skuId)}/availabilities`,
          query: { country: q.country, targetSegment: q.targetSegment },
        },
        o,
      ),
    getAvailability: (productId, skuId, availabilityId, q, o) =>
      get(
        availabilitySchema,
        {
          path: `/products/${segment(productId)}/skus/${segment(skuId)}/availabilities/${segment(availabilityId)}`,
          query: { country: q.country },
        },
        o,
      ),

    createCart: async (customerId, cart, o) => {
      const path = `/customers/${segment(customerId)}/carts`;
      return parseBody(cartSchema, await send({ method: 'POST', path, body: cartBody(cart) }, o), path);
    },
    getCart: (customerId, cartId, o) =>
      get(cartSchema, { path: `/customers/${segment(customerId)}/carts/${segment(cartId)}` }, o),
    updateCart: async (customerId, cartId, cart, o) => {
      const path = `/customers/${segment(customerId)}/carts/${segment(cartId)}`;
      return parseBody(
        cartSchema,
        await send({ method: 'PUT', path, body: { id: cartId, ...cartBody(cart) } }, o),
        path,
      );
    },
    checkoutCart: async (customerId, cartId, o) => {
      const path = `/customers/${segment(customerId)}/carts/${segment(cartId)}/checkout`;
      return parseBody(cartCheckoutResultSchema, await send({ method: 'POST', path }, o), path);
    },

    getOrder: (customerId, orderId, o) =>
      get(orderSchema, { path: `/customers/${segment(customerId)}/orders/${segment(orderId)}` }, o),
    listOrders: (customerId, o) => listAll(orderSchema, { path: `/customers/${segment(customerId)}/orders` }, o),
    getOrderProvisioningStatus: (customerId, orderId, o) =>
      listAll(
        orderLineItemProvisioningStatusSchema,
        { path: `/customers/${segment(customerId)}/orders/${segment(orderId)}/provisioningstatus` },
        o,
      ),

    getSubscription: (customerId, subscriptionId, o) =>
      get(
        subscriptionSchema,
        { path: `/customers/${segment(customerId)}/subscriptions/${segment(subscriptionId)}` },
        o,
      ),
    listSubscriptions: (customerId, o) =>
      listAll(subscriptionSchema, { path: `/customers/${segment(customerId)}/subscriptions` }, o),
    listSubscriptionsByOrder: (customerId, orderId, o) =>
      listAll(
        subscriptionSchema,
        { path: `/customers/${segment(customerId)}/subscriptions`, query: { order_id: orderId } },
        o,
      ),
    updateSubscription: async (customerId, subscription, o) => {
      const path = `/customers/${segment(customerId)}/subscriptions/${segment(subscription.id)}`;
      const etag = o?.etag ?? subscription.attributes?.etag;
      const headers = etag ? { 'If-Match': quoteEtag(etag) } : undefined;
      const response = await send({ method: 'PATCH', path, body: subscription, headers }, o);
      if (response.status === 202) {
        return { kind: 'accepted', location: response.headers.get('location') ?? path };
      }
      return { kind: 'updated', subscription: parseBody(subscriptionSchema, response, path) };
    },
    getSubscriptionProvisioningStatus: (customerId, subscriptionId, o) =>
      get(
        subscriptionProvisioningStatusSchema,
        { path: `/customers/${segment(customerId)}/subscriptions/${segment(subscriptionId)}/provisioningstatus` },
        o,
      ),
    listTransitionEligibilities: async (customerId, subscriptionId, eligibilityType, o) =>
      (
        await get(
          anyCase(collectionSchema(transitionEligibilitySchema)),
          {
            path: `/customers/${segment(customerId)}/subscriptions/${segment(subscriptionId)}/transitionEligibilities`,
            query: { eligibilityType },
          },
          o,
        )
      ).items,
    createTransition: async (customerId, subscriptionId, transition, o) => {
      const path = `/customers/${segment(customerId)}/subscriptions/${segment(subscriptionId)}/transitions`;
      const body = strictBody(transitionInputSchema, transition, 'transition');
      return parseBody(anyCase(transitionSchema), await send({ method: 'POST', path, body }, o), path);
    },
    listTransitions: async (customerId, subscriptionId, o) =>
      (
        await get(
          anyCase(collectionSchema(transitionSchema)),
          { path: `/customers/${segment(customerId)}/subscriptions/${segment(subscriptionId)}/transitions` },
          o,
        )
      ).items,

    listAgreementTemplates: async (agreementType, o) =>
      (
        await get(
          anyCase(collectionSchema(agreementMetadataSchema)),
          { path: '/agreements', query: { agreementType } },
          o,
        )
      ).items,
    listCustomerAgreements: async (customerId, agreementType, o) =>
      (
        await get(
          anyCase(collectionSchema(customerAgreementSchema)),
          { path: `/customers/${segment(customerId)}/agreements`, query: { agreementType } },
          o,
        )
      ).items,
    createCustomerAgreement: async (customerId, agreement, o) => {
      const path = `/customers/${segment(customerId)}/agreements`;
      const body = strictBody(customerAgreementInputSchema, agreement, 'agreement');
      return parseBody(customerAgreementSchema, await send({ method: 'POST', path, body }, o), path);
    },
    listProductPromotions: (q, o) =>
      listAll(
        productPromotionSchema,
        { path: '/productPromotions', query: { country: q.country, segment: q.segment } },
        o,
      ),
    checkPromotionEligibilities: async (customerId, eligibilityItems, o) => {
      const path = `/customers/${segment(customerId)}/promotionEligibilities`;
      const body = {
        items: eligibilityItems.map((i) => strictBody(promotionEligibilityInputSchema, i, 'eligibility item')),
      };
      const response = await send({ method: 'POST', path, body }, o);
      return parseBody(anyCase(collectionSchema(promotionEligibilityItemSchema)), response, path).items;
    },
    listCustomTermEndDates: async (customerId, q, o) =>
      (
        await get(
          anyCase(collectionSchema(customTermEndDateSchema)),
          { path: `/customers/${segment(customerId)}/subscriptions/customTermEndDates`, query: q },
          o,
        )
      ).items,

    unbilledReconciliationLineItems: (q, o) => items(seekPages(oneTimeInvoiceLineItemSchema, unbilledLineItems(q), o)),
    unbilledReconciliationLineItemsPage: (q, cursor, o) =>
      seekPage(oneTimeInvoiceLineItemSchema, unbilledLineItems(q), cursor, o),
    invoiceReconciliationLineItems: (invoiceId, q, o) =>
      items(
        seekPages(
          oneTimeInvoiceLineItemSchema,
          {
            method: 'GET',
            path: `/invoices/${segment(invoiceId)}/lineitems`,
            query: {
              provider: 'onetime',
              invoicelineitemtype: 'billinglineitems',
              size: q?.size ?? DEFAULT_RECON_PAGE_SIZE,
            },
          },
          o,
        ),
      ),
    listInvoices: (q, o) => items(offsetPages(q?.size ?? DEFAULT_INVOICE_PAGE_SIZE, q?.offset ?? 0, o)),
    listInvoicesPage: (q, o) => invoicePage(q?.size ?? DEFAULT_INVOICE_PAGE_SIZE, q?.offset ?? 0, o),
    getInvoice: async (invoiceId, o) => {
      if (tokens.mode === 'app+user') return get(invoiceSchema, { path: `/invoices/${segment(invoiceId)}` }, o);
      for await (const invoice of offsetPages(DEFAULT_INVOICE_PAGE_SIZE, 0, o)) {
        const found = invoice.find((i) => i.id.toUpperCase() === invoiceId.toUpperCase());
        if (found !== undefined) return found;
      }
      throw new PartnerCenterNotFoundError({ status: 404, description: `Invoice ${invoiceId} was not found` });
    },
    getInvoiceStatement: async (invoiceId, o) => {
      if (tokens.mode !== 'app+user')
        throw new PartnerCenterUnauthorizedError({
          description: `The statement PDF of invoice ${invoiceId} is served to App+User tokens only; this client is App-only (set PARTNER_CENTER_REFRESH_TOKEN for App+User, the secure application model)`,
        });
      const path = `/invoices/${segment(invoiceId)}/documents/statement`;
      const response = await send({ method: 'GET', path, binary: true }, o);
      if (!Buffer.isBuffer(response.body))
        throw new PartnerCenterResponseShapeError({ description: `No document in the answer to ${path}` });
      return response.body;
    },
  };

  async function invoicePage(size: number, offset: number, o?: RequestOptions): Promise<InvoicePage> {
    const page = parseBody(
      collectionSchema(invoiceSchema),
      await send({ method: 'GET', path: '/invoices', query: { size, offset } }, o),
      '/invoices',
    );
    const next = nextOffset(offset, size, page.items.length);
    return {
      items: page.items,
      ...(page.totalCount !== undefined ? { totalCount: page.totalCount } : {}),
      ...(next !== undefined ? { nextOffset: next } : {}),
    };
  }

  /** The first page of the unbilled new-commerce reconciliation lines (reference §7). */
  function unbilledLineItems(q: UnbilledReconciliationQuery): HttpRequest {
    return {
      method: 'GET',
      path: '/invoices/unbilled/lineitems',
      query: {
        provider: 'onetime',
        invoicelineitemtype: 'billinglineitems',
        currencycode: q.currencyCode,
        period: q.period,
        size: q.size ?? DEFAULT_RECON_PAGE_SIZE,
      },
    };
  }

  async function* offsetPages(size: number, firstOffset: number, o?: RequestOptions) {
    const envelope = collectionSchema(invoiceSchema);
    let offset: number | undefined = firstOffset;
    let options = o;
    while (offset !== undefined) {
      const page = parseBody(
        envelope,
        await send({ method: 'GET', path: '/invoices', query: { size, offset } }, options),
        '/invoices',
      );
      yield page.items;
      offset = nextOffset(offset, size, page.items.length);
      options = o && { ...o, requestId: undefined };
    }
  }
}

/** Yields each page's items, reading the page after each one by its cursor until there is none. */
async function* followPages<T>(
  read: (cursor: SeekCursor | undefined, o?: RequestOptions) => Promise<Page<T>>,
  o?: RequestOptions,
): AsyncGenerator<T[]> {
  let cursor: SeekCursor | undefined;
  let options = o;
  do {
    const page = await read(cursor, options);
    yield page.items;
    cursor = page.next;
    // Each page is its own logical call: only the first reuses the caller's MS-RequestId.
    options = o && { ...o, requestId: undefined };
  } while (cursor !== undefined);
}

async function* items<T>(pages: AsyncIterable<T[]>): AsyncGenerator<T> {
  for await (const page of pages) yield* page;
}

/** The HTTP `Date` header as an ISO timestamp, if there is a valid one. */
function serverTimeOf(headers: Headers): string | undefined {
  const at = Date.parse(headers.get('date') ?? '');
  return Number.isNaN(at) ? undefined : new Date(at).toISOString();
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function parseBody<S extends z.ZodType>(schema: S, response: HttpResponse, path: string): z.infer<S> {
  const parsed = schema.safeParse(response.body);
  if (parsed.success) return parsed.data;
  throw new PartnerCenterResponseShapeError({
    status: response.status,
    requestId: response.requestId,
    description: `Unexpected response shape from ${path}: ${describeIssues(parsed.error)}`,
  });
}

/** Where and what, never the offending value (it could be anything the server sent). */
function describeIssues(error: z.ZodError): string {
  const shown = error.issues.slice(0, 5).map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  const more = error.issues.length > shown.length ? ` (+${error.issues.length - shown.length} more)` : '';
  return `${shown.join('; ')}${more}`;
}

function quoteEtag(etag: string): string {
  return /^(W\/)?".*"$/.test(etag) ? etag : `"${etag}"`;
}

function networkReason(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    return code ? `${code} (${cause.message})` : cause.message;
  }
  return 'unknown network failure';
}

/** Why Partner Center refused the token of a 401, when its code or wording says (see tokenRefusalOf). */
function tokenRefusal(response: HttpResponse): ReturnType<typeof tokenRefusalOf> {
  const { code, description } = parseErrorBody(response.body, '');
  return tokenRefusalOf(code, description, response.headers.get('www-authenticate'));
}

/** Says which credential failed and why, from the 401's code, description and WWW-Authenticate — never the token. */
function unauthorized(
  response: HttpResponse,
  ids: { requestId: string; correlationId: string },
  tokens: TokenProvider,
): PartnerCenterError {
  const challenge = response.headers.get('www-authenticate');
  const base = classifyHttpError({
    status: 401,
    body: response.body,
    wwwAuthenticate: challenge,
    requestId: ids.requestId,
    correlationId: ids.correlationId,
  });
  const credential =
    tokens.mode === 'app+user'
      ? 'App+User token (secure application model refresh token)'
      : `App-only token (${tokens.credentialKind === 'certificate' ? 'certificate' : 'client secret'})`;
  const evidence = `${base.description} ${challenge ?? ''}`;
  const refusal = tokenRefusalOf(base.code, base.description, challenge);
  let reason: string;
  if (refusal === 'mfa-required') {
    reason = `MFA required (${MFA_REQUIRED_CODE}): the token carries no MFA claim, which Partner Center demands of every App+User call. ${MFA_REQUIRED_ACTION}`;
  } else if (refusal === 'retired-audience') {
    reason = `the token is for the retired Azure AD Graph audience (${RETIRED_AUDIENCE_CODE}); Partner Center accepts only tokens for the audience ${PARTNER_CENTER_AUDIENCE} (scope ${PARTNER_CENTER_AUDIENCE}/.default)`;
  } else if (/expired/i.test(evidence)) {
    reason = 'the token had expired even after a forced refresh (check the machine clock)';
  } else if (/audience|aud\b/i.test(evidence)) {
    reason = `the token is not meant for Partner Center (wrong audience; expected ${PARTNER_CENTER_AUDIENCE})`;
  } else if (tokens.mode === 'app-only') {
    reason =
      'Partner Center refused an App-only token; this operation may need App+User (set PARTNER_CENTER_REFRESH_TOKEN) or the app lacks consent in the partner tenant';
  } else {
    reason = 'Partner Center refused the token even after a forced refresh';
  }
  const details = {
    status: 401,
    code: base.code,
    description: `${credential} refused by Partner Center: ${reason}. Server said: ${base.description}`,
    requestId: ids.requestId,
    correlationId: ids.correlationId,
  };
  return base.kind === 'mfa-required'
    ? new PartnerCenterMfaRequiredError(details)
    : new PartnerCenterUnauthorizedError(details);
}
