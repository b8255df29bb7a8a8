import { defineQuery, defineUpdate } from '@temporalio/workflow';
import { z } from 'zod';
import { PurchaseStepSchema, type PurchaseStatus } from './types';

/** Messages of `purchaseSubscription` (contract §3), shared by the workflow and its clients. */
export const purchaseStatusQuery = defineQuery<PurchaseStatus>('status');

const personSchema = z.string().trim().min(1, 'must name who decided').max(256);

export const ApproveArgsSchema = z.object({ by: personSchema });
export type ApproveArgs = z.infer<typeof ApproveArgsSchema>;

export const RejectArgsSchema = z.object({
  by: personSchema,
  reason: z.string().trim().min(1, 'must say why').max(1024),
});
export type RejectArgs = z.infer<typeof RejectArgsSchema>;

export const CancelArgsSchema = z.object({ reason: z.string().trim().min(1, 'must say why').max(1024) });
export type CancelArgs = z.infer<typeof CancelArgsSchema>;

export const CancelAcknowledgementSchema = z.object({
  /** Step the purchase was in when the cancel was accepted. */
  step: PurchaseStepSchema,
  /** false: nothing is bought; true: what was bought is cancelled while the 168-hour window allows. */
  afterCheckout: z.boolean(),
});
export type CancelAcknowledgement = z.infer<typeof CancelAcknowledgementSchema>;

export const approvePurchaseUpdate = defineUpdate<PurchaseStatus, [ApproveArgs]>('approve');
export const rejectPurchaseUpdate = defineUpdate<PurchaseStatus, [RejectArgs]>('reject');
export const cancelPurchaseUpdate = defineUpdate<CancelAcknowledgement, [CancelArgs]>('cancel');
