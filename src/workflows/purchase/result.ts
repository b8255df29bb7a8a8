import { z } from 'zod';
import { LicenceUserResultSchema } from '../licence/types';

/** What a purchase reports (contract §3): its status while it runs, and its result. */

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
  /** Per item with `assignTo`: each user's outcome in the subscription's licences (contract v3). */
  licences: z
    .array(z.object({ item: z.number().int(), subscriptionId: z.string(), users: z.array(LicenceUserResultSchema) }))
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
