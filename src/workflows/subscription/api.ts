/**
 * What callers of `changeSubscription` rely on (contract §3): its id, request and result schemas, status query
 * and failure types. Clients, the CLI and the HTTP API import this file only; the rest of the folder may change.
 */
import type { changeSubscription } from './workflow';

export type ChangeWorkflow = typeof changeSubscription;
export { changeFailureTypes, type ChangeFailureType } from './failures';
export { changeStatusQuery } from './messages';
export { describeChange } from './rules';
export {
  changeSteps,
  ChangeStatusSchema,
  changeWorkflowId,
  SubscriptionChangeRequestSchema,
  SubscriptionChangeResultSchema,
  SubscriptionChangeSchema,
  validateChangeRequest,
  type ChangeCompletion,
  type ChangeStatus,
  type ChangeStep,
  type SubscriptionChange,
  type SubscriptionChangeRequest,
  type SubscriptionChangeResult,
  type SubscriptionView,
  type ValidChangeRequest,
} from './types';
