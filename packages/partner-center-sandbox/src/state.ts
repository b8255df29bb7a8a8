import type { BillingCycle, Catalog, Country, TermDuration } from './catalog';
import type { SandboxRandom } from './random';

/** Everything the sandbox remembers, in memory (optionally saved to a JSON file by the server). */

export interface Partner {
  tenantId: string;
  name: string;
  mpnId: string;
}

export interface Customer {
  id: string;
  partnerTenantId: string;
  companyName: string;
  domain: string;
  country: Country;
  /** Given when the partner created the customer (`POST /v1/customers`); absent for seeded and invited ones. */
  billingProfile?: BillingProfile;
}

/** The billing profile a customer was created with (its `defaultAddress` holds the contact). */
export interface BillingProfile {
  email: string;
  culture: string;
  language: string;
  companyName: string;
  defaultAddress: {
    country: string;
    city: string;
    state?: string;
    addressLine1: string;
    addressLine2?: string;
    postalCode: string;
    firstName: string;
    lastName: string;
    phoneNumber?: string;
  };
}

export type QualificationName = 'Education' | 'GovernmentCommunityCloud' | 'StateOwnedEntity';
export type VettingStatus = 'InReview' | 'Approved' | 'Denied';

/** A customer's qualification request (onboarding.ts): in review until `reviewedAt`, then approved or denied. */
export interface CustomerQualification {
  customerId: string;
  qualification: QualificationName;
  vettingStatus: VettingStatus;
  vettingReason?: string;
  requestedAt: number;
  /** Whether the request carried a validation code (GovernmentCommunityCloud needs one). */
  withCode: boolean;
}

/** A GDAP relationship on the Graph host (gdap.ts): created → approvalPending (lockForApproval) → active (approved). */
export interface GdapRelationship {
  id: string;
  partnerTenantId: string;
  displayName: string;
  /** ISO 8601 days (`P730D`). */
  duration: string;
  customerId: string;
  roleDefinitionIds: string[];
  autoExtendDuration: string;
  status: 'created' | 'approvalPending' | 'active';
  createdAt: number;
  lastModifiedAt: number;
  activatedAt?: number;
  endAt?: number;
}

/** A security group's roles in a GDAP relationship: `pending`, then `active` `accessAssignmentMs` after its creation. */
export interface GdapAccessAssignment {
  id: string;
  relationshipId: string;
  securityGroupId: string;
  roleDefinitionIds: string[];
  createdAt: number;
}

/** A customer's acceptance of a Microsoft agreement (`GET/POST /v1/customers/{id}/agreements`). */
export interface CustomerAgreement {
  customerId: string;
  type: string;
  templateId: string;
  dateAgreed: string;
  agreementLink: string;
  primaryContact: { firstName: string; lastName: string; email: string; phoneNumber?: string };
  /** Partner user who confirmed it (absent for the seeded acceptances). */
  userId?: string;
}

export interface CartLineError {
  errorCode: number;
  errorDescription: string;
}

export interface CartLine {
  id: number;
  catalogItemId: string;
  quantity: number;
  billingCycle: BillingCycle;
  termDuration: TermDuration;
  friendlyName?: string;
  promotionId?: string;
  customTermEndDate?: string;
  provisioningContext: Record<string, string>;
  participants?: Array<{ key: string; value: string }>;
  attestationAccepted?: boolean;
  orderGroup: string;
  currencyCode: string;
  unitPrice: number;
  error?: CartLineError;
}

export interface Cart {
  id: string;
  customerId: string;
  createdAt: number;
  modifiedAt: number;
  expiresAt: number;
  lastModifiedUser: string;
  status: 'Active' | 'Ordered';
  lines: CartLine[];
  partnerOnRecordAttestationAccepted?: boolean;
  /** The first successful checkout's result, replayed by later checkouts (idempotent per cart). */
  checkoutResult?: {
    orderIds: string[];
    orderErrors: Array<{ orderGroupId: string; code: number; description: string }>;
  };
  checkoutInFlight: boolean;
}

