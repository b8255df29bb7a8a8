/** `ApplicationFailure` types of contract §3: what upstream callers branch on. */
export const purchaseFailureTypes = {
  invalidRequest: 'InvalidPurchaseRequest',
  catalogItemNotFound: 'CatalogItemNotFound',
  offerNotPurchasable: 'OfferNotPurchasable',
  currencyMismatch: 'CurrencyMismatch',
  cartRejected: 'CartRejected',
  checkoutRejected: 'CheckoutRejected',
  orderNotVisible: 'OrderNotVisible',
  provisioningFailed: 'ProvisioningFailed',
  unauthorized: 'Unauthorized',
  rejected: 'Rejected',
} as const;
export type PurchaseFailureType = (typeof purchaseFailureTypes)[keyof typeof purchaseFailureTypes];

/** Failure types that only pass between activities and the workflow; never the end of a purchase. */
export const internalFailureTypes = {
  /** Catalog item id no longer valid (Partner Center 400019): re-resolve and rebuild the cart once. */
  staleAvailability: 'StaleAvailability',
  /** Polling "not yet" answers; BENIGN, retried by the activity retry policy at the poll interval. */
  orderNotYetVisible: 'OrderNotYetVisible',
  orderPending: 'OrderPending',
  subscriptionNotReady: 'SubscriptionNotReady',
  /** Any other Partner Center failure (transient ones are retried; business ones carry their code). */
  partnerCenter: 'PartnerCenterError',
  throttled: 'PartnerCenterThrottled',
} as const;

/** `ApplicationFailure` types of `changeSubscription` (contract §3). */
export const changeFailureTypes = {
  /** Names every bad field; also a term change without the new term's catalogItemId. */
  invalidRequest: 'InvalidChangeRequest',
  /** Seat reduction or cancellation after the refundable (168-hour) window; nothing was sent. */
  outsideCancellationWindow: 'OutsideCancellationWindow',
  /** Partner Center kept answering 409/800082, or an accepted (202) change did not land in time. Retryable. */
  subscriptionBusy: 'SubscriptionBusy',
  /** The subscription's state or Partner Center refused the change; details carry the Partner Center code. */
  changeRejected: 'ChangeRejected',
} as const;
export type ChangeFailureType = (typeof changeFailureTypes)[keyof typeof changeFailureTypes];

/** `ApplicationFailure` types of `reconcileBilling` (contract §3); a refused credential fails `Unauthorized`. */
export const reconcileFailureTypes = {
  /** Names every bad field; fails before any Partner Center call. */
  invalidRequest: 'InvalidReconcileRequest',
  /** Partner Center refused a read the reconciliation needs (details carry its status and code). */
  partnerCenterRefused: 'ReconciliationFailed',
} as const;
export type ReconcileFailureType = (typeof reconcileFailureTypes)[keyof typeof reconcileFailureTypes];
