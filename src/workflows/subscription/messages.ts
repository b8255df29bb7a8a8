import { defineQuery } from '@temporalio/workflow';
import type { ChangeStatus } from './types';

/** Messages of `changeSubscription` (contract §3), shared by the workflow and its clients. */
export const changeStatusQuery = defineQuery<ChangeStatus>('status');
