import { z } from 'zod';
import { changeFailureTypes } from './failures';
import { BillingCycleSchema, OfferSchema, PurchaseRequestSchema, TermDurationSchema } from '../purchase/types';
import { invalidRequest, validateWith, type InvalidField, type Validation } from '../common/validation';

/**
 * Contract §3 data of `changeSubscription`, plus the shapes its activities exchange with it. Pure zod:
 * used by the workflow bundle, the activities and upstream clients alike (the rules are in rules.ts).
 */

/** Contract §3: one workflow per upstream request, so a repeated start finds the same change. */
export function changeWorkflowId(requestId: string): string {
  return `change-${requestId}`;
}

// ---- Request ----

const QuantitySchema = z.number().int('must be a whole number').min(1).max(100_000);

export const SetQuantitySchema = z.strictObject({ action: z.literal('setQuantity'), quantity: QuantitySchema });
export const SetAutoRenewSchema = z.strictObject({ action: z.literal('setAutoRenew'), enabled: z.boolean() });
export const RenameSchema = z.strictObject({
  action: z.literal('rename'),
  friendlyName: z.string().trim().min(1).max(128),
});
export const CancelSchema = z.strictObject({ action: z.literal('cancel') });
export const ScheduleNextTermSchema = z
  .strictObject({
    action: z.literal('scheduleNextTerm'),
    termDuration: TermDurationSchema.optional(),
    billingCycle: BillingCycleSchema.optional(),
    quantity: QuantitySchema.optional(),
    /** The availability to renew into; without it the current one (so the current term) is kept. */
    catalogItemId: OfferSchema.shape.catalogItemId,
  })
  .refine(
    (c) =>
      c.termDuration !== undefined ||
      c.billingCycle !== undefined ||
      c.quantity !== undefined ||
      c.catalogItemId !== undefined,
    {
      message: 'must name at least one of termDuration, billingCycle, quantity, catalogItemId',
    },
  );

export const SubscriptionChangeSchema = z.discriminatedUnion('action', [
  SetQuantitySchema,
  SetAutoRenewSchema,
  RenameSchema,
  CancelSchema,
  ScheduleNextTermSchema,
]);
export type SubscriptionChange = z.infer<typeof SubscriptionChangeSchema>;
export type ChangeAction = SubscriptionChange['action'];

export const SubscriptionChangeRequestSchema = z.strictObject({
  requestId: PurchaseRequestSchema.shape.requestId,
  customerId: PurchaseRequestSchema.shape.customerId,
  subscriptionId: z.guid('must be a GUID'),
  change: SubscriptionChangeSchema,
});
/** What callers send. */
export type SubscriptionChangeRequest = z.input<typeof SubscriptionChangeRequestSchema>;
/** The request after validation (friendly name trimmed). */
export type ValidChangeRequest = z.output<typeof SubscriptionChangeRequestSchema>;

export type ChangeRequestValidation = Validation<ValidChangeRequest>;

/** Validates without throwing: a workflow task must never fail on bad input. */
export function validateChangeRequest(input: unknown): ChangeRequestValidation {
  return validateWith(SubscriptionChangeRequestSchema, input);
}

/** `InvalidChangeRequest`, naming every bad field. */
export function invalidChangeRequest(problems: readonly InvalidField[]) {
  return invalidRequest(changeFailureTypes.invalidRequest, 'change request', problems);
}

/** One line for people: the Temporal UI summary, logs, `pcw change`. */
export function describeChange(change: SubscriptionChange): string {
  switch (change.action) {
    case 'setQuantity':
      return `set quantity to ${change.quantity}`;
    case 'setAutoRenew':
      return `${change.enabled ? 'enable' : 'disable'} auto-renew`;
    case 'rename':
      return `rename to "${change.friendlyName}"`;
    case 'cancel':
      return 'cancel';
    case 'scheduleNextTerm': {
      const parts = [
        change.catalogItemId !== undefined ? `offer ${change.catalogItemId}` : undefined,
        change.termDuration !== undefined ? `term ${change.termDuration}` : undefined,
        change.billingCycle !== undefined ? `billed ${change.billingCycle}` : undefined,
        change.quantity !== undefined ? `${change.quantity} seats` : undefined,
      ].filter((p) => p !== undefined);
      return `at renewal: ${parts.join(', ')}`;
    }
  }
}

