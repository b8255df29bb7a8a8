/**
 * Zod schemas of the Partner Center resources; the only source of their TypeScript types.
 *
 * Received resources are parsed leniently because the live API is loose (reference §9): unknown
 * fields are kept (and so sent back on a full-body PATCH), `null` counts as absent, numbers may
 * arrive as strings, and enum-like fields accept values we do not know. Known enum values are
 * matched case- and separator-insensitively and returned in their canonical spelling
 * ("Annual" → "annual", "Active" → "active"), so callers can compare against one spelling.
 * Request bodies we build (`CartInput`) are strict.
 */
import { z } from 'zod';
import { foldKeys } from './keys';

// ---------------------------------------------------------------------------------------------
// Lenient building blocks for received data

/** `null` and missing both mean "not there". */
function optional<T extends z.ZodType>(schema: T) {
  return z.preprocess((value) => (value === null ? undefined : value), schema.optional());
}

const NUMERIC_STRING = /^\s*-?\d+(\.\d+)?\s*$/;

/** A number, or a string holding one ("16" in reconciliation examples). */
export const lenientNumber = z.union([
  z.number(),
  z
    .string()
    .regex(NUMERIC_STRING, 'expected a number or a numeric string')
    .transform((text) => Number(text)),
]);

export const lenientInteger = lenientNumber.pipe(z.number().int());

/** `true`/`false`, also when serialised as strings. */
export const lenientBoolean = z.union([
  z.boolean(),
  z.enum(['true', 'false', 'True', 'False']).transform((text) => text.toLowerCase() === 'true'),
]);

/** Partner Center error codes: usually numbers, sometimes strings; numeric strings become numbers. */
export const errorCode = z.union([
  z.number(),
  z.string().transform((text): number | string => (NUMERIC_STRING.test(text) ? Number(text) : text)),
]);

/** Ids that some endpoints send as numbers (orderGroup "0", orderGroupId). */
const idText = z.union([z.string(), z.number().transform((n) => String(n))]);

const comparable = (text: string) => text.replace(/[\s_-]/g, '').toLowerCase();

/**
 * The canonical spelling of a known value (matched case- and separator-insensitively), or the value
 * unchanged: what an open enum answers.
 */
export function canonicalSpelling<const Known extends readonly [string, ...string[]]>(known: Known) {
  const canonical = new Set<string>(known);
  const byComparable = new Map(known.map((value) => [comparable(value), value] as const));
  // The canonical spelling first: it is what most values are, and a billing export has a million of them.
  return (value: string): Known[number] | (string & {}) =>
    canonical.has(value) ? value : (byComparable.get(comparable(value)) ?? value);
}

/**
 * An enum that is open: a known value (any casing/separators) maps to its canonical spelling,
 * anything else passes through unchanged so a new server value never breaks parsing.
 */
export function openEnum<const Known extends readonly [string, ...string[]]>(known: Known) {
  const spell = canonicalSpelling(known);
  return z.string().transform((value) => spell(value));
}

// ---------------------------------------------------------------------------------------------
// Enumerations (known values only; received fields use openEnum over them)

export const TERM_DURATIONS = ['P1M', 'P1Y', 'P3Y'] as const;
export const BILLING_CYCLES = ['monthly', 'annual', 'triennial', 'one_time', 'none', 'biennial', 'unknown'] as const;
export const SEGMENTS = ['commercial', 'education', 'government', 'nonprofit'] as const;
export const CART_STATUSES = ['active', 'ordered'] as const;
export const ORDER_STATUSES = [
  'unknown',
  'completed',
  'pending',
  'cancelled',
  'suspended',
  'pending_review',
  'pending_po_upload',
  'po_upload_complete',
  'po_review_rejected',
  'partial_success',
  'error',
] as const;
export const SUBSCRIPTION_STATUSES = [
  'none',
  'active',
  'suspended',
  'deleted',
  'expired',
  'pending',
  'disabled',
] as const;
export const ORDER_LINE_PROVISIONING_STATUSES = ['fulfilled', 'unfulfilled', 'prefulfillmentPending'] as const;
export const SUBSCRIPTION_PROVISIONING_STATUSES = ['success', 'pending', 'failed'] as const;
export const CHARGE_TYPES = [
  'new',
  'renew',
  'cycleCharge',
  'addQuantity',
  'removeQuantity',
  'moveQuantity',
  'cancelImmediate',
  'convert',
  'changeBillingPlan',
  'customerCredit',
  'extendTerm',
] as const;

export const termDuration = openEnum(TERM_DURATIONS);
export const billingCycle = openEnum(BILLING_CYCLES);
export const segment = openEnum(SEGMENTS);

// ---------------------------------------------------------------------------------------------
// Shared pieces

