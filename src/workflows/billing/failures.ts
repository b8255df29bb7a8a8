import { MFA_REQUIRED, UNAUTHORIZED } from '../common/failure-types';
import type { RunFailurePolicy } from '../common/run-failure';

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

/**
 * How a reconciliation ends (runFailure): every failure the workflow did not decide itself is a ReconciliationFailed,
 * unless its activity's last attempt was refused credentials (Unauthorized, MfaRequired); one out of time says so.
 */
export const billingRunFailures: RunFailurePolicy = {
  fallbackType: billingFailureTypes.reconciliationFailed,
  reportedTypes: new Set([
    billingFailureTypes.unauthorized,
    billingFailureTypes.mfaRequired,
    billingFailureTypes.reconciliationFailed,
  ]),
  rule: ({ last, timedOut }) =>
    timedOut
      ? { message: `Reconciliation did not finish in time${last !== undefined ? ` (last: ${last.message})` : ''}` }
      : {},
};
