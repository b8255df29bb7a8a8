/** Carts as received, the strict cart bodies we send, and what a checkout answers. */
import { z } from 'zod';
import {
  billingCycle,
  errorCode,
  idText,
  lenientBoolean,
  lenientInteger,
  openEnum,
  optional,
  pricing,
  resourceAttributes,
  resourceLinks,
  stringRecord,
  termDuration,
  TERM_DURATIONS,
} from './common';
import { orderErrorSchema, orderSchema } from './orders';

export const CART_STATUSES = ['active', 'ordered'] as const;

export const cartErrorSchema = z.looseObject({
  errorCode: errorCode,
  errorDescription: optional(z.string()),
  additionalInformation: optional(
    z.looseObject({
      availableQuantity: optional(lenientInteger),
      purchasedQuantity: optional(lenientInteger),
    }),
  ),
});
export type CartError = z.infer<typeof cartErrorSchema>;

export const cartLineItemSchema = z.looseObject({
  id: lenientInteger,
  catalogItemId: z.string(),
  friendlyName: optional(z.string()),
  quantity: lenientInteger,
  currencyCode: optional(z.string()),
  billingCycle: optional(billingCycle),
  termDuration: optional(termDuration),
  promotionId: optional(z.string()),
  participants: optional(z.array(z.looseObject({ key: z.string(), value: z.string() }))),
  provisioningContext: stringRecord,
  orderGroup: optional(idText),
  customTermEndDate: optional(z.string()),
  attestationAccepted: optional(lenientBoolean),
  pricing,
  error: optional(cartErrorSchema),
});
export type CartLineItem = z.infer<typeof cartLineItemSchema>;

export const cartSchema = z.looseObject({
  id: z.string(),
  creationTimestamp: optional(z.string()),
  lastModifiedTimestamp: optional(z.string()),
  expirationTimestamp: optional(z.string()),
  lastModifiedUser: optional(z.string()),
  status: optional(openEnum(CART_STATUSES)),
  lineItems: optional(z.array(cartLineItemSchema)).transform((items) => items ?? []),
  partnerOnRecordAttestationAccepted: optional(lenientBoolean),
  links: resourceLinks,
  attributes: resourceAttributes,
});
export type Cart = z.infer<typeof cartSchema>;

/** What we send to create or replace a cart: strict, so a typo never reaches Partner Center. */
export const cartLineItemInputSchema = z.strictObject({
  id: z.number().int().nonnegative(),
  catalogItemId: z.string().min(1),
  quantity: z.number().int().positive(),
  billingCycle: z.enum(['monthly', 'annual', 'triennial', 'one_time', 'none']),
  termDuration: z.enum(TERM_DURATIONS).optional(),
  friendlyName: z.string().max(128).optional(),
  promotionId: z.string().min(1).optional(),
  customTermEndDate: z.string().min(1).optional(),
  provisioningContext: z.record(z.string(), z.string()).optional(),
  participants: z
    .array(
      z.strictObject({
        key: z.enum(['transaction_reseller', 'additional_transaction_reseller', 'consumption_reseller']),
        value: z.string().min(1),
      }),
    )
    .optional(),
  attestationAccepted: z.boolean().optional(),
  renewsTo: z.strictObject({ termDuration: z.enum(['P1M', 'P1Y']) }).optional(),
});
export type CartLineItemInput = z.infer<typeof cartLineItemInputSchema>;

export const cartInputSchema = z.strictObject({
  lineItems: z.array(cartLineItemInputSchema).min(1),
  partnerOnRecordAttestationAccepted: z.boolean().optional(),
});
export type CartInput = z.infer<typeof cartInputSchema>;

export const cartCheckoutResultSchema = z.looseObject({
  orders: optional(z.array(orderSchema)).transform((orders) => orders ?? []),
  orderErrors: optional(z.array(orderErrorSchema)).transform((errors) => errors ?? []),
});
export type CartCheckoutResult = z.infer<typeof cartCheckoutResultSchema>;