export const linkSchema = z.looseObject({
  uri: z.string(),
  method: optional(z.string()),
  headers: optional(z.array(z.looseObject({ key: z.string(), value: z.string() }))),
});
export type Link = z.infer<typeof linkSchema>;

/** Resource links: `self` is typed, the rest (product, sku, activationLinks …) kept as received. */
const resourceLinks = optional(z.looseObject({ self: optional(linkSchema) }));

const resourceAttributes = optional(z.looseObject({ objectType: optional(z.string()), etag: optional(z.string()) }));

const itemType = z.looseObject({ id: z.string(), displayName: optional(z.string()) });

const currency = z.looseObject({ code: z.string(), symbol: optional(z.string()) });

const pricing = optional(
  z.looseObject({
    listPrice: optional(lenientNumber),
    discountedPrice: optional(lenientNumber),
    proratedPrice: optional(lenientNumber),
    price: optional(lenientNumber),
    extendedPrice: optional(lenientNumber),
  }),
);

const stringRecord = optional(z.record(z.string(), z.unknown()));

// ---------------------------------------------------------------------------------------------
// Catalog

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

// ---------------------------------------------------------------------------------------------
// Carts

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

// ---------------------------------------------------------------------------------------------
// Orders

export const orderLineItemSchema = z.looseObject({
  lineItemNumber: lenientInteger,
  offerId: z.string(),
  subscriptionId: optional(z.string()),
  parentSubscriptionId: optional(z.string()),
  termDuration: optional(termDuration),
  transactionType: optional(z.string()),
  friendlyName: optional(z.string()),
  quantity: lenientInteger,
  billingCycle: optional(billingCycle),
  promotionId: optional(z.string()),
  customTermEndDate: optional(z.string()),
  pricing,
  provisioningContext: stringRecord,
  links: optional(z.record(z.string(), z.unknown())),
});
export type OrderLineItem = z.infer<typeof orderLineItemSchema>;

/** A customer of the partner (`GET /v1/customers`; the .NET SDK's Customer model). */
export const customerSchema = z.looseObject({
  id: z.string(),
  commerceId: optional(z.string()),
  companyProfile: optional(
    z.looseObject({ tenantId: optional(z.string()), domain: optional(z.string()), companyName: optional(z.string()) }),
  ),
  billingProfile: optional(
    z.looseObject({
      id: optional(z.string()),
      email: optional(z.string()),
      culture: optional(z.string()),
      language: optional(z.string()),
      companyName: optional(z.string()),
    }),
  ),
  relationshipToPartner: optional(z.string()),
  allowDelegatedAccess: optional(lenientBoolean),
  links: optional(z.record(z.string(), z.unknown())),
  attributes: resourceAttributes,
});
export type Customer = z.infer<typeof customerSchema>;

export const orderSchema = z.looseObject({
  id: z.string(),
  alternateId: optional(z.string()),
  referenceCustomerId: optional(z.string()),
  billingCycle: optional(billingCycle),
  currencyCode: optional(z.string()),
  currencySymbol: optional(z.string()),
  lineItems: optional(z.array(orderLineItemSchema)).transform((items) => items ?? []),
  creationDate: optional(z.string()),
  status: openEnum(ORDER_STATUSES),
  transactionType: optional(z.string()),
  totalPrice: optional(lenientNumber),
  links: optional(z.record(z.string(), z.unknown())),
  attributes: resourceAttributes,
});
export type Order = z.infer<typeof orderSchema>;

export const orderErrorSchema = z.looseObject({
  orderGroupId: idText,
  code: errorCode,
  description: optional(z.string()),
});
export type OrderError = z.infer<typeof orderErrorSchema>;

export const cartCheckoutResultSchema = z.looseObject({
  orders: optional(z.array(orderSchema)).transform((orders) => orders ?? []),
  orderErrors: optional(z.array(orderErrorSchema)).transform((errors) => errors ?? []),
});
export type CartCheckoutResult = z.infer<typeof cartCheckoutResultSchema>;

export const orderLineItemProvisioningStatusSchema = z.looseObject({
  orderLineItemId: optional(lenientInteger),
  lineItemNumber: lenientInteger,
  status: openEnum(ORDER_LINE_PROVISIONING_STATUSES),
  quantityProvisioningInformation: optional(
    z.array(z.looseObject({ quantity: lenientInteger, status: z.string() })),
  ).transform((items) => items ?? []),
});
export type OrderLineItemProvisioningStatus = z.infer<typeof orderLineItemProvisioningStatusSchema>;

// ---------------------------------------------------------------------------------------------
// Subscriptions

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
export const TRANSITION_EVENT_STATUSES = ['Started', 'Completed', 'Failed'] as const;

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
  events: optional(
    z.array(
      z.looseObject({
        name: optional(z.string()),
        status: openEnum(TRANSITION_EVENT_STATUSES),
        timestamp: optional(z.string()),
      }),
    ),
  ).transform((events) => events ?? []),
  attributes: resourceAttributes,
});
export type Transition = z.infer<typeof transitionSchema>;

