/** A refused credential (401): the same failure type in every context (contract §3). */
export const UNAUTHORIZED = 'Unauthorized';
/** An App+User token without the MFA claim (401/900421): the operator must re-consent with MFA; the same type in every context (contract §3). */
export const MFA_REQUIRED = 'MfaRequired';

/** Failure types that only pass between activities and the workflow; never the end of a run. */
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