export interface OrderLine {
  lineItemNumber: number;
  offerId: string;
  quantity: number;
  termDuration: TermDuration;
  billingCycle: BillingCycle;
  friendlyName: string;
  unitPrice: number;
  promotionId?: string;
  customTermEndDate?: string;
  provisioningContext: Record<string, string>;
  subscriptionId?: string;
}

export interface Order {
  id: string;
  customerId: string;
  cartId: string;
  createdAt: number;
  completesAt: number;
  listVisibleAt: number;
  status: 'pending' | 'completed';
  billingCycle: BillingCycle;
  currencyCode: string;
  lines: OrderLine[];
}

export interface ScheduledNextTerm {
  productId: string;
  skuId: string;
  availabilityId: string;
  billingCycle: BillingCycle;
  termDuration: TermDuration;
  promotionId?: string;
  quantity: number;
  customTermEndDate?: string;
}

/** The writable part of a subscription after a PATCH (full-body semantics already applied). */
export interface SubscriptionUpdate {
  quantity: number;
  autoRenewEnabled: boolean;
  status: SubscriptionStatus;
  friendlyName: string;
  scheduledNextTerm?: ScheduledNextTerm;
}

export type SubscriptionStatus = 'active' | 'suspended' | 'deleted' | 'expired' | 'pending' | 'disabled';

export interface Subscription {
  id: string;
  customerId: string;
  orderId: string;
  productId: string;
  skuId: string;
  availabilityId: string;
  offerName: string;
  friendlyName: string;
  quantity: number;
  termDuration: TermDuration;
  billingCycle: BillingCycle;
  status: SubscriptionStatus;
  autoRenewEnabled: boolean;
  isTrial: boolean;
  createdAt: number;
  /** Start of the current term. */
  termStart: number;
  /** Last day of the current term (inclusive, midnight UTC). */
  commitmentEnd: number;
  cancellationAllowedUntil: number;
  /** Seats added within their 168-hour window, newest last: only these can be removed. */
  refundableBatches: Array<{ quantity: number; allowedUntil: number }>;
  scheduledNextTerm?: ScheduledNextTerm;
  promotionId?: string;
  /** Billing cycles of the current term already charged after its start (a one-year term billed monthly has 11). */
  cyclesBilled?: number;
  unitPrice: number;
  currencyCode: string;
  etag: string;
  /** A 202-accepted PATCH in progress: applied, and the subscription writable again, at `until`. */
  pendingUpdate?: { until: number; update: SubscriptionUpdate };
  provisioning: { readyAt: number; forced?: 'success' | 'pending' | 'failed' };
}

/** A new-commerce transition (upgrade or trial conversion, transitions.ts): asynchronous, done at `completesAt`. */
export interface Transition {
  id: string;
  customerId: string;
  fromSubscriptionId: string;
  fromCatalogItemId: string;
  toCatalogItemId: string;
  /** Given in the request, or the subscription created when the transition completes. */
  toSubscriptionId?: string;
  quantity: number;
  transitionType: 'transition_only' | 'transition_with_license_transfer';
  termDuration: TermDuration;
  billingCycle: BillingCycle;
  createdAt: number;
  completesAt: number;
  events: Array<{ name: 'Conversion' | 'LicenseReassignment'; status: 'Started' | 'Completed' | 'Failed'; at: number }>;
}

export interface ReconLine {
  /** Sandbox time the charge happened; decides the `current`/`previous` period. */
  at: number;
  partnerTenantId: string;
  currency: string;
  item: Record<string, unknown>;
}

export interface Invoice {
  id: string;
  partnerTenantId: string;
  invoiceDate: number;
  periodStart: number;
  periodEnd: number;
  currencyCode: string;
  currencySymbol: string;
  lines: Array<Record<string, unknown>>;
  /** Not new commerce: the Graph billed export fails with code 5000 (use the v1 line items). */
  legacy?: boolean;
  /** A synthetic invoice whose Graph export has this many generated lines (the bench); `lines` stays empty. */
  generatedLines?: number;
  /** The subscriptions the generated lines bill, in turn; absent: synthetic ones of no customer of the partner. */
  generatedOwners?: GeneratedOwner[];
}

