/**
 * Microsoft Graph resources of a customer's tenant (licences), parsed leniently like the Partner Center resources
 * (schemas/common.ts): unknown fields kept, `null` as absent, numbers possibly as strings, open enums.
 */
import { z } from 'zod';
import { lenientBoolean, lenientInteger, openEnum, optional } from '../schemas/common';

/** companySubscription.status (Graph documents these; others pass through). */
export const DIRECTORY_SUBSCRIPTION_STATUSES = ['Enabled', 'Warning', 'Suspended', 'Deleted', 'LockedOut'] as const;

/** `GET /v1.0/directory/subscriptions`: one commercial subscription of the tenant. */
export const companySubscriptionSchema = z.looseObject({
  id: z.string(),
  /** The Partner Center subscription id (how a tenant's subscription is matched to Partner Center's). */
  commerceSubscriptionId: optional(z.string()),
  skuId: z.string(),
  skuPartNumber: optional(z.string()),
  status: optional(openEnum(DIRECTORY_SUBSCRIPTION_STATUSES)),
  totalLicenses: optional(lenientInteger),
  isTrial: optional(lenientBoolean),
  /** When the term ends (renewal or expiry), ISO 8601. */
  nextLifecycleDateTime: optional(z.string()),
  createdDateTime: optional(z.string()),
  /** The partner tenant that created the subscription. */
  ownerTenantId: optional(z.string()),
});
export type CompanySubscription = z.infer<typeof companySubscriptionSchema>;

const units = optional(lenientInteger).transform((n) => n ?? 0);

/** `GET /v1.0/subscribedSkus`: a licence SKU of the tenant, summed over every subscription of its product. */
export const subscribedSkuSchema = z.looseObject({
  id: optional(z.string()),
  skuId: z.string(),
  skuPartNumber: optional(z.string()),
  appliesTo: optional(z.string()),
  capabilityStatus: optional(openEnum(DIRECTORY_SUBSCRIPTION_STATUSES)),
  /** Licences assigned to users. */
  consumedUnits: units,
  prepaidUnits: optional(
    z.looseObject({ enabled: units, suspended: units, warning: units, lockedOut: units }),
  ).transform((u) => u ?? { enabled: 0, suspended: 0, warning: 0, lockedOut: 0 }),
});
export type SubscribedSku = z.infer<typeof subscribedSkuSchema>;

/** `GET /v1.0/users/{id}` and `assignLicense`'s answer, as far as licences go. */
export const tenantUserSchema = z.looseObject({
  id: z.string(),
  userPrincipalName: optional(z.string()),
  displayName: optional(z.string()),
  /** Absent: Graph refuses to assign the user a licence. */
  usageLocation: optional(z.string()),
  assignedLicenses: optional(
    z.array(z.looseObject({ skuId: z.string(), disabledPlans: optional(z.array(z.string())) })),
  ).transform((licences) => licences ?? []),
});
export type TenantUser = z.infer<typeof tenantUserSchema>;