// ---------------------------------------------------------------------------------------------
// Invoices and reconciliation

export const invoiceSchema = z.looseObject({
  id: z.string(),
  invoiceDate: optional(z.string()),
  billingPeriodStartDate: optional(z.string()),
  billingPeriodEndDate: optional(z.string()),
  totalCharges: optional(lenientNumber),
  paidAmount: optional(lenientNumber),
  currencyCode: optional(z.string()),
  currencySymbol: optional(z.string()),
  pdfDownloadLink: optional(z.string()),
  invoiceDetails: optional(z.array(z.unknown())),
  documentType: optional(z.string()),
  invoiceType: optional(z.string()),
  status: optional(z.string()),
  links: resourceLinks,
  attributes: resourceAttributes,
});
export type Invoice = z.infer<typeof invoiceSchema>;

const text = optional(z.string());
const amount = optional(lenientNumber);

const oneTimeInvoiceLineItemShape = {
  partnerId: text,
  customerId: text,
  customerName: text,
  customerDomainName: text,
  customerCountry: text,
  invoiceNumber: text,
  mpnId: optional(idText),
  resellerMpnId: optional(idText),
  orderId: text,
  orderDate: text,
  productId: text,
  skuId: text,
  availabilityId: text,
  productName: text,
  skuName: text,
  productQualifiers: optional(z.array(z.string())),
  chargeType: optional(openEnum(CHARGE_TYPES)),
  unitPrice: amount,
  effectiveUnitPrice: amount,
  unitType: text,
  quantity: amount,
  billableQuantity: amount,
  subtotal: amount,
  taxTotal: amount,
  totalForCustomer: amount,
  currency: text,
  pricingCurrency: text,
  pcToBCExchangeRate: amount,
  subscriptionId: text,
  subscriptionDescription: text,
  subscriptionStartDate: text,
  subscriptionEndDate: text,
  chargeStartDate: text,
  chargeEndDate: text,
  termAndBillingCycle: text,
  billingFrequency: text,
  promotionId: text,
  referenceId: text,
  alternateId: text,
  priceAdjustmentDescription: text,
  invoiceLineItemType: text,
  billingProvider: text,
  attributes: resourceAttributes,
};
/** A reconciliation line item: its fields read in any casing (the documentation's PascalCase or camelCase). */
export const oneTimeInvoiceLineItemSchema = z.preprocess(
  foldKeys(Object.keys(oneTimeInvoiceLineItemShape)),
  z.looseObject(oneTimeInvoiceLineItemShape),
);
export type OneTimeInvoiceLineItem = z.infer<typeof oneTimeInvoiceLineItemSchema>;

// ---------------------------------------------------------------------------------------------
// Purchase prerequisites: agreements, promotions, custom term end dates (reference §4.7, §6.8, §8)

/** Property names camelCased, at any depth (`TemplateId` → `templateId`): these resources are read leniently. */
function camelCaseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelCaseKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [key.charAt(0).toLowerCase() + key.slice(1), camelCaseKeys(inner)]),
  );
}
export function anyCase<T extends z.ZodType>(schema: T) {
  return z.preprocess(camelCaseKeys, schema);
}

export const AGREEMENT_TYPES = ['MicrosoftCustomerAgreement', 'MicrosoftCloudAgreement'] as const;

/** `GET /v1/agreements?agreementType=…`: the templates a confirmation must name. */
export const agreementMetadataSchema = anyCase(
  z.looseObject({
    templateId: z.string(),
    agreementType: optional(openEnum(AGREEMENT_TYPES)),
    agreementLink: optional(z.string()),
    versionRank: optional(lenientInteger),
  }),
);
export type AgreementMetadata = z.infer<typeof agreementMetadataSchema>;

const contact = z.looseObject({
  firstName: optional(z.string()),
  lastName: optional(z.string()),
  email: optional(z.string()),
  phoneNumber: optional(z.string()),
});

/** A customer's accepted agreement (`GET/POST /v1/customers/{id}/agreements`). */
export const customerAgreementSchema = anyCase(
  z.looseObject({
    templateId: optional(z.string()),
    type: optional(openEnum(AGREEMENT_TYPES)),
    dateAgreed: optional(z.string()),
    agreementLink: optional(z.string()),
    primaryContact: optional(contact),
  }),
);
export type CustomerAgreement = z.infer<typeof customerAgreementSchema>;

/** What we send to confirm a customer's acceptance: strict. */
export const customerAgreementInputSchema = z.strictObject({
  primaryContact: z.strictObject({
    firstName: z.string().min(1),
    lastName: z.string().min(1),
    email: z.string().min(3),
    phoneNumber: z.string().min(1).optional(),
  }),
  templateId: z.string().min(1),
  dateAgreed: z.string().min(1),
  type: z.enum(AGREEMENT_TYPES),
  agreementLink: z.string().min(1).optional(),
});
export type CustomerAgreementInput = z.infer<typeof customerAgreementInputSchema>;

