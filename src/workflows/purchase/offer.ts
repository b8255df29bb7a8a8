import { z } from 'zod';
import { LicenceUserSchema, MAX_USERS_PER_REQUEST, refineDistinctUsers } from '../licence/types';

/**
 * What a purchase can buy (contract §3): the terms, billing cycles and segments, the offer, and one request item.
 */

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
    /** Users (UPNs or object ids) given the subscription's licences once it is provisioned (an assignLicences child). */
    assignTo: z
      .array(LicenceUserSchema)
      .min(1, 'must name at least one user')
      .max(MAX_USERS_PER_REQUEST, `must name at most ${MAX_USERS_PER_REQUEST} users`)
      .superRefine((users, ctx) => refineDistinctUsers(users, [], ctx))
      .optional(),
    /** Price guard: the most the item's unit price may be (the request's `currency`), else `PriceAboveLimit`. */
    maxUnitPrice: z.number('must be a number').min(0, 'must not be negative').optional(),
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
