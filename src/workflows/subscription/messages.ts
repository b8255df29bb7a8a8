import { defineQuery } from '@temporalio/workflow';
import type { SubscriptionChangeStatus } from './types';

/** Messages of `changeSubscription` (contract §3), shared by the workflow and its clients. */
export const subscriptionChangeStatusQuery = defineQuery<SubscriptionChangeStatus>('status');
