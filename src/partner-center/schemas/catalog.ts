/** The catalog: products, their SKUs and the SKUs' availabilities. */
import { z } from 'zod';
import {
  billingCycle,
  lenientBoolean,
  lenientInteger,
  optional,
  resourceAttributes,
  resourceLinks,
  segment,
  termDuration,
  currency,
  itemType,
  stringRecord,
} from './common';

export const productSchema = z.looseObject({
  id: z.string(),
  title: optional(z.string()),
  description: optional(z.string()),
  productType: optional(itemType),
  isMicrosoftProduct: optional(lenientBoolean),
  publisherName: optional(z.string()),
  links: resourceLinks,
  attributes: resourceAttributes,
});
export type Product = z.infer<typeof productSchema>;

export const skuSchema = z.looseObject({
  id: z.string(),
  productId: optional(z.string()),
  title: optional(z.string()),
  description: optional(z.string()),
  minimumQuantity: optional(lenientInteger),
  maximumQuantity: optional(lenientInteger),
  isTrial: optional(lenientBoolean),
  supportedBillingCycles: optional(z.array(billingCycle)),
  purchasePrerequisites: optional(z.array(z.string())),
  inventoryVariables: optional(z.array(z.string())),
  provisioningVariables: optional(z.array(z.string())),
  actions: optional(z.array(z.string())),
  dynamicAttributes: stringRecord,
  attestationProperties: optional(
    z.looseObject({ attestationType: optional(z.string()), enforceAttestation: optional(lenientBoolean) }),
  ),
  links: resourceLinks,
  attributes: resourceAttributes,
});
export type Sku = z.infer<typeof skuSchema>;

export const refundOptionPolicySchema = z.looseObject({
  sequenceId: optional(lenientInteger),
  type: optional(z.string()),
  expiresAfter: optional(z.string()),
});

export const termSchema = z.looseObject({
  id: optional(z.string()),
  duration: termDuration,
  description: optional(z.string()),
  billingCycle: optional(billingCycle),
  renewalOptions: optional(
    z.array(z.looseObject({ termDuration: optional(termDuration), description: optional(z.string()) })),
  ),
  cancellationPolicies: optional(
    z.array(z.looseObject({ refundOptions: optional(z.array(refundOptionPolicySchema)) })),
  ),
});
export type Term = z.infer<typeof termSchema>;

export const availabilitySchema = z.looseObject({
  id: z.string(),
  productId: z.string(),
  skuId: z.string(),
  catalogItemId: z.string(),
  defaultCurrency: optional(currency),
  segment: optional(segment),
  country: optional(z.string()),
  isPurchasable: optional(lenientBoolean),
  isRenewable: optional(lenientBoolean),
  terms: optional(z.array(termSchema)).transform((terms) => terms ?? []),
  renewalInstructions: optional(z.array(z.unknown())),
  product: optional(productSchema),
  sku: optional(skuSchema),
  links: resourceLinks,
  attributes: resourceAttributes,
});
export type Availability = z.infer<typeof availabilitySchema>;
