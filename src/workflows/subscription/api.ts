/**
 * What callers of `changeSubscription` rely on (contract §3): its id, request and result schemas, status query
 * and failure types. Clients, the CLI and the HTTP API import this file only; the rest of the folder may change.
 */
import type { changeSubscription } from './workflow';

export type SubscriptionChangeWorkflow = typeof changeSubscription;
export { subscriptionFailureTypes, type SubscriptionFailureType } from './failures';
export { subscriptionChangeStatusQuery } from './messages';
export { describeSubscriptionChange } from './rules';
export {
  changeSteps,
  ChangeStatusSchema,
  subscriptionChangeWorkflowId,
  SubscriptionChangeRequestSchema,
  SubscriptionChangeResultSchema,
  SubscriptionChangeSchema,
  validateSubscriptionChangeRequest,
  type ChangeCompletion,
  type SubscriptionChangeStatus,
  type ChangeStep,
  type SubscriptionChange,
  type SubscriptionChangeRequest,
  type SubscriptionChangeResult,
  type SubscriptionView,
  type ValidChangeRequest,
} from './types';
