import { z } from 'zod';
import type { ResolvedItem, PromotionDecision } from './activity-shapes';
import type { Segment } from './offer';
import type { PurchaseRequestValidation } from './request';
import { ItemBillingCycleSchema, TermDurationSchema } from './offer';

/**
 * A quote (contract §3g): what a purchase request would cost, priced from the market's license-based price sheet, per
 * resolved item and per billing period. Nothing is bought. Money is in the market's currency, rounded to cents.
 */

export const QuoteItemSchema = z.object({
  /** The request item's index. */
  item: z.number().int(),
  catalogItemId: z.string(),
  termDuration: TermDurationSchema,
  billingCycle: ItemBillingCycleSchema,
  quantity: z.number().int(),
  /** The partner's price per seat per billing period: the sheet's row for this term, billing plan and quantity tier. */
  unitPrice: z.number(),
  /** The ERP (list) price per seat per billing period; the unit price when the sheet gives none. */
  erpUnitPrice: z.number(),
  /** The eligible promotion the purchase would apply, and its discount off the unit price. */
  promotionDiscount: z.object({ promotionId: z.string(), percent: z.number() }).optional(),
  /** Seats × unit price, less the promotion's discount. */
  pricePerBillingPeriod: z.number(),
  /** The price per billing period × the billing periods of the term. */
  priceForTerm: z.number(),
  /** Set when the offer is on the end-of-sale list: the day it leaves the catalog (no renewal after it). */
  endOfSale: z.object({ date: z.string() }).optional(),
});
export type QuoteItem = z.infer<typeof QuoteItemSchema>;

export const QuoteSchema = z.object({
  /** The purchase's country. */
  market: z.string(),
  /** The sheet's currency for the market. */
  currency: z.string(),
  items: z.array(QuoteItemSchema),
  /** The sum of the items' prices per billing period (each in its own billing cycle). */
  totalPerBillingPeriod: z.number(),
});
export type Quote = z.infer<typeof QuoteSchema>;

/** What the pricing activity is given: the purchase's resolved items and the promotions it would apply. */
export interface PriceItemsInput {
  country: string;
  segment: Segment;
  items: ResolvedItem[];
  promotions: PromotionDecision[];
}

/** The purchase's price guard: per item limits and the request's, in the request's currency. */
export interface PriceGuardInput {
  country: string;
  segment: Segment;
  currency: string;
  items: ResolvedItem[];
  /** Per request item index. */
  maxUnitPrices: Array<{ item: number; limit: number }>;
  maxTotal?: number;
}

/** The prices the guard saw (recorded in the run's history, so a replay never reads the sheet again). */
export interface PriceGuardOutcome {
  currency: string;
  items: Array<{ item: number; price: number; limit?: number }>;
  total: number;
}

/** A quote request's validation, and its quote when the worker's caches could answer it (no Partner Center call). */
export interface CachedQuote {
  validation: PurchaseRequestValidation;
  quote?: Quote;
}

/** A guarded purchase's market and the currency of its limits. */
export interface GuardCurrencyInput {
  country: string;
  currency: string;
}
