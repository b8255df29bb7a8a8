import { z } from 'zod';
import { validateWith, type Validation } from '../common/validation';

export type { InvalidField } from '../common/validation';

/**
 * Contract §3 data of `purchaseSubscription`, plus the shapes its activities exchange with it.
 * Pure zod: imported by the workflow bundle, the activities and upstream clients alike.
 */

export const purchaseSteps = [
  'validating',
  'resolving',
  'awaiting-approval',
  'carting',
  'checking-out',
  'awaiting-order',
  'provisioning',
  'completed',
  'partial',
  'failed',
  'cancelled',
] as const;
export const PurchaseStepSchema = z.enum(purchaseSteps);
export type PurchaseStep = z.infer<typeof PurchaseStepSchema>;

export const TermDurationSchema = z.enum(['P1M', 'P1Y', 'P3Y']);
export type TermDuration = z.infer<typeof TermDurationSchema>;
export const BillingCycleSchema = z.enum(['monthly', 'annual', 'triennial']);
export type BillingCycle = z.infer<typeof BillingCycleSchema>;
/** An item's billing cycle: 'none' buys a trial (one month, fixed seats, converted or expired at day 30). */
export const ItemBillingCycleSchema = z.enum([...BillingCycleSchema.options, 'none']);
export type ItemBillingCycle = z.infer<typeof ItemBillingCycleSchema>;
export const SegmentSchema = z.enum(['commercial', 'education', 'government', 'nonprofit']);
export type Segment = z.infer<typeof SegmentSchema>;

/** Months covered by one term or one billing period; a billing period may not outlast its term (Partner Center 900270). */
const monthsOf: Record<TermDuration | ItemBillingCycle, number> = {
  none: 1,
  P1M: 1,
  P1Y: 12,
  P3Y: 36,
  monthly: 1,
  annual: 12,
  triennial: 36,
};

const catalogIdPart = /^[A-Za-z0-9]+$/;
const CatalogIdPartSchema = z.string().regex(catalogIdPart, 'must be a non-empty alphanumeric id');

export const OfferSchema = z
  .strictObject({
    catalogItemId: z
      .string()
      .regex(/^[A-Za-z0-9]+:[A-Za-z0-9]+:[A-Za-z0-9]+$/, 'must look like PRODUCT:SKU:AVAILABILITY')
      .optional(),
    productId: CatalogIdPartSchema.optional(),
    skuId: CatalogIdPartSchema.optional(),
  })
  .superRefine((offer, ctx) => {
    const byId = offer.catalogItemId !== undefined;
    const byProduct = offer.productId !== undefined || offer.skuId !== undefined;
    if (byId && byProduct) {
      ctx.addIssue({ code: 'custom', message: 'give either catalogItemId or productId + skuId, not both' });
    } else if (!byId && (offer.productId === undefined || offer.skuId === undefined)) {
      for (const field of ['productId', 'skuId'] as const) {
        if (offer[field] === undefined) {
          ctx.addIssue({
            code: 'custom',
            path: [field],
            message: byProduct ? 'is required with the other' : 'give catalogItemId or productId + skuId',
          });
        }
      }
    }
  });

export const PurchaseItemSchema = z
  .strictObject({
    offer: OfferSchema,
    quantity: z.number().int('must be a whole number').min(1).max(100_000),
    termDuration: TermDurationSchema,
    billingCycle: ItemBillingCycleSchema,
    autoRenew: z.boolean().default(true),
    friendlyName: z.string().trim().min(1).max(128).optional(),
    /** A promotion id, or 'best': the eligible promotion with the largest discount. */
    promotionId: z.string().min(1).max(128).optional(),
    /** Required where the offer enforces attestation (its SKU's `attestationProperties.enforceAttestation`). */
    attestationAccepted: z.boolean().optional(),
    /** Required where the offer enforces the partner-of-record attestation (attestation type `PartnerOnRecord`). */
    partnerOnRecordAttestationAccepted: z.boolean().optional(),
    customTermEndDate: z.union([z.iso.date(), z.iso.datetime({ offset: true })], 'must be an ISO date').optional(),
    /** Resolves `customTermEndDate`: the end date of an existing subscription, or the end of a calendar month. */
    alignWith: z
      .union([z.strictObject({ subscriptionId: z.guid('must be a GUID') }), z.literal('calendarMonth')])
      .optional(),
    provisioningContext: z.record(z.string().min(1), z.string()).optional(),
  })
  .superRefine((item, ctx) => {
    if (item.alignWith !== undefined && item.customTermEndDate !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['alignWith'],
        message: 'give either alignWith or customTermEndDate, not both',
      });
    }
    if (item.billingCycle === 'none' && item.termDuration !== 'P1M') {
      ctx.addIssue({
        code: 'custom',
        path: ['billingCycle'],
        message: `'none' buys a trial, whose term is P1M, not ${item.termDuration}`,
      });
    } else if (monthsOf[item.billingCycle] > monthsOf[item.termDuration]) {
      ctx.addIssue({
        code: 'custom',
        path: ['billingCycle'],
        message: `${item.billingCycle} billing is longer than the ${item.termDuration} term`,
      });
    }
  });
