import { z } from 'zod';
import { ApproveArgsSchema, RejectArgsSchema } from '../purchase/message-args';
import { PurchaseRequestSchema } from '../purchase/request';
import { validateWith, type Validation } from '../common/validation';
import { LEAD_TIME_RULE, parseLeadTime } from './lead-time';
import { REVIEWS_KEPT } from './lifecycle-bounds';
import { SubscriptionViewSchema } from './types';

/**
 * Contract §3 data of `subscriptionLifecycle`: its input, the renewal policy, the state its `state` query answers,
 * and the shapes its activities exchange with it. Pure zod: workflow code loads it only through common/schemas.ts.
 */

// ---- Policy and input ----

export const reviewModes = ['off', 'propose', 'apply'] as const;

const SeatsSchema = z.number().int('must be a whole number').min(0).max(100_000);

/** Strict: an unknown field is refused (a misspelt `minSeat` must not silently plan below what was meant). */
export const RenewalPolicySchema = z.strictObject({
  /** `propose` waits for approvePlan/rejectPlan; `apply` schedules the plan at once; `off` never reviews. */
  review: z.enum(reviewModes).default('propose'),
  /** How long before the term ends the review runs; RENEWAL_REVIEW_LEAD when absent. */
  leadTime: z
    .string()
    .refine((text) => parseLeadTime(text) !== undefined, LEAD_TIME_RULE)
    .optional(),
  /** Never plan below this many seats. */
  minSeats: SeatsSchema.optional(),
  /** Seats kept above those assigned. */
  headroom: SeatsSchema.default(0),
  /** Also review monthly terms (they renew every month; by default only annual and triennial anniversaries). */
  includeMonthly: z.boolean().default(false),
});
/** What callers send. */
export type RenewalPolicy = z.input<typeof RenewalPolicySchema>;
/** The policy with its defaults filled in, as the state shows it. */
export type ValidRenewalPolicy = z.output<typeof RenewalPolicySchema>;

export const planStatuses = ['proposed', 'approved', 'applied', 'rejected', 'lost'] as const;

/** The next term's quantity the review decided, and where it stands. */
export const RenewalPlanSchema = z.object({
  /** Seats for the next term. */
  quantity: z.number().int(),
  currentQuantity: z.number().int(),
  /** Seats assigned of the licence SKU when the plan was made (every subscription of that SKU counted). */
  assigned: z.number().int(),
  /** When the term ends and the plan takes effect. */
  renewsAt: z.string(),
  status: z.enum(planStatuses),
  /** Why this quantity, in words. */
  reason: z.string(),
  /** Who approved or rejected it, and why it was rejected. */
  decidedBy: z.string().optional(),
  rejectionReason: z.string().optional(),
  /** How many times it was sent as a scheduled change (each attempt is its own changeSubscription run). */
  attempts: z.number().int().min(0),
});
export type RenewalPlan = z.infer<typeof RenewalPlanSchema>;

/** Licences of the subscription's SKU in the customer's tenant, as read at review time. */
export const LicenceUsageSchema = z.object({
  skuId: z.string(),
  skuPartNumber: z.string().optional(),
  /** Seats assigned (`consumedUnits`), across every subscription of the SKU. */
  assigned: z.number().int(),
  /** Seats of the SKU across those subscriptions. */
  total: z.number().int(),
  /** The catalog SKU's minimum quantity in the customer's market, when the catalog says: no plan goes below it. */
  skuMinimumQuantity: z.number().int().optional(),
  /** The other subscriptions of the SKU: their seats and, when Partner Center knows them, when they renew. */
  siblings: z.array(
    z.object({
      subscriptionId: z.string(),
      seats: z.number().int(),
      renewsAt: z.string().optional(),
      /** Seats of their next term: the scheduled quantity, their seats, or 0 when they expire (auto-renew off). */
      nextTermSeats: z.number().int().optional(),
      /** Their next term is decided (a scheduled change, or auto-renew off): no review of theirs will cut it now. */
      nextTermSettled: z.boolean().optional(),
    }),
  ),
  readAt: z.string(),
});
export type LicenceUsage = z.infer<typeof LicenceUsageSchema>;

export const reviewOutcomes = [
  'plan-proposed',
  'plan-applied',
  'nothing-to-cut',
  'expiring',
  'usage-unavailable',
] as const;

/** Issue 27: the day the subscription's offer leaves the catalog (the market's `licensebasedeos` price sheet). */
export const EndOfSaleSchema = z.object({
  /** After it the subscription renews no more: it expires at the end of the term that follows. */
  date: z.string(),
});
export type EndOfSale = z.infer<typeof EndOfSaleSchema>;

/** One review: what it found and decided. */
export const RenewalReviewSchema = z.object({
  reviewedAt: z.string(),
  renewsAt: z.string(),
  outcome: z.enum(reviewOutcomes),
  currentQuantity: z.number().int(),
  assigned: z.number().int().optional(),
  plannedQuantity: z.number().int().optional(),
  note: z.string(),
  /** When the offer is on the end-of-sale list of the customer's market. */
  endOfSale: EndOfSaleSchema.optional(),
  /** `end of sale unknown: <reason>` when the list could not be read (e.g. no App+User access): the review went on. */
  endOfSaleUnknown: z.string().optional(),
});
export type RenewalReview = z.infer<typeof RenewalReviewSchema>;

/** What one run hands the next when it continues as new (set by the run itself; callers leave it out). */
export const CarriedStateSchema = z.object({
  reviews: z.array(RenewalReviewSchema).max(REVIEWS_KEPT),
  plan: RenewalPlanSchema.optional(),
  usage: LicenceUsageSchema.optional(),
});
export type CarriedState = z.infer<typeof CarriedStateSchema>;

