import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type {
  ApprovePlanArgs,
  LifecycleState,
  RejectPlanArgs,
  RenewalPolicy,
  SubscriptionChangedArgs,
} from './lifecycle-types';
import type { SubscriptionChangeStatus } from './types';

/** Messages of `changeSubscription` (contract §3), shared by the workflow and its clients. */
export const subscriptionChangeStatusQuery = defineQuery<SubscriptionChangeStatus>('status');

/** Messages of `subscriptionLifecycle` (contract §3); their argument schemas are in lifecycle-types.ts. */
export const lifecycleStateQuery = defineQuery<LifecycleState>('state');
export const approvePlanUpdate = defineUpdate<LifecycleState, [ApprovePlanArgs]>('approvePlan');
export const rejectPlanUpdate = defineUpdate<LifecycleState, [RejectPlanArgs]>('rejectPlan');
export const setPolicyUpdate = defineUpdate<LifecycleState, [RenewalPolicy]>('setPolicy');
export const subscriptionChangedSignal = defineSignal<[SubscriptionChangedArgs]>('subscriptionChanged');
