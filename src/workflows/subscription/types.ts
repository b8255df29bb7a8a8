import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { changeFailureTypes, type ChangeFailureType } from '../common/failure-types';
import { BillingCycleSchema, OfferSchema, PurchaseRequestSchema, TermDurationSchema } from '../purchase/types';
import { invalidRequest, validateWith, type InvalidField, type Validation } from '../common/validation';

/**
 * Contract §3 data of `changeSubscription` and the new-commerce rules it enforces before calling
 * Partner Center. Pure (zod and functions of recorded values): used by the workflow bundle, the
 * activities and upstream clients alike.
 */

/** Contract §3: one workflow per upstream request, so a repeated start finds the same change. */
export function changeWorkflowId(requestId: string): string {
  return `change-${requestId}`;
}

// ---- Request ----

const QuantitySchema = z.number().int('must be a whole number').min(1).max(100_000);

export const SetQuantitySchema = z.strictObject({ action: z.literal('setQuantity'), quantity: QuantitySchema });
export const SetAutoRenewSchema = z.strictObject({ action: z.literal('setAutoRenew'), enabled: z.boolean() });
export const RenameSchema = z.strictObject({ action: z.literal('rename'), friendlyName: z.string().trim().min(1).max(128) });
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
  .refine((c) => c.termDuration !== undefined || c.billingCycle !== undefined || c.quantity !== undefined || c.catalogItemId !== undefined, {
    message: 'must name at least one of termDuration, billingCycle, quantity, catalogItemId',
  });

export const SubscriptionChangeSchema = z.discriminatedUnion('action', [SetQuantitySchema, SetAutoRenewSchema, RenameSchema, CancelSchema, ScheduleNextTermSchema]);
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
    .object({ totalQuantity: z.number().int(), details: z.array(z.object({ quantity: z.number().int(), allowedUntilDateTime: z.string() })) })
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

// ---- New-commerce rules, checked before any PATCH ----

export interface ChangeRefusal {
  type: ChangeFailureType;
  message: string;
  details: Record<string, unknown>;
}

/** A refused change as the non-retryable failure the workflow ends with (the same from the workflow's check and the activity's re-check). */
export function refusalFailure(refusal: ChangeRefusal): ApplicationFailure {
  return ApplicationFailure.create({ type: refusal.type, message: refusal.message, details: [refusal.details], nonRetryable: true });
}

export type ChangeVerdict = { kind: 'allowed'; target: ChangeTarget } | { kind: 'in-effect' } | { kind: 'refused'; refusal: ChangeRefusal };

/**
 * Decides, from a subscription read moments ago, whether `change` may be sent:
 * - only active subscriptions change (suspended, deleted, expired… → ChangeRejected);
 * - a cancellation needs the cancellation window open, a seat reduction enough refundable seats
 *   (→ OutsideCancellationWindow);
 * - scheduled next-term changes need auto-renew (→ ChangeRejected: the request is sound, the
 *   subscription's current state refuses it, exactly as Partner Center would), and a different term
 *   needs the catalogItemId of that term's availability (→ InvalidChangeRequest);
 * - a change the subscription already shows is not sent again.
 */
export function checkChange(view: SubscriptionView, change: SubscriptionChange): ChangeVerdict {
  const refuse = (type: ChangeFailureType, message: string, details: Record<string, unknown> = {}): ChangeVerdict => ({
    kind: 'refused',
    refusal: { type, message: `Subscription ${view.id}: ${message}`, details: { subscriptionId: view.id, ...details } },
  });
  if (change.action === 'cancel' && view.status === 'deleted') return { kind: 'in-effect' };
  if (view.status !== 'active') {
    return refuse(changeFailureTypes.changeRejected, `is ${view.status}; only active subscriptions can be changed`, { code: 'SubscriptionNotActive', status: view.status });
  }
  if (change.action === 'scheduleNextTerm' && change.termDuration !== undefined && change.catalogItemId === undefined) {
    const current = view.scheduledNextTerm?.termDuration ?? view.termDuration;
    if (change.termDuration !== current) {
      return refuse(changeFailureTypes.invalidRequest, `change.catalogItemId is required to renew into ${change.termDuration} (each term is its own availability; today ${current})`, {
        problems: [{ field: 'change.catalogItemId', problem: `is required when termDuration changes from ${current}` }],
      });
    }
  }
  const target = targetOf(view, change);
  if (isInEffect(view, target)) return { kind: 'in-effect' };

  if (change.action === 'cancel' && cancellationWindowClosed(view)) {
    return refuse(changeFailureTypes.outsideCancellationWindow, `the cancellation window has closed${view.cancellationAllowedUntilDate !== undefined ? ` (allowed until ${view.cancellationAllowedUntilDate})` : ''}`, {
      cancellationAllowedUntilDate: view.cancellationAllowedUntilDate,
    });
  }
  if (change.action === 'setQuantity' && change.quantity < view.quantity) {
    const removable = refundableSeats(view);
    const removing = view.quantity - change.quantity;
    if (removable !== undefined && removing > removable) {
      return refuse(changeFailureTypes.outsideCancellationWindow, `cannot remove ${removing} seats: only ${removable} were added within the refundable window`, {
        requested: change.quantity,
        current: view.quantity,
        refundableQuantity: view.refundableQuantity,
      });
    }
  }
  if (change.action === 'scheduleNextTerm' && !view.autoRenewEnabled) {
    return refuse(changeFailureTypes.changeRejected, 'auto-renew is off; scheduled next-term changes apply only at renewal, so enable auto-renew first', { code: 'AutoRenewRequired' });
  }
  return { kind: 'allowed', target };
}

