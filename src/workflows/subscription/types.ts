import { z } from 'zod';
import { BillingCycleSchema, OfferSchema, PurchaseRequestSchema, TermDurationSchema } from '../purchase/types';
import { validateWith, type Validation } from '../common/validation';

/**
 * Contract §3 data of `changeSubscription`, plus the shapes its activities exchange with it. Pure zod: used by
 * the activities and upstream clients, and by the workflow only through common/schemas.ts (the rules are in rules.ts).
 */

export { subscriptionChangeWorkflowId } from './ids';

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

export const TransitionTypeSchema = z.enum(['transition_only', 'transition_with_license_transfer']);
const CatalogItemIdSchema = OfferSchema.shape.catalogItemId.unwrap();

/** An upgrade (or conversion) into another offer: now, or at renewal (`scheduled`). */
export const TransitionChangeSchema = z
  .strictObject({
    action: z.literal('transition'),
    toCatalogItemId: CatalogItemIdSchema,
    /** Seats to move; the whole subscription by default. */
    quantity: QuantitySchema.optional(),
    /** Default: with licence transfer where eligible, else transition only. */
    transitionType: TransitionTypeSchema.optional(),
    timing: z.enum(['immediate', 'scheduled']).default('immediate'),
    /** An existing subscription of the target offer to receive the seats (immediate only). */
    toSubscriptionId: z.guid('must be a GUID').optional(),
  })
  .refine((c) => !(c.timing === 'scheduled' && c.toSubscriptionId !== undefined), {
    path: ['toSubscriptionId'],
    message:
      'cannot be given with timing scheduled (a scheduled transition renews into a new term of the same subscription)',
  });

/** A trial into paid, now, into a new subscription: the trial's product's paid offer unless `toCatalogItemId` names another. */
export const ConvertTrialSchema = z.strictObject({
  action: z.literal('convertTrial'),
  toCatalogItemId: CatalogItemIdSchema.optional(),
  /** At least the trial's seats; the trial's seats by default. */
  quantity: QuantitySchema.optional(),
  /** The paid term when no toCatalogItemId names it (P1Y by default). */
  termDuration: TermDurationSchema.optional(),
  /** Default: monthly. */
  billingCycle: BillingCycleSchema.optional(),
});

/** Suspension keeps the subscription billed; reactivation is possible until its term ends. */
export const SuspendSchema = z.strictObject({ action: z.literal('suspend') });
export const ReactivateSchema = z.strictObject({ action: z.literal('reactivate') });

export const SubscriptionChangeSchema = z.discriminatedUnion('action', [
  SetQuantitySchema,
  SetAutoRenewSchema,
  RenameSchema,
  CancelSchema,
  ScheduleNextTermSchema,
  TransitionChangeSchema,
  ConvertTrialSchema,
  SuspendSchema,
  ReactivateSchema,
]);
export type SubscriptionChange = z.infer<typeof SubscriptionChangeSchema>;
export type ChangeAction = SubscriptionChange['action'];
/** The changes that move seats to another offer (transitions.ts in the sandbox; `planTransition` here). */
export type TransitionChange = Extract<SubscriptionChange, { action: 'transition' | 'convertTrial' }>;
/** The changes sent as a PATCH of the subscription itself. */
export type PatchChange = Exclude<SubscriptionChange, TransitionChange>;

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
export function validateSubscriptionChangeRequest(input: unknown): ChangeRequestValidation {
  return validateWith(SubscriptionChangeRequestSchema, input);
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
  /** A trial (absent: Partner Center did not say, so not a trial). */
  isTrial: z.boolean().optional(),
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

export const changeSteps = [
  'validating',
  'reading',
  'checking-eligibility',
  'updating',
  'awaiting-change',
  'completed',
  'failed',
] as const;
export const ChangeStepSchema = z.enum(changeSteps);
export type ChangeStep = z.infer<typeof ChangeStepSchema>;

export const ChangeStatusSchema = z.object({
  step: ChangeStepSchema,
  customerId: z.string().optional(),
  subscriptionId: z.string().optional(),
  lastError: z.string().optional(),
  updatedAt: z.string(),
});
export type SubscriptionChangeStatus = z.infer<typeof ChangeStatusSchema>;

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

export const TransitionEventSchema = z.object({
  name: z.string().optional(),
  status: z.string(),
  timestamp: z.string().optional(),
});

/** A transition as Partner Center reports it, and the subscriptions on both sides once it completed. */
export const TransitionOutcomeSchema = z.object({
  transitionId: z.string().optional(),
  toCatalogItemId: z.string(),
  quantity: z.number().int(),
  transitionType: TransitionTypeSchema,
  events: z.array(TransitionEventSchema),
  /** The subscription that received the seats (a new one unless the request named one). */
  target: SubscriptionViewSchema.optional(),
});
export type TransitionOutcome = z.infer<typeof TransitionOutcomeSchema>;

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
  /** Present for immediate transitions and trial conversions; `after` is then the source subscription. */
  transition: TransitionOutcomeSchema.optional(),
});
export type SubscriptionChangeResult = z.infer<typeof SubscriptionChangeResultSchema>;