/** `GET /v1/productPromotions?country=&segment=`: a promotion and what it applies to. */
export const productPromotionSchema = anyCase(
  z.looseObject({
    id: z.string(),
    name: optional(z.string()),
    description: optional(z.string()),
    startDate: optional(z.string()),
    endDate: optional(z.string()),
    status: optional(z.string()),
    requirements: optional(
      z.looseObject({
        productScope: optional(
          z.looseObject({
            /** "PRODUCT:SKU" (sometimes with the availability). */
            id: optional(z.string()),
            term: optional(z.looseObject({ duration: optional(termDuration), billingCycle: optional(billingCycle) })),
          }),
        ),
        seatCount: optional(z.looseObject({ minimum: optional(lenientInteger), maximum: optional(lenientInteger) })),
      }),
    ),
    pricingPolicies: optional(
      z.array(z.looseObject({ policyType: optional(z.string()), percentDiscount: optional(lenientNumber) })),
    ),
  }),
);
export type ProductPromotion = z.infer<typeof productPromotionSchema>;

export const promotionEligibilityErrorSchema = z.looseObject({
  type: optional(z.string()),
  description: optional(z.string()),
  minimumRequiredSeats: optional(lenientInteger),
  maximumRequiredSeats: optional(lenientInteger),
  availableSeats: optional(lenientInteger),
});
export type PromotionEligibilityError = z.infer<typeof promotionEligibilityErrorSchema>;

const promotionEligibility = z.looseObject({
  promotionId: optional(z.string()),
  isEligible: optional(lenientBoolean),
  errors: optional(z.array(promotionEligibilityErrorSchema)).transform((e) => e ?? []),
});

/** One checked item of `POST /v1/customers/{id}/promotionEligibilities`: its verdicts per promotion. */
export const promotionEligibilityItemSchema = anyCase(
  z.looseObject({
    id: optional(lenientInteger),
    catalogItemId: optional(z.string()),
    eligibilities: optional(z.array(promotionEligibility)).transform((e) => e ?? []),
  }),
);
export type PromotionEligibilityItem = z.infer<typeof promotionEligibilityItemSchema>;

export const promotionEligibilityInputSchema = z.strictObject({
  id: z.number().int().nonnegative(),
  catalogItemId: z.string().min(1),
  quantity: z.number().int().positive(),
  termDuration: z.enum(TERM_DURATIONS),
  billingCycle: z.enum(['monthly', 'annual', 'triennial', 'none']),
  promotionId: z.string().min(1),
});
export type PromotionEligibilityInput = z.infer<typeof promotionEligibilityInputSchema>;

export const CUSTOM_TERM_END_DATE_TYPES = ['calendarMonthAligned', 'subscriptionAligned'] as const;

/** `GET /v1/customers/{id}/subscriptions/customTermEndDates`: one allowed end date. */
export const customTermEndDateSchema = anyCase(
  z.looseObject({
    allowedCustomTermEndDateType: optional(openEnum(CUSTOM_TERM_END_DATE_TYPES)),
    allowedCustomTermEndDate: z.string(),
    cotermSubscriptionIds: optional(z.array(z.string())).transform((ids) => ids ?? []),
  }),
);
export type CustomTermEndDate = z.infer<typeof customTermEndDateSchema>;

// ---------------------------------------------------------------------------------------------
// Envelopes

/** Every list comes in this envelope; seek-paged lists add a continuation token. */
export function collectionSchema<Item extends z.ZodType>(item: Item) {
  return z.looseObject({
    totalCount: optional(lenientInteger),
    items: optional(z.array(item)).transform((items): z.infer<Item>[] => items ?? []),
    continuationToken: optional(z.string()),
    links: optional(
      z.looseObject({ self: optional(linkSchema), next: optional(linkSchema), previous: optional(linkSchema) }),
    ),
    attributes: resourceAttributes,
  });
}

/**
 * Error bodies: PartnerFD `{ code, description, data, source }`, the throttling gateway's
 * `{ statusCode, message }`, and the OData-style `{ error: { code, message } }` seen from gateways; PascalCase
 * names (`Code`, `Description`) read too.
 */
export const errorBodySchema = anyCase(
  z.looseObject({
    code: optional(errorCode),
    description: optional(z.string()),
    data: optional(z.array(z.unknown())),
    source: optional(z.string()),
    statusCode: optional(lenientInteger),
    message: optional(z.string()),
    error: optional(z.looseObject({ code: optional(errorCode), message: optional(z.string()) })),
  }),
);
export type ErrorBody = z.infer<typeof errorBodySchema>;