/** What the subscription will show after `change`. Scheduled instructions merge over the ones already scheduled. */
export function targetOf(view: SubscriptionView, change: SubscriptionChange): ChangeTarget {
  switch (change.action) {
    case 'setQuantity':
      return { quantity: change.quantity };
    case 'setAutoRenew':
      return { autoRenewEnabled: change.enabled };
    case 'rename':
      return { friendlyName: change.friendlyName };
    case 'cancel':
      return { status: 'deleted' };
    case 'scheduleNextTerm': {
      const scheduled = view.scheduledNextTerm;
      return {
        scheduledNextTerm: {
          catalogItemId: change.catalogItemId ?? scheduled?.catalogItemId ?? view.catalogItemId,
          termDuration: change.termDuration ?? scheduled?.termDuration ?? view.termDuration,
          billingCycle: change.billingCycle ?? scheduled?.billingCycle ?? view.billingCycle,
          quantity: change.quantity ?? scheduled?.quantity ?? view.quantity,
        },
      };
    }
  }
}

export function isInEffect(view: SubscriptionView, target: ChangeTarget): boolean {
  const same = (a: string | undefined, b: string | undefined) => (a ?? '').toLowerCase() === (b ?? '').toLowerCase();
  const wanted = target.scheduledNextTerm;
  const scheduled = view.scheduledNextTerm;
  return (
    (target.quantity === undefined || view.quantity === target.quantity) &&
    (target.autoRenewEnabled === undefined || view.autoRenewEnabled === target.autoRenewEnabled) &&
    (target.friendlyName === undefined || view.friendlyName === target.friendlyName) &&
    (target.status === undefined || view.status === target.status) &&
    (wanted === undefined ||
      (scheduled !== undefined &&
        same(scheduled.catalogItemId, wanted.catalogItemId) &&
        same(scheduled.termDuration, wanted.termDuration) &&
        same(scheduled.billingCycle, wanted.billingCycle) &&
        scheduled.quantity === wanted.quantity))
  );
}

/**
 * Seats removable now: the refundable batches whose deadline has not passed at `readAt`, or Partner
 * Center's total when it lists no batches. Without refundable-quantity data only a closed cancellation
 * window is conclusive (0); otherwise undefined: Partner Center decides.
 */
export function refundableSeats(view: SubscriptionView): number | undefined {
  const refundable = view.refundableQuantity;
  if (refundable === undefined) return windowPassed(view) ? 0 : undefined;
  if (refundable.details.length === 0) return refundable.totalQuantity;
  const readAt = Date.parse(view.readAt);
  return refundable.details.filter((d) => !(Date.parse(d.allowedUntilDateTime) < readAt)).reduce((sum, d) => sum + d.quantity, 0);
}

/**
 * Cancellation is allowed within 168 hours of purchase or renewal. Closed when the date has passed, or
 * when no seat is refundable any more: the purchase (or renewal) batch is then past its own 168 hours,
 * which is the cancellation window. The second signal also holds when the server's clock is not ours.
 */
export function cancellationWindowClosed(view: SubscriptionView): boolean {
  return windowPassed(view) || refundableSeats(view) === 0;
}

function windowPassed(view: SubscriptionView): boolean {
  const until = view.cancellationAllowedUntilDate;
  return until !== undefined && Date.parse(until) < Date.parse(view.readAt);
}

/** Refund facts for a seat reduction or a cancellation, from the subscription read before it. */
export function refundOf(before: SubscriptionView, change: SubscriptionChange): Refund | undefined {
  const seatsRemoved = change.action === 'cancel' ? before.quantity : change.action === 'setQuantity' ? before.quantity - change.quantity : 0;
  if (seatsRemoved <= 0) return undefined;
  return { seatsRemoved, refundableBefore: before.refundableQuantity, refundOptions: before.refundOptions };
}
