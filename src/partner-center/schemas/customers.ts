/** The partner's customers. */
import { z } from 'zod';
import { lenientBoolean, optional, resourceAttributes } from './common';

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
