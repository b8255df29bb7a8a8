import { z } from 'zod';
import { validateWith, type Validation } from '../common/validation';
import { PurchaseItemSchema, SegmentSchema } from './offer';

/** The request `purchaseSubscription` is started with (contract §3), and its validation. */

export const PurchaseRequestSchema = z
  .strictObject({
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
    /** Price guard: the most the purchase may cost per billing period (the request's `currency`), else `PriceAboveLimit`. */
    maxTotal: z.number('must be a number').min(0, 'must not be negative').optional(),
  })
  .superRefine((request, ctx) => {
    const guarded = request.maxTotal !== undefined || request.items.some((item) => item.maxUnitPrice !== undefined);
    if (guarded && request.currency === undefined)
      ctx.addIssue({
        input: request.currency,
        code: 'custom',
        path: ['currency'],
        message: 'is required with maxUnitPrice or maxTotal (the limits are in it)',
      });
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
