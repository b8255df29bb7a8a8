/** The interfaces other parts code against (docs/seams.md §2). Add members; never rename. */
import type {
  AgreementMetadata,
  Availability,
  Cart,
  CartCheckoutResult,
  CartInput,
  CreatedCustomer,
  Customer,
  CustomerCreationInput,
  CustomerQualification,
  CustomerAgreement,
  CustomerAgreementInput,
  CustomTermEndDate,
  ProductPromotion,
  PromotionEligibilityInput,
  PromotionEligibilityItem,
  Invoice,
  OneTimeInvoiceLineItem,
  Order,
  OrderLineItemProvisioningStatus,
  Product,
  Sku,
  Subscription,
  SubscriptionProvisioningStatus,
  Transition,
  TransitionEligibility,
  TransitionInput,
  Term,
  AuditRecord,
  ValidationEvent,
  WebhookRegistration,
  WebhookRegistrationInput,
} from './schemas';
import type { SeekCursor } from './paging';

export type { SeekCursor };

export type TokenMode = 'app-only' | 'app+user';

/** Which credential produced the token; named in Unauthorized messages, never its value. */
export type CredentialKind = 'client-secret' | 'certificate' | 'refresh-token';

export interface TokenProvider {
  readonly mode: TokenMode;
  /** Set by createTokenProvider; optional so simple test doubles need not invent one. */
  readonly credentialKind?: CredentialKind;
  /**
   * `scope` defaults to Partner Center's (`https://api.partnercenter.microsoft.com/.default`). `tenantId`: a token
   * from the authority of that tenant (a customer's, for Microsoft Graph in its tenant) with the same app
   * credentials; the configured (partner) tenant when absent.
   */
  getAccessToken(options?: { forceRefresh?: boolean; scope?: string; tenantId?: string }): Promise<string>;
}

export interface RequestOptions {
  /** MS-RequestId: keep it stable across retries of one logical call (Partner Center idempotency rule). */
  requestId?: string;
  /** MS-CorrelationId: one per logical operation, for tracing. */
  correlationId?: string;
  /** Caller's cancellation (e.g. the activity's cancellation signal). */
  signal?: AbortSignal;
}

export interface PartnerCenterLogger {
  debug(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  error(message: string, meta?: Record<string, unknown>): void;
}

export interface CatalogQuery {
  country: string;
  targetSegment?: string;
}

export type SubscriptionUpdateResult =
  { kind: 'updated'; subscription: Subscription } | { kind: 'accepted'; location: string };

/** One page of a seek-paged collection and where the next one is (absent on the last page). */
export interface Page<T> {
  items: T[];
  next?: SeekCursor;
  /** Partner Center's clock when it answered (the response's `Date` header, ISO); absent without one. */
  serverTime?: string;
}

export interface InvoicePage {
  items: Invoice[];
  totalCount?: number;
  nextOffset?: number;
}

export interface UnbilledReconciliationQuery {
  currencyCode: string;
  period: 'current' | 'previous';
  /** Lines per page, at most 2000 (the default). */
  size?: number;
}

/** Customers per page, at most 500 (what Partner Center's own samples ask for). */
export interface CustomerListQuery {
  size?: number;
}

export interface PartnerCenterClient {
  /** The partner's customers, every page (seek paging, reference §2.4). */
  listCustomers(q?: CustomerListQuery, o?: RequestOptions): AsyncIterable<Customer>;
  /** One page of customers: the first without a cursor, else the page the cursor (an earlier page's `next`) points at. */
  listCustomersPage(q?: CustomerListQuery, cursor?: SeekCursor, o?: RequestOptions): Promise<Page<Customer>>;
  /** Whether a tenant holds the domain (`HEAD /v1/domains/{domain}`: 200 taken, 404 free). */
  isDomainTaken(domain: string, o?: RequestOptions): Promise<boolean>;
  /** Creates the customer, its tenant and first admin. Not idempotent: a lost answer is resolved by its domain. */
  createCustomer(customer: CustomerCreationInput, o?: RequestOptions): Promise<CreatedCustomer>;
  /** The partner's customers whose domain starts with `domain`. */
  findCustomersByDomain(domain: string, o?: RequestOptions): Promise<Customer[]>;
  /** One customer by id (its tenant id); not found until the reseller relationship exists. */
  getCustomer(customerId: string, o?: RequestOptions): Promise<Customer>;
  /** The invitation link an existing tenant's admin opens to accept the reseller relationship (App+User only). */
  getRelationshipRequestUrl(o?: RequestOptions): Promise<string>;
  /** Asks for a qualification; Partner Center reviews it asynchronously. */
  setCustomerQualification(
    customerId: string,
    qualification: string,
    o?: RequestOptions,
  ): Promise<CustomerQualification>;
  listCustomerQualifications(customerId: string, o?: RequestOptions): Promise<CustomerQualification[]>;
  listProducts(
    q: { country: string; targetView: string; targetSegment?: string },
    o?: RequestOptions,
  ): Promise<Product[]>;
  getProduct(productId: string, q: { country: string }, o?: RequestOptions): Promise<Product>;
  listSkus(productId: string, q: CatalogQuery, o?: RequestOptions): Promise<Sku[]>;
  getSku(productId: string, skuId: string, q: { country: string }, o?: RequestOptions): Promise<Sku>;
  listAvailabilities(productId: string, skuId: string, q: CatalogQuery, o?: RequestOptions): Promise<Availability[]>;
  getAvailability(
    productId: string,
    skuId: string,
    availabilityId: string,
    q: { country: string },
    o?: RequestOptions,
  ): Promise<Availability>;

