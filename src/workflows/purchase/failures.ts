import { internalFailureTypes, MFA_REQUIRED, UNAUTHORIZED } from '../common/failure-types';
import type { RunFailurePolicy } from '../common/run-failure';

/** `ApplicationFailure` types a `purchaseSubscription` caller may see (contract §3), decided where the fact is known. */
export const purchaseFailureTypes = {
  invalidRequest: 'InvalidPurchaseRequest',
  catalogItemNotFound: 'CatalogItemNotFound',
  offerNotPurchasable: 'OfferNotPurchasable',
  currencyMismatch: 'CurrencyMismatch',
  agreementRequired: 'AgreementRequired',
  attestationRequired: 'AttestationRequired',
  promotionNotEligible: 'PromotionNotEligible',
  /** The price sheet prices an item above the request's `maxUnitPrice` or the request above its `maxTotal`. */
  priceAboveLimit: 'PriceAboveLimit',
  /** The market's price sheet has no row for a resolved item (its term, billing plan, segment or quantity tier). */
  priceNotFound: 'PriceNotFound',
  cartRejected: 'CartRejected',
  checkoutRejected: 'CheckoutRejected',
  orderNotVisible: 'OrderNotVisible',
  provisioningFailed: 'ProvisioningFailed',
  unauthorized: UNAUTHORIZED,
  mfaRequired: MFA_REQUIRED,
  rejected: 'Rejected',
} as const;
export type PurchaseFailureType = (typeof purchaseFailureTypes)[keyof typeof purchaseFailureTypes];

/**
 * How a purchase ends (runFailure): with the type the activity decided where the fact was known, or PartnerCenterError.
 * Its pollers running out of time are judged at their step (step-failures.ts), where the order or subscription is known.
 */
export const purchaseRunFailures: RunFailurePolicy = { fallbackType: internalFailureTypes.partnerCenter };
