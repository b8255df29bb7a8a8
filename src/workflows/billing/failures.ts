import { MFA_REQUIRED, UNAUTHORIZED } from '../common/failure-types';

/** `ApplicationFailure` types a `reconcileBilling` caller may see (contract §3). */
export const billingFailureTypes = {
  /** Names every bad field; fails before any Partner Center call. */
  invalidRequest: 'InvalidReconcileRequest',
  /** Partner Center refused a read the reconciliation needs (details carry its status and code). */
  reconciliationFailed: 'ReconciliationFailed',
  unauthorized: UNAUTHORIZED,
  mfaRequired: MFA_REQUIRED,
} as const;
export type BillingFailureType = (typeof billingFailureTypes)[keyof typeof billingFailureTypes];
