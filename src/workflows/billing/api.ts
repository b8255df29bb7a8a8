/**
 * What callers of `reconcileBilling` rely on (contract §3): request and report schemas, failure types and the
 * run's description. Clients, the CLI and the HTTP API import this file only; the rest of the folder may change.
 */
import type { reconcileBilling } from './workflow';

export type BillingReconciliationWorkflow = typeof reconcileBilling;
export { describeInvalid, type InvalidField } from '../common/validation';
export { billingFailureTypes, type BillingFailureType } from './failures';
export { describeReconcileRequest } from './rules';
export {
  DEFAULT_BILLING_DELAY_HOURS,
  ReconcileReportSchema,
  ReconcileRequestSchema,
  validateReconcileRequest,
  type ReconcileFinding,
  type ReconcileReport,
  type ReconcileRequest,
  type ValidReconcileRequest,
} from './types';
