/** Subscriptions, their provisioning status, and transitions: upgrades and new-commerce trial conversions (reference §6). */
import { z } from 'zod';
import {
  billingCycle,
  errorCode,
  itemType,
  lenientBoolean,
  lenientInteger,
  openEnum,
  optional,
  resourceAttributes,
  termDuration,
} from './common';

export const SUBSCRIPTION_STATUSES = [
  'none',
  'active',
  'suspended',
  'deleted',
  'expired',
  'pending',
  'disabled',
] as const;
export const SUBSCRIPTION_PROVISIONING_STATUSES = ['success', 'pending', 'failed'] as const;

export const productTermSchema = z.looseObject({
  productId: z.string(),
  skuId: z.string(),
  availabilityId: z.string(),
  billingCycle: optional(billingCycle),
  termDuration: optional(termDuration),
  promotionId: optional(z.string()),
});
export type ProductTerm = z.infer<typeof productTermSchema>;

export const scheduledNextTermInstructionsSchema = z.looseObject({
  product: productTermSchema,
  quantity: lenientInteger,
  customTermEndDate: optional(z.string()),
});
export type ScheduledNextTermInstructions = z.infer<typeof scheduledNextTermInstructionsSchema>;

export const refundableQuantitySchema = z.looseObject({
  totalQuantity: lenientInteger,
  details: optional(z.array(z.looseObject({ quantity: lenientInteger, allowedUntilDateTime: z.string() }))).transform(
    (details) => details ?? [],
  ),
});
export type RefundableQuantity = z.infer<typeof refundableQuantitySchema>;

export const subscriptionSchema = z.looseObject({
  id: z.string(),
  offerId: z.string(),
  offerName: optional(z.string()),
  friendlyName: optional(z.string()),
  productType: optional(itemType),
  entitlementId: optional(z.string()),
  quantity: lenientInteger,
  unitType: optional(z.string()),
  parentSubscriptionId: optional(z.string()),
  creationDate: optional(z.string()),
  effectiveStartDate: optional(z.string()),
  commitmentEndDate: optional(z.string()),
  commitmentEndDateTime: optional(z.string()),
  billingCycleEndDate: optional(z.string()),
  cancellationAllowedUntilDate: optional(z.string()),
  status: openEnum(SUBSCRIPTION_STATUSES),
  autoRenewEnabled: optional(lenientBoolean),
  isTrial: optional(lenientBoolean),
  billingType: optional(z.string()),
  billingCycle: optional(billingCycle),
  termDuration: optional(termDuration),
  renewalTermDuration: optional(z.string()),
  actions: optional(z.array(z.string())),
  suspensionReasons: optional(z.array(z.string())),
  contractType: optional(z.string()),
  refundOptions: optional(z.array(z.looseObject({ type: z.string(), expiresAt: optional(z.string()) }))),
  refundableQuantity: optional(refundableQuantitySchema),
  scheduledNextTermInstructions: optional(scheduledNextTermInstructionsSchema),
  nextChargeInstructions: optional(
    z.looseObject({ product: optional(productTermSchema), quantity: optional(lenientInteger) }),
  ),
  promotionId: optional(z.string()),
  orderId: optional(z.string()),
  links: optional(z.record(z.string(), z.unknown())),
  attributes: resourceAttributes,
});
export type Subscription = z.infer<typeof subscriptionSchema>;

export const subscriptionProvisioningStatusSchema = z.looseObject({
  skuId: optional(z.string()),
  status: openEnum(SUBSCRIPTION_PROVISIONING_STATUSES),
  quantity: optional(lenientInteger),
  endDate: optional(z.string()),
  attributes: resourceAttributes,
});
export type SubscriptionProvisioningStatus = z.infer<typeof subscriptionProvisioningStatusSchema>;

// Transitions: upgrades and new-commerce trial conversions (reference §6.9–6.10)

export const TRANSITION_TYPES = ['transition_only', 'transition_with_license_transfer'] as const;
/** A transition's and its events' statuses (the .NET SDK documents InProgress, Completed, Failed; the sandbox answers Started). */
export const TRANSITION_STATUSES = ['Started', 'InProgress', 'Completed', 'Failed'] as const;

const transitionErrorSchema = z.looseObject({ code: errorCode, description: optional(z.string()) });
const transitionErrors = optional(z.array(transitionErrorSchema)).transform((errors) => errors ?? []);

export const transitionEligibilitySchema = z.looseObject({
  operationId: optional(z.string()),
  catalogItemId: z.string(),
  title: optional(z.string()),
  quantity: optional(lenientInteger),
  /** Not in the documented shape (the sandbox sends it): the target availability's term. */
  termDuration: optional(termDuration),
  eligibilities: optional(
    z.array(
      z.looseObject({
        isEligible: lenientBoolean,
        transitionType: openEnum(TRANSITION_TYPES),
        errors: transitionErrors,
      }),
    ),
  ).transform((items) => items ?? []),
  subscriptionEligibilities: optional(
    z.array(
      z.looseObject({
        isEligible: lenientBoolean,
        subscriptionId: z.string(),
        subscriptionFriendlyName: optional(z.string()),
        errors: transitionErrors,
      }),
    ),
  ).transform((items) => items ?? []),
  attributes: resourceAttributes,
});
export type TransitionEligibility = z.infer<typeof transitionEligibilitySchema>;

/** The POST …/transitions body (strict: built by us). */
export const transitionInputSchema = z.strictObject({
  fromSubscriptionId: z.string().optional(),
  toCatalogItemId: z.string().min(1),
  toSubscriptionId: z.string().optional(),
  quantity: z.number().int().min(1),
  termDuration: z.string().optional(),
  billingCycle: z.string().optional(),
  transitionType: z.enum(TRANSITION_TYPES),
});
export type TransitionInput = z.infer<typeof transitionInputSchema>;

export const transitionSchema = z.looseObject({
  id: optional(z.string()),
  operationId: optional(z.string()),
  fromCatalogItemId: optional(z.string()),
  toCatalogItemId: z.string(),
  fromSubscriptionId: optional(z.string()),
  toSubscriptionId: optional(z.string()),
  quantity: optional(lenientInteger),
  transitionType: optional(openEnum(TRANSITION_TYPES)),
  creationDate: optional(z.string()),
  /** The transition's own status, when Partner Center gives one: it decides over the events. */
  status: optional(openEnum(TRANSITION_STATUSES)),
  events: optional(
    z.array(
      z.looseObject({
        name: optional(z.string()),
        status: openEnum(TRANSITION_STATUSES),
        timestamp: optional(z.string()),
      }),
    ),
  ).transform((events) => events ?? []),
  attributes: resourceAttributes,
});
export type Transition = z.infer<typeof transitionSchema>;