export type PurchaseItem = z.infer<typeof PurchaseItemSchema>;

export const PurchaseRequestSchema = z.strictObject({
  requestId: z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/, 'must be 1..128 characters of [A-Za-z0-9._:-]'),
  customerId: z.guid('must be a GUID'),
  country: z
    .string()
    .regex(/^[A-Za-z]{2}$/, 'must be an ISO 3166-1 alpha-2 code')
    .transform((c) => c.toUpperCase())
    .default('US'),
  segment: SegmentSchema.default('commercial'),
  currency: z
    .string()
    .regex(/^[A-Za-z]{3}$/, 'must be an ISO 4217 code')
    .transform((c) => c.toUpperCase())
    .optional(),
  requireApproval: z.boolean().default(false),
  /** The customer's signatory: confirms its Microsoft Customer Agreement when none is on record (App+User only). */
  agreement: z
    .strictObject({
      firstName: z.string().trim().min(1).max(100),
      lastName: z.string().trim().min(1).max(100),
      email: z.email('must be an email address'),
      phoneNumber: z.string().trim().min(1).max(40).optional(),
      dateAgreed: z.union([z.iso.date(), z.iso.datetime({ offset: true })], 'must be an ISO date').optional(),
    })
    .optional(),
  /** 'buyWithout': an item whose promotion is not eligible is bought at its list price (and reported), not refused. */
  onIneligiblePromotion: z.enum(['fail', 'buyWithout']).optional(),
  items: z.array(PurchaseItemSchema).min(1, 'must hold at least 1 item').max(50, 'must hold at most 50 items'),
});
/** What callers send (defaults optional). */
export type PurchaseRequest = z.input<typeof PurchaseRequestSchema>;
/** The request after validation, defaults applied. */
export type ValidPurchaseRequest = z.output<typeof PurchaseRequestSchema>;

export type PurchaseRequestValidation = Validation<ValidPurchaseRequest>;

/** Validates without throwing: a workflow task must never fail on bad input. */
export function validatePurchaseRequest(input: unknown): PurchaseRequestValidation {
  return validateWith(PurchaseRequestSchema, input);
}

export const PurchaseStatusSchema = z.object({
  step: PurchaseStepSchema,
  cartId: z.string().optional(),
  orderIds: z.array(z.string()),
  subscriptionIds: z.array(z.string()),
  lastError: z.string().optional(),
  updatedAt: z.string(),
});
export type PurchaseStatus = z.infer<typeof PurchaseStatusSchema>;

export const LineErrorSchema = z.object({
  item: z.number().int(),
  code: z.union([z.number(), z.string()]),
  description: z.string(),
});
export type LineError = z.infer<typeof LineErrorSchema>;

export const OrderSummarySchema = z.object({
  orderId: z.string(),
  status: z.string(),
  lineItems: z.array(
    z.object({
      lineItemNumber: z.number().int(),
      catalogItemId: z.string(),
      quantity: z.number().int(),
      subscriptionId: z.string().optional(),
    }),
  ),
});
export type OrderSummary = z.infer<typeof OrderSummarySchema>;

export const SubscriptionSummarySchema = z.object({
  id: z.string(),
  catalogItemId: z.string(),
  quantity: z.number().int(),
  status: z.string(),
  termDuration: z.string(),
  billingCycle: z.string(),
  autoRenewEnabled: z.boolean(),
  commitmentEndDate: z.string().optional(),
  cancellationAllowedUntilDate: z.string().optional(),
  /** A trial (billing cycle 'none'): converted to paid or expired at its commitment end date. */
  isTrial: z.literal(true).optional(),
});
export type SubscriptionSummary = z.infer<typeof SubscriptionSummarySchema>;

export const SubscriptionCancellationSchema = z.object({
  subscriptionId: z.string(),
  outcome: z.enum(['cancelled', 'not-cancelled']),
  /** What Partner Center said: the refund window that applied, or why it refused. */
  detail: z.string(),
});
export type SubscriptionCancellation = z.infer<typeof SubscriptionCancellationSchema>;

