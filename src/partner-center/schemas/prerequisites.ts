/** Purchase prerequisites: agreements, promotions, custom term end dates (reference §4.7, §6.8, §8). */
import { z } from 'zod';
import {
  anyCase,
  billingCycle,
  lenientBoolean,
  lenientInteger,
  lenientNumber,
  openEnum,
  optional,
  termDuration,
  TERM_DURATIONS,
} from './common';

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
