import { z } from 'zod';
import { PurchaseStepSchema } from './result';

/** Arguments of the purchase's updates (messages.ts), and what the cancel update answers. */

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
