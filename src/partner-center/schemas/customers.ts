/** The partner's customers. */
import { z } from 'zod';
import { anyCase, lenientBoolean, openEnum, optional, resourceAttributes } from './common';

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
      /** Its `country` is the customer's market (the catalog to read its SKUs in). */
      defaultAddress: optional(z.looseObject({ country: optional(z.string()) })),
    }),
  ),
  relationshipToPartner: optional(z.string()),
  allowDelegatedAccess: optional(lenientBoolean),
  links: optional(z.record(z.string(), z.unknown())),
  attributes: resourceAttributes,
});
export type Customer = z.infer<typeof customerSchema>;

/** `POST /v1/customers`: a new customer, its Entra tenant and first admin (strict: a body we build). */
export const customerCreationInputSchema = z.strictObject({
  companyProfile: z.strictObject({ domain: z.string().min(1) }),
  billingProfile: z.strictObject({
    email: z.string().min(3),
    culture: z.string().min(2),
    language: z.string().min(2),
    companyName: z.string().min(1),
    defaultAddress: z.strictObject({
      country: z.string().length(2),
      city: z.string().min(1),
      state: z.string().min(1).optional(),
      addressLine1: z.string().min(1),
      addressLine2: z.string().min(1).optional(),
      postalCode: z.string().min(1),
      firstName: z.string().min(1),
      lastName: z.string().min(1),
      phoneNumber: z.string().min(1).optional(),
    }),
  }),
});
export type CustomerCreationInput = z.infer<typeof customerCreationInputSchema>;

/**
 * The created customer: its first admin's credentials come once, in `userCredentials`. Only the user name is read
 * here; the password is left out of the parsed value (a strict pick), so no caller can keep it by mistake.
 */
export const createdCustomerSchema = anyCase(
  z.looseObject({
    id: z.string(),
    companyProfile: optional(z.looseObject({ tenantId: optional(z.string()), domain: optional(z.string()) })),
    userCredentials: optional(z.object({ userName: optional(z.string()) })),
  }),
).transform(({ id, companyProfile, userCredentials }) => ({
  id,
  tenantId: companyProfile?.tenantId,
  domain: companyProfile?.domain,
  adminUserName: userCredentials?.userName,
}));
export type CreatedCustomer = z.infer<typeof createdCustomerSchema>;

/** `GET /v1/customers/relationshiprequests`: the invitation link a customer's admin accepts. */
export const relationshipRequestSchema = anyCase(z.looseObject({ url: z.string().min(1) }));

/** `GET /v1/customers/{id}/qualifications`: one qualification and its asynchronous review. */
export const customerQualificationSchema = anyCase(
  z.looseObject({
    qualification: z.string(),
    vettingStatus: optional(openEnum(['InReview', 'Approved', 'Denied'])),
    vettingReason: optional(z.string()),
  }),
);
export type CustomerQualification = z.infer<typeof customerQualificationSchema>;
