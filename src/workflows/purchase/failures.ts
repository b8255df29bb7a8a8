import { MFA_REQUIRED, UNAUTHORIZED } from '../common/failure-types';

/** `ApplicationFailure` types a `purchaseSubscription` caller may see (contract §3), decided where the fact is known. */
export const purchaseFailureTypes = {
  invalidRequest: 'InvalidPurchaseRequest',
  catalogItemNotFound: 'CatalogItemNotFound',
  offerNotPurchasable: 'OfferNotPurchasable',
  currencyMismatch: 'CurrencyMismatch',
  agreementRequired: 'AgreementRequired',
  attestationRequired: 'AttestationRequired',
  promotionNotEligible: 'PromotionNotEligible',
  cartRejected: 'CartRejected',
  checkoutRejected: 'CheckoutRejected',
  orderNotVisible: 'OrderNotVisible',
  provisioningFailed: 'ProvisioningFailed',
  unauthorized: UNAUTHORIZED,
  mfaRequired: MFA_REQUIRED,
  rejected: 'Rejected',
} as const;
export type PurchaseFailureType = (typeof purchaseFailureTypes)[keyof typeof purchaseFailureTypes];
