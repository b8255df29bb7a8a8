/**
 * What callers of `purchaseSubscription` rely on (contract §3): its id, request and result schemas, messages
 * and failure types. Clients, the CLI and the HTTP API import this file only; the rest of the folder may change.
 */
import type { quotePurchase } from './quote';
import type { purchaseSubscription } from './workflow';

export type PurchaseWorkflow = typeof purchaseSubscription;
export type QuoteWorkflow = typeof quotePurchase;
export { purchaseWorkflowId } from './ids';
export { purchaseFailureTypes, type PurchaseFailureType } from './failures';
export { validateWith, type Validation } from '../common/validation';
export { approvePurchaseUpdate, cancelPurchaseUpdate, purchaseStatusQuery, rejectPurchaseUpdate } from './messages';
export { terminalSteps } from './rules';
export {
  ApproveArgsSchema,
  BillingCycleSchema,
  CancelAcknowledgementSchema,
  CancelArgsSchema,
  purchaseSteps,
  PurchaseRequestSchema,
  PurchaseResultSchema,
  PurchaseStatusSchema,
  PurchaseStepSchema,
  QuoteItemSchema,
  QuoteSchema,
  type Quote,
  type QuoteItem,
  SegmentSchema,
  RejectArgsSchema,
  TermDurationSchema,
  validatePurchaseRequest,
  type ApproveArgs,
  type CancelAcknowledgement,
  type CancelArgs,
  type InvalidField,
  type PurchaseRequest,
  type PurchaseResult,
  type PurchaseStatus,
  type PurchaseStep,
  type RejectArgs,
  type ValidPurchaseRequest,
} from './types';