// ---- Subscription as the workflow sees it ----

export const ScheduledNextTermSchema = z.object({
  catalogItemId: z.string(),
  termDuration: z.string().optional(),
  billingCycle: z.string().optional(),
  quantity: z.number().int(),
  customTermEndDate: z.string().optional(),
});
export type ScheduledNextTerm = z.infer<typeof ScheduledNextTermSchema>;

export const RefundOptionSchema = z.object({ type: z.string(), expiresAt: z.string().optional() });

/** The fields of a subscription that changes touch or depend on, as read at `readAt` (the reading activity's clock). */
export const SubscriptionViewSchema = z.object({
  id: z.string(),
  catalogItemId: z.string(),
  quantity: z.number().int(),
  status: z.string(),
  autoRenewEnabled: z.boolean(),
  friendlyName: z.string().optional(),
  termDuration: z.string(),
  billingCycle: z.string(),
  commitmentEndDate: z.string().optional(),
  cancellationAllowedUntilDate: z.string().optional(),
  scheduledNextTerm: ScheduledNextTermSchema.optional(),
  /** Seats that can still be removed for a refund, per batch with its deadline. */
  refundableQuantity: z
    .object({
      totalQuantity: z.number().int(),
      details: z.array(z.object({ quantity: z.number().int(), allowedUntilDateTime: z.string() })),
    })
    .optional(),
  refundOptions: z.array(RefundOptionSchema),
  readAt: z.string(),
});
export type SubscriptionView = z.infer<typeof SubscriptionViewSchema>;

// ---- Result and status ----

export const changeSteps = ['validating', 'reading', 'updating', 'awaiting-change', 'completed', 'failed'] as const;
export const ChangeStepSchema = z.enum(changeSteps);
export type ChangeStep = z.infer<typeof ChangeStepSchema>;

export const ChangeStatusSchema = z.object({
  step: ChangeStepSchema,
  customerId: z.string().optional(),
  subscriptionId: z.string().optional(),
  lastError: z.string().optional(),
  updatedAt: z.string(),
});
export type ChangeStatus = z.infer<typeof ChangeStatusSchema>;

/**
 * How the change ended: `immediate` (PATCH answered 200), `accepted` (202, then followed until the
 * subscription showed it), `already-in-effect` (the subscription already showed it when read, so nothing
 * was sent — also after a retry whose earlier PATCH took effect but lost its response).
 */
export const ChangeCompletionSchema = z.enum(['immediate', 'accepted', 'already-in-effect']);
export type ChangeCompletion = z.infer<typeof ChangeCompletionSchema>;

export const RefundSchema = z.object({
  /** Seats given back (the whole quantity for a cancellation). */
  seatsRemoved: z.number().int(),
  /** Seats that were refundable before the change, and until when. */
  refundableBefore: SubscriptionViewSchema.shape.refundableQuantity,
  /** Partner Center's refund policy of the subscription: full, then partial (prorated), each until a date. */
  refundOptions: z.array(RefundOptionSchema),
});
export type Refund = z.infer<typeof RefundSchema>;

export const SubscriptionChangeResultSchema = z.object({
  requestId: z.string(),
  customerId: z.string(),
  subscriptionId: z.string(),
  change: SubscriptionChangeSchema,
  completion: ChangeCompletionSchema,
  before: SubscriptionViewSchema,
  after: SubscriptionViewSchema,
  /** Present for seat reductions and cancellations. */
  refund: RefundSchema.optional(),
});
export type SubscriptionChangeResult = z.infer<typeof SubscriptionChangeResultSchema>;

// ---- Activity inputs and outputs ----

export interface SubscriptionRef {
  customerId: string;
  subscriptionId: string;
}

export interface ApplyChangeInput extends SubscriptionRef {
  change: SubscriptionChange;
}

/** What the subscription shows once the change has landed (only the fields it sets). */
export interface ChangeTarget {
  quantity?: number;
  autoRenewEnabled?: boolean;
  friendlyName?: string;
  status?: 'deleted';
  scheduledNextTerm?: ScheduledNextTerm;
}

export interface AwaitChangeInput extends SubscriptionRef {
  target: ChangeTarget;
}

export type ApplyChangeOutcome =
  | { completion: 'immediate' | 'already-in-effect'; subscription: SubscriptionView }
  | { completion: 'accepted'; location: string; target: ChangeTarget };