// ---- Activity inputs and outputs ----

export interface SubscriptionRef {
  customerId: string;
  subscriptionId: string;
}

export interface ApplyChangeInput extends SubscriptionRef {
  change: PatchChange;
}

/** What the subscription shows once the change has landed (only the fields it sets). */
export interface ChangeTarget {
  quantity?: number;
  autoRenewEnabled?: boolean;
  friendlyName?: string;
  status?: 'deleted' | 'suspended' | 'active';
  scheduledNextTerm?: ScheduledNextTerm;
}

// ---- Transitions (upgrades and trial conversions) ----

export const TransitionEligibilityViewSchema = z.object({
  catalogItemId: z.string(),
  title: z.string().optional(),
  termDuration: z.string().optional(),
  types: z.array(
    z.object({
      transitionType: z.string(),
      isEligible: z.boolean(),
      errors: z.array(z.object({ code: z.union([z.number(), z.string()]), description: z.string().optional() })),
    }),
  ),
  subscriptions: z.array(
    z.object({
      subscriptionId: z.string(),
      isEligible: z.boolean(),
      errors: z.array(z.object({ code: z.union([z.number(), z.string()]), description: z.string().optional() })),
    }),
  ),
});
export type TransitionEligibilityView = z.infer<typeof TransitionEligibilityViewSchema>;

/** The eligibilities read before a transition, and the transitions of the subscription that existed then. */
export interface TransitionEligibilityRead {
  eligibilities: TransitionEligibilityView[];
  existingTransitionIds: string[];
}

export interface ReadEligibilityInput extends SubscriptionRef {
  eligibilityType: 'immediate' | 'scheduled';
}

/** What the workflow decided to post (transition-rules.ts `planTransition`). */
export interface TransitionPlan {
  toCatalogItemId: string;
  quantity: number;
  transitionType: z.infer<typeof TransitionTypeSchema>;
  toSubscriptionId?: string;
  termDuration?: string;
  billingCycle?: string;
}

export interface StartTransitionInput extends SubscriptionRef {
  plan: TransitionPlan;
  /** Transitions that existed before this run: a new one for the same target found by a retry is this run's. */
  existingTransitionIds: string[];
}

export interface StartedTransition {
  transitionId?: string;
  /** True when a retry found the transition an earlier attempt had posted, so nothing was posted again. */
  found: boolean;
}

export interface AwaitTransitionInput extends SubscriptionRef {
  plan: TransitionPlan;
  transitionId?: string;
  existingTransitionIds: string[];
}

export interface CompletedTransition {
  outcome: TransitionOutcome;
  source: SubscriptionView;
}

export interface AwaitChangeInput extends SubscriptionRef {
  target: ChangeTarget;
}

export type ApplyChangeOutcome =
  | { completion: 'immediate' | 'already-in-effect'; subscription: SubscriptionView }
  | { completion: 'accepted'; location: string; target: ChangeTarget };
