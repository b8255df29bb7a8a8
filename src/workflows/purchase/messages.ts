import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { ApproveArgs, CancelAcknowledgement, CancelArgs, RejectArgs } from './message-args';
import type { PurchaseStatus } from './result';

/**
 * Messages of `purchaseSubscription` (contract §3), shared by the workflow and its clients. Their arguments' zod
 * schemas live in message-args.ts, which workflow code loads only when it needs them (common/schemas.ts).
 */
export const purchaseStatusQuery = defineQuery<PurchaseStatus>('status');

export const approvePurchaseUpdate = defineUpdate<PurchaseStatus, [ApproveArgs]>('approve');
export const rejectPurchaseUpdate = defineUpdate<PurchaseStatus, [RejectArgs]>('reject');
export const cancelPurchaseUpdate = defineUpdate<CancelAcknowledgement, [CancelArgs]>('cancel');