  createCart(customerId: string, cart: CartInput, o?: RequestOptions): Promise<Cart>;
  getCart(customerId: string, cartId: string, o?: RequestOptions): Promise<Cart>;
  updateCart(customerId: string, cartId: string, cart: CartInput, o?: RequestOptions): Promise<Cart>;
  checkoutCart(customerId: string, cartId: string, o?: RequestOptions): Promise<CartCheckoutResult>;

  getOrder(customerId: string, orderId: string, o?: RequestOptions): Promise<Order>;
  listOrders(customerId: string, o?: RequestOptions): Promise<Order[]>;
  getOrderProvisioningStatus(
    customerId: string,
    orderId: string,
    o?: RequestOptions,
  ): Promise<OrderLineItemProvisioningStatus[]>;

  getSubscription(customerId: string, subscriptionId: string, o?: RequestOptions): Promise<Subscription>;
  listSubscriptions(customerId: string, o?: RequestOptions): Promise<Subscription[]>;
  listSubscriptionsByOrder(customerId: string, orderId: string, o?: RequestOptions): Promise<Subscription[]>;
  /** Sends the full resource (PATCH semantics, reference §6.4) with its etag as If-Match. */
  updateSubscription(
    customerId: string,
    subscription: Subscription,
    o?: RequestOptions & { etag?: string },
  ): Promise<SubscriptionUpdateResult>;
  getSubscriptionProvisioningStatus(
    customerId: string,
    subscriptionId: string,
    o?: RequestOptions,
  ): Promise<SubscriptionProvisioningStatus>;
  /** The targets a subscription may move to now (`immediate`) or at renewal (`scheduled`), each with its reasons (reference §6.9). */
  listTransitionEligibilities(
    customerId: string,
    subscriptionId: string,
    eligibilityType: 'immediate' | 'scheduled',
    o?: RequestOptions,
  ): Promise<TransitionEligibility[]>;
  /** Starts an upgrade or a trial conversion; it completes asynchronously (follow its events with listTransitions). */
  createTransition(
    customerId: string,
    subscriptionId: string,
    transition: TransitionInput,
    o?: RequestOptions,
  ): Promise<Transition>;
  listTransitions(customerId: string, subscriptionId: string, o?: RequestOptions): Promise<Transition[]>;

  /** Agreement templates of a type (`GET /v1/agreements`): a confirmation names the current template id. */
  listAgreementTemplates(agreementType: string, o?: RequestOptions): Promise<AgreementMetadata[]>;
  /** The customer's accepted agreements of a type. */
  listCustomerAgreements(customerId: string, agreementType: string, o?: RequestOptions): Promise<CustomerAgreement[]>;
  /** Confirms the customer's acceptance (App+User only, reference §1.3). */
  createCustomerAgreement(
    customerId: string,
    agreement: CustomerAgreementInput,
    o?: RequestOptions,
  ): Promise<CustomerAgreement>;
  /** The promotions of a market (`GET /v1/productPromotions`). */
  listProductPromotions(q: { country: string; segment: string }, o?: RequestOptions): Promise<ProductPromotion[]>;
  /** Verdicts per item and promotion (`POST /v1/customers/{id}/promotionEligibilities`; reads, changes nothing). */
  checkPromotionEligibilities(
    customerId: string,
    items: PromotionEligibilityInput[],
    o?: RequestOptions,
  ): Promise<PromotionEligibilityItem[]>;
  /** End dates a new subscription of `termDuration` may be co-termed to (reference §6.8). */
  listCustomTermEndDates(
    customerId: string,
    q: { termDuration: string; termStartDate?: string; targetCotermSubscriptionId?: string },
    o?: RequestOptions,
  ): Promise<CustomTermEndDate[]>;