export const PurchaseResultSchema = z.object({
  requestId: z.string(),
  customerId: z.string(),
  cartId: z.string(),
  status: z.enum(['completed', 'partial', 'cancelled']),
  orders: z.array(OrderSummarySchema),
  subscriptions: z.array(SubscriptionSummarySchema),
  lineErrors: z.array(LineErrorSchema),
  /** The promotions the cart applied, per request item (absent when none was asked for). */
  promotions: z.array(z.object({ item: z.number().int(), promotionId: z.string() })).optional(),
  /** The trials the purchase started (billing cycle 'none'), each ending on `trialEndDate` unless converted. */
  trials: z
    .array(
      z.object({
        subscriptionId: z.string(),
        catalogItemId: z.string(),
        quantity: z.number().int(),
        trialEndDate: z.string().optional(),
      }),
    )
    .optional(),
  /** Promotions asked for but not applied ('buyWithout'), with Partner Center's reasons. */
  promotionsNotApplied: z
    .array(z.object({ item: z.number().int(), promotionId: z.string(), reasons: z.array(z.string()) }))
    .optional(),
  /** Present when the `cancel` update ended the purchase. */
  cancellation: z
    .object({
      reason: z.string(),
      afterCheckout: z.boolean(),
      subscriptions: z.array(SubscriptionCancellationSchema),
    })
    .optional(),
});
export type PurchaseResult = z.infer<typeof PurchaseResultSchema>;

// ---- Activity inputs and outputs ----

export interface ResolveItemsInput {
  country: string;
  segment: Segment;
  currency?: string;
  items: PurchaseItem[];
  /** Set after a stale availability (400019): drop cached catalog data and re-read it. */
  refresh: boolean;
}

/** The item fields that accept an attestation: the customer's, and the partner of record's. */
export type AttestationField = 'attestationAccepted' | 'partnerOnRecordAttestationAccepted';

/** One request item bound to the availability it will be bought from. */
export interface ResolvedItem {
  item: number;
  catalogItemId: string;
  quantity: number;
  termDuration: TermDuration;
  billingCycle: ItemBillingCycle;
  autoRenew: boolean;
  friendlyName?: string;
  promotionId?: string;
  attestationAccepted?: boolean;
  partnerOnRecordAttestationAccepted?: boolean;
  /** The request field the offer's enforced attestation needs (named when the cart still refuses it, 10012). */
  enforcedAttestation?: AttestationField;
  customTermEndDate?: string;
  alignWith?: PurchaseItem['alignWith'];
  provisioningContext?: Record<string, string>;
  /** An add-on's base products ("PRODUCT:SKU", its SKU's `dynamicAttributes.prerequisiteSkus`): named in its line errors. */
  addOnBases?: string[];
}

export type PurchaseAgreement = NonNullable<ValidPurchaseRequest['agreement']>;

export interface CheckAgreementInput {
  customerId: string;
  /** The request carries `agreement`, so a missing acceptance can be confirmed. */
  agreementGiven: boolean;
}

export interface ConfirmAgreementInput {
  customerId: string;
  agreement: PurchaseAgreement;
}

export interface AgreementOutcome {
  /**
   * 'on-record': accepted before (or by an earlier attempt of this purchase); 'to-confirm': missing, and the request
   * carries the agreement to confirm it with; 'confirmed': this call confirmed it.
   */
  outcome: 'on-record' | 'to-confirm' | 'confirmed';
  dateAgreed?: string;
}

export interface CheckPromotionsInput {
  customerId: string;
  country: string;
  segment: Segment;
  onIneligiblePromotion: 'fail' | 'buyWithout';
  items: ResolvedItem[];
}

export interface PromotionDecision {
  item: number;
  /** What the request asked for ('best' or an id). */
  requested: string;
  /** Applied to the cart line; absent when bought without. */
  promotionId?: string;
  /** Why it was not applied (SeatCount …), Partner Center's words. */
  reasons: string[];
}

export interface CheckAddOnBasesInput {
  customerId: string;
  /** Every resolved item: an add-on's base may be bought in the same request. */
  items: ResolvedItem[];
}

export interface ResolveTermEndDatesInput {
  customerId: string;
  items: ResolvedItem[];
}

/** What the prerequisites decided per item, laid over the resolved items before every cart (also a rebuilt one). */
export interface PrerequisiteOverlay {
  promotions: PromotionDecision[];
  customTermEndDates: Array<{ item: number; customTermEndDate: string }>;
  /** Items refused before the cart (an add-on without its base): reported as line errors, never carted. */
  lineErrors?: LineError[];
}

export interface CreateCartInput {
  customerId: string;
  items: ResolvedItem[];
}

export interface CartOutcome {
  cartId: string;
  /** Lines Partner Center accepted (the cart holds only these), with the order group it put each in. */
  lines: Array<{ item: number; catalogItemId: string; orderGroup?: string }>;
  lineErrors: LineError[];
}

export interface CheckoutInput {
  customerId: string;
  cartId: string;
}

export interface CheckoutOutcome {
  orders: OrderSummary[];
  orderErrors: Array<{ orderGroupId: string; code: number | string; description: string }>;
}

export interface AwaitOrderInput {
  customerId: string;
  orderId: string;
}

export interface ProvisionSubscriptionInput {
  customerId: string;
  subscriptionId: string;
  autoRenew: boolean;
  friendlyName?: string;
}

export interface CancelSubscriptionInput {
  customerId: string;
  subscriptionId: string;
}

// ---- Arguments of the purchase's updates (messages.ts) ----

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