/**
 * A subscription a generated export bills, as it was when the invoice was made: its lines' charges net to `seats`
 * (its own seats, or deliberately not), starting with a `chargeType` charge on `chargeDate`.
 */
export interface GeneratedOwner {
  customer: Pick<Customer, 'id' | 'companyName' | 'domain' | 'country'>;
  subscription: Pick<
    Subscription,
    | 'id'
    | 'orderId'
    | 'productId'
    | 'skuId'
    | 'availabilityId'
    | 'offerName'
    | 'friendlyName'
    | 'termDuration'
    | 'billingCycle'
    | 'termStart'
    | 'commitmentEnd'
    | 'isTrial'
    | 'unitPrice'
    | 'currencyCode'
  >;
  orderDate: number;
  chargeType: 'new' | 'renew' | 'cycleCharge';
  chargeDate: number;
  seats: number;
}

export interface Delays {
  orderCompletionMs: number;
  orderListMs: number;
  subscriptionProvisioningMs: number;
  /** 0 = PATCH answers 200 at once; > 0 = 202 + Location and the change lands after this long. */
  patchAcceptedMs: number;
  /** How long a checkout is "being processed" (a concurrent checkout of the same cart gets 409/800064). */
  checkoutMs: number;
  /** How long after a charge its reconciliation line item appears (production: hours, up to days). */
  reconLineMs: number;
  /** How long after its creation a subscription's licences show in the customer's tenant (Microsoft Graph). */
  licenceVisibilityMs: number;
  /** How long a customer's qualification stays `InReview` before it is approved (or denied). */
  qualificationReviewMs: number;
  /** How long a GDAP access assignment stays `pending` before it is `active`. */
  accessAssignmentMs: number;
}

/** A user of a customer's tenant, as far as licences go (Microsoft Graph `user`). */
export interface TenantUser {
  id: string;
  userPrincipalName: string;
  displayName: string;
  /** Absent: Graph refuses to assign this user a licence. */
  usageLocation?: string;
  /** Licence SKU ids (Graph GUIDs, tenant.ts) assigned to the user. */
  assignedSkuIds: string[];
}

/** A customer's Microsoft Entra tenant (tenant.ts): its users; its subscriptions are the customer's Partner Center ones. */
export interface CustomerTenant {
  customerId: string;
  users: TenantUser[];
  /** false: the partner holds no GDAP role in the tenant, so every Graph call for it answers 403. */
  gdapAccess: boolean;
}

export interface Counters {
  requests: Record<string, number>;
  ordersPerCart: Record<string, number>;
  replayedRequests: number;
}

export interface World {
  seed: number;
  random: SandboxRandom;
  catalog: Catalog;
  partners: Partner[];
  customers: Map<string, Customer>;
  carts: Map<string, Cart>;
  orders: Map<string, Order>;
  subscriptions: Map<string, Subscription>;
  transitions: Map<string, Transition>;
  recon: ReconLine[];
  invoices: Invoice[];
  /** Seats sold per inventory-checked SKU ("PRODUCT:SKU"). */
  inventorySold: Map<string, number>;
  /** Agreement acceptances on record; every seeded customer starts with its MCA accepted (docs/sandbox.md). */
  agreements: CustomerAgreement[];
  /** Customers' tenants by customer id (= tenant id), created on first use (tenant.ts). */
  tenants: Map<string, CustomerTenant>;
  /** Qualification requests by customer id (one per customer: a qualification is irreversible). */
  qualifications: Map<string, CustomerQualification>;
  gdapRelationships: Map<string, GdapRelationship>;
  gdapAccessAssignments: Map<string, GdapAccessAssignment>;
  counters: Counters;
}