  unbilledReconciliationLineItems(
    q: UnbilledReconciliationQuery,
    o?: RequestOptions,
  ): AsyncIterable<OneTimeInvoiceLineItem>;
  /**
   * One page: the first without a cursor, else the page the cursor points at (the `next` of an
   * earlier page of the same query, possibly from an earlier process). The iterator above is built on it.
   */
  unbilledReconciliationLineItemsPage(
    q: UnbilledReconciliationQuery,
    cursor?: SeekCursor,
    o?: RequestOptions,
  ): Promise<Page<OneTimeInvoiceLineItem>>;
  listInvoices(q?: { size?: number; offset?: number }, o?: RequestOptions): AsyncIterable<Invoice>;
  /** One page of invoices (newest first) and the offset of the next page, absent on the last (offset paging, reference §7). */
  listInvoicesPage(q?: { size?: number; offset?: number }, o?: RequestOptions): Promise<InvoicePage>;
  /**
   * One invoice. `GET /v1/invoices/{id}` is App+User only: an App-only client finds it in the invoice list
   * instead (same resource). Not found → a not-found error.
   */
  getInvoice(invoiceId: string, o?: RequestOptions): Promise<Invoice>;
  /** The invoice's statement PDF. App+User only: an App-only client refuses before calling, saying so. */
  getInvoiceStatement(invoiceId: string, o?: RequestOptions): Promise<Buffer>;
  invoiceReconciliationLineItems(
    invoiceId: string,
    q?: { size?: number },
    o?: RequestOptions,
  ): AsyncIterable<OneTimeInvoiceLineItem>;

  /** The event names a webhook may register for (`GET /webhooks/v1/registration/events`). */
  listWebhookEvents(o?: RequestOptions): Promise<string[]>;
  /** The partner's webhook registration; undefined when there is none. */
  getWebhookRegistration(o?: RequestOptions): Promise<WebhookRegistration | undefined>;
  /** Creates (POST) or updates (PUT) the registration. */
  registerWebhook(
    registration: WebhookRegistrationInput,
    mode: 'create' | 'update',
    o?: RequestOptions,
  ): Promise<WebhookRegistration>;
  deleteWebhookRegistration(o?: RequestOptions): Promise<void>;
  /** Asks Partner Center to send a `test-created` event (2 a minute); answers its correlation id. */
  requestValidationEvent(o?: RequestOptions): Promise<string>;
  /** A validation event's delivery attempts and their results. */
  getValidationEvent(correlationId: string, o?: RequestOptions): Promise<ValidationEvent>;
  /** One page of the activity log (`GET /v1/auditrecords`, 90 days back at most), oldest first. */
  listAuditRecordsPage(
    q: { startDate: string; endDate?: string; filter?: string; size?: number },
    cursor?: SeekCursor,
    o?: RequestOptions,
  ): Promise<Page<AuditRecord>>;
}

export interface ResolvedOffer {
  catalogItemId: string;
  product: Product;
  sku: Sku;
  availability: Availability;
  term: Term;
}

export interface OfferQuery {
  productId: string;
  skuId: string;
  termDuration: string;
  billingCycle: string;
  country: string;
  segment: string;
}

export interface CatalogResolver {
  resolve(q: OfferQuery, o?: RequestOptions): Promise<ResolvedOffer>;
  getByCatalogItemId(
    catalogItemId: string,
    q: { country: string; segment: string; termDuration?: string; billingCycle?: string },
    o?: RequestOptions,
  ): Promise<ResolvedOffer>;
  /** Forget cached catalog reads (after a 400019 "availability not found" at checkout). */
  invalidate(): void;
  /**
   * The same resolutions from fresh cached reads only: one that would read the catalog rejects with
   * CatalogNotCachedError, no call made (a resolver without a cache has none).
   */
  cacheOnly?(): CatalogResolver;
}