/**
 * The subscription as adoption listed it, only the fields the lifecycle uses: the first run starts from it instead of
 * reading it again (10,000 adopted subscriptions would otherwise cost 10,000 reads of the budget before they idle).
 */
export const ListedSubscriptionSchema = SubscriptionViewSchema.pick({
  id: true,
  catalogItemId: true,
  quantity: true,
  status: true,
  autoRenewEnabled: true,
  friendlyName: true,
  termDuration: true,
  billingCycle: true,
  isTrial: true,
  commitmentEndDate: true,
  scheduledNextTerm: true,
  readAt: true,
}).strict();
export type ListedSubscription = z.infer<typeof ListedSubscriptionSchema>;

export const LifecycleInputSchema = z
  .strictObject({
    customerId: PurchaseRequestSchema.shape.customerId,
    subscriptionId: z.guid('must be a GUID'),
    policy: RenewalPolicySchema.prefault({}),
    /** Set by adoption (callers may leave it out: the run then reads the subscription). */
    listed: ListedSubscriptionSchema.optional(),
    carried: CarriedStateSchema.optional(),
  })
  .superRefine(({ listed, subscriptionId }, ctx) => {
    if (listed === undefined || listed.id.toLowerCase() === subscriptionId.toLowerCase()) return;
    ctx.addIssue({ code: 'custom', path: ['listed', 'id'], message: 'must be the subscriptionId', input: listed.id });
  });
/** What callers send: `{ customerId, subscriptionId, policy?, listed? }`. */
export type LifecycleInput = z.input<typeof LifecycleInputSchema>;
export type ValidLifecycleInput = z.output<typeof LifecycleInputSchema>;

/** Validates without throwing: a workflow task must never fail on bad input. */
export function validateLifecycleInput(input: unknown): Validation<ValidLifecycleInput> {
  return validateWith(LifecycleInputSchema, input);
}

export function validateRenewalPolicy(policy: unknown): Validation<ValidRenewalPolicy> {
  return validateWith(RenewalPolicySchema, policy);
}

// ---- State ----

export const lifecycleSteps = [
  'reading',
  'awaiting-review',
  'reviewing',
  'awaiting-renewal-approval',
  'applying',
  'awaiting-renewal',
  'renewing',
  'ended',
] as const;
export const LifecycleStepSchema = z.enum(lifecycleSteps);
export type LifecycleStep = z.infer<typeof LifecycleStepSchema>;

/** The `state` query's answer, and the run's result once the subscription is gone. */
export const LifecycleStateSchema = z.object({
  customerId: z.string(),
  subscriptionId: z.string(),
  /** As last read (absent before the first read, and once Partner Center no longer knows it). */
  subscription: SubscriptionViewSchema.optional(),
  policy: RenewalPolicySchema,
  step: LifecycleStepSchema,
  /** When the term's review runs (absent once done, or when the subscription is not reviewed). */
  nextReviewAt: z.string().optional(),
  /** When the current term ends. */
  renewsAt: z.string().optional(),
  plan: RenewalPlanSchema.optional(),
  usage: LicenceUsageSchema.optional(),
  /** The offer's end of sale, as this term's review found it on the end-of-sale list (absent: not on it, or unknown). */
  endOfSale: EndOfSaleSchema.optional(),
  /** The last reviews, newest last. */
  reviews: z.array(RenewalReviewSchema),
  /** What is going wrong now, e.g. `usage unavailable: 403 …`. */
  lastError: z.string().optional(),
  updatedAt: z.string(),
});
export type LifecycleState = z.infer<typeof LifecycleStateSchema>;

// ---- Messages ----

export const ApprovePlanArgsSchema = ApproveArgsSchema.strict();
export type ApprovePlanArgs = z.infer<typeof ApprovePlanArgsSchema>;
export const RejectPlanArgsSchema = RejectArgsSchema.strict();
export type RejectPlanArgs = z.infer<typeof RejectPlanArgsSchema>;
export const SubscriptionChangedArgsSchema = z.object({ source: z.string().trim().min(1).max(256) });
export type SubscriptionChangedArgs = z.infer<typeof SubscriptionChangedArgsSchema>;

// ---- Activities ----

export interface LifecycleRead {
  /** Absent when Partner Center no longer knows the subscription (404). */
  subscription?: z.infer<typeof SubscriptionViewSchema>;
  readAt: string;
}

export interface EndOfSaleInput {
  customerId: string;
  /** The subscription's `product:sku:availability`. */
  catalogItemId: string;
}

/** What the end-of-sale list says of an offer: its date, nothing (not on it), or why it could not be read. */
export interface EndOfSaleLookup {
  endOfSale?: EndOfSale;
  unknown?: string;
}

export interface ReadUsageInput {
  customerId: string;
  subscriptionId: string;
}

/** An entry of LicenceUsage.siblings: another subscription of the SKU. */
export type SkuSibling = LicenceUsage['siblings'][number];

/** A review's licence read: the subscription and its `product:sku:availability` (for the SKU's minimum). */
export interface TenantLicencesInput extends ReadUsageInput {
  catalogItemId: string;
}

/**
 * The licences of a subscription's SKU as the customer's tenant shows them (Microsoft Graph), with the catalog SKU's
 * minimum: no Partner Center read but the catalog's, cached per process. The review reads each other subscription of
 * the SKU from Partner Center as an activity of its own.
 */
export interface TenantLicences extends Omit<LicenceUsage, 'siblings'> {
  /** The SKU's other subscriptions in the tenant's directory, with their seats there. */
  others: Array<{ subscriptionId: string; seats: number }>;
}
