/**
 * What callers of `changeSubscription` and `subscriptionLifecycle` rely on (contract §3): their ids, request, result
 * and state schemas, messages and failure types. Clients, the CLI and the HTTP API import this file only; the rest of
 * the folder may change.
 */
import type { subscriptionLifecycle } from './lifecycle';
import type { changeSubscription } from './workflow';

export type SubscriptionChangeWorkflow = typeof changeSubscription;
export type SubscriptionLifecycleWorkflow = typeof subscriptionLifecycle;
export {
  lifecycleFailureTypes,
  subscriptionFailureTypes,
  type LifecycleFailureType,
  type SubscriptionFailureType,
} from './failures';
export {
  approvePlanUpdate,
  lifecycleStateQuery,
  rejectPlanUpdate,
  setPolicyUpdate,
  subscriptionChangedSignal,
  subscriptionChangeStatusQuery,
} from './messages';
export { lifecycleWorkflowId } from './ids';
export {
  ApprovePlanArgsSchema,
  LicenceUsageSchema,
  LifecycleInputSchema,
  LifecycleStateSchema,
  LifecycleStepSchema,
  lifecycleSteps,
  ListedSubscriptionSchema,
  planStatuses,
  RejectPlanArgsSchema,
  RenewalPlanSchema,
  RenewalPolicySchema,
  RenewalReviewSchema,
  reviewModes,
  reviewOutcomes,
  SubscriptionChangedArgsSchema,
  validateLifecycleInput,
  validateRenewalPolicy,
  type ApprovePlanArgs,
  type LicenceUsage,
  type LifecycleInput,
  type LifecycleState,
  type LifecycleStep,
  type ListedSubscription,
  type RejectPlanArgs,
  type RenewalPlan,
  type RenewalPolicy,
  type RenewalReview,
  type SubscriptionChangedArgs,
  type ValidRenewalPolicy,
} from './lifecycle-types';
export { describeSubscriptionChange } from './rules';
export { leadTimeProblem } from './lifecycle-rules';
export { listedSubscription } from './subscription-view';
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
