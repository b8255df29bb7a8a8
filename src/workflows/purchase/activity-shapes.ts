import type { PurchaseItem, Segment, TermDuration, ItemBillingCycle } from './offer';
import type { ValidPurchaseRequest } from './request';
import type { LineError, OrderSummary } from './result';

/** The shapes the purchase's activities exchange with the workflow: plain types, no schema (recorded values). */

export interface ResolveItemsInput {
  country: string;
  segment: Segment;
  currency?: string;
  items: PurchaseItem[];
  /** Set after a stale availability (400019): drop cached catalog data and re-read it. */
  refresh: boolean;
}

/** The item fields that accept an attestation: the customer's, and the partner of record's. */
export type AttestationField = 'attestationAccepted' | 'partnerOnRecordAttestationAccepted';

/** One request item bound to the availability it will be bought from. */
export interface ResolvedItem {
  item: number;
  catalogItemId: string;
  quantity: number;
  termDuration: TermDuration;
  billingCycle: ItemBillingCycle;
  autoRenew: boolean;
  friendlyName?: string;
  promotionId?: string;
  attestationAccepted?: boolean;
  partnerOnRecordAttestationAccepted?: boolean;
  /** The request field the offer's enforced attestation needs (named when the cart still refuses it, 10012). */
  enforcedAttestation?: AttestationField;
  customTermEndDate?: string;
  alignWith?: PurchaseItem['alignWith'];
  provisioningContext?: Record<string, string>;
  /** An add-on's base products ("PRODUCT:SKU", its SKU's `dynamicAttributes.prerequisiteSkus`): named in its line errors. */
  addOnBases?: string[];
}

export type PurchaseAgreement = NonNullable<ValidPurchaseRequest['agreement']>;

export interface CheckAgreementInput {
  customerId: string;
  /** The request carries `agreement`, so a missing acceptance can be confirmed. */
  agreementGiven: boolean;
}

export interface ConfirmAgreementInput {
  customerId: string;
  agreement: PurchaseAgreement;
}

export interface AgreementOutcome {
  /**
   * 'on-record': accepted before (or by an earlier attempt of this purchase); 'to-confirm': missing, and the request
   * carries the agreement to confirm it with; 'confirmed': this call confirmed it.
   */
  outcome: 'on-record' | 'to-confirm' | 'confirmed';
  dateAgreed?: string;
}

export interface CheckPromotionsInput {
  customerId: string;
  country: string;
  segment: Segment;
  onIneligiblePromotion: 'fail' | 'buyWithout';
  items: ResolvedItem[];
}

export interface PromotionDecision {
  item: number;
  /** What the request asked for ('best' or an id). */
  requested: string;
  /** Applied to the cart line; absent when bought without. */
  promotionId?: string;
  /** Why it was not applied (SeatCount …), Partner Center's words. */
  reasons: string[];
}

export interface CheckAddOnBasesInput {
  customerId: string;
  /** Every resolved item: an add-on's base may be bought in the same request. */
  items: ResolvedItem[];
}

export interface ResolveTermEndDatesInput {
  customerId: string;
  items: ResolvedItem[];
}

/** What the prerequisites decided per item, laid over the resolved items before every cart (also a rebuilt one). */
export interface PrerequisiteOverlay {
  promotions: PromotionDecision[];
  customTermEndDates: Array<{ item: number; customTermEndDate: string }>;
  /** Items refused before the cart (an add-on without its base): reported as line errors, never carted. */
  lineErrors?: LineError[];
}

export interface CreateCartInput {
  customerId: string;
  items: ResolvedItem[];
}

export interface CartOutcome {
  cartId: string;
  /** Lines Partner Center accepted (the cart holds only these), with the order group it put each in. */
  lines: Array<{ item: number; catalogItemId: string; orderGroup?: string }>;
  lineErrors: LineError[];
}

export interface CheckoutInput {
  customerId: string;
  cartId: string;
}

export interface CheckoutOutcome {
  orders: OrderSummary[];
  orderErrors: Array<{ orderGroupId: string; code: number | string; description: string }>;
}

export interface AwaitOrderInput {
  customerId: string;
  orderId: string;
}

export interface ProvisionSubscriptionInput {
  customerId: string;
  subscriptionId: string;
  autoRenew: boolean;
  friendlyName?: string;
}

export interface CancelSubscriptionInput {
  customerId: string;
  subscriptionId: string;
}
