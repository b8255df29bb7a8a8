import { z } from 'zod';

/**
 * Contract §3 (v3) data of `onboardCustomer`, and the shapes its activities exchange with it. Pure zod: imported by
 * the activities and clients alike, and by the workflow bundle only through common/schemas.ts.
 */
export type { InvalidField } from '../common/validation';
export * from './request';

export const onboardSteps = [
  'validating',
  'checking-domain',
  'creating-customer',
  'awaiting-relationship',
  'confirming-agreement',
  'qualifying',
  'creating-gdap',
  'awaiting-gdap-approval',
  'assigning-access',
  'completed',
  'failed',
  'cancelled',
] as const;
export const OnboardStepSchema = z.enum(onboardSteps);
export type OnboardStep = z.infer<typeof OnboardStepSchema>;

export const OnboardStatusSchema = z.object({
  step: OnboardStepSchema,
  customerId: z.string().optional(),
  tenantId: z.string().optional(),
  /** Existing-tenant path: the link the customer's admin opens to accept the reseller relationship. */
  invitationUrl: z.string().optional(),
  gdapRelationshipId: z.string().optional(),
  /** The link the customer's admin opens to approve the GDAP relationship. */
  gdapApprovalUrl: z.string().optional(),
  lastError: z.string().optional(),
  updatedAt: z.string(),
});
export type OnboardStatus = z.infer<typeof OnboardStatusSchema>;

export const OnboardResultSchema = z.object({
  requestId: z.string(),
  customerId: z.string(),
  tenantId: z.string(),
  domain: z.string(),
  /** false on the invitation path. */
  created: z.boolean(),
  /** The first admin's UPN; the one-time password Partner Center returned was never kept. */
  adminUserPrincipalName: z.string().optional(),
  /** How the admin gets a password, since the one Partner Center returned is not kept. */
  adminPasswordNote: z.string().optional(),
  agreement: z.object({ templateId: z.string(), dateAgreed: z.string() }),
  qualification: z.string().optional(),
  gdap: z
    .object({
      relationshipId: z.string(),
      status: z.literal('active'),
      endDateTime: z.string(),
      accessAssignmentIds: z.array(z.string()),
    })
    .optional(),
});
export type OnboardResult = z.infer<typeof OnboardResultSchema>;

export const OnboardCancelArgsSchema = z.object({ reason: z.string().trim().min(1, 'must say why').max(1024) });
export type OnboardCancelArgs = z.infer<typeof OnboardCancelArgsSchema>;

export const OnboardCancelAcknowledgementSchema = z.object({
  /** Step the onboarding was in when the cancel was accepted. */
  step: OnboardStepSchema,
  /** What exists already and stays (nothing is deleted): the customer, its GDAP relationship. */
  customerId: z.string().optional(),
  gdapRelationshipId: z.string().optional(),
  /** true: the cancel came before the customer existed, so nothing was done. */
  nothingCreated: z.boolean(),
});
export type OnboardCancelAcknowledgement = z.infer<typeof OnboardCancelAcknowledgementSchema>;

/** `relationshipAccepted` and `gdapApproved`: what a Partner Center event names (each optional: a nudge to look). */
export const RelationshipAcceptedSchema = z.object({ tenantId: z.string().optional() });
export type RelationshipAccepted = z.infer<typeof RelationshipAcceptedSchema>;
export const GdapApprovedSchema = z.object({ relationshipId: z.string().optional() });
export type GdapApproved = z.infer<typeof GdapApprovedSchema>;

// ---- What the activities exchange with the workflow ----

/** A customer of the partner as onboarding knows it. */
export interface OnboardedCustomer {
  customerId: string;
  tenantId: string;
  domain: string;
}

export interface DomainCheck {
  /** `contoso.onmicrosoft.com` */
  domain: string;
  /** Taken by a customer of ours that this request describes (an earlier attempt of the same onboarding). */
  adopted?: OnboardedCustomer;
}

export interface CreatedCustomer extends OnboardedCustomer {
  /** Absent when the customer was found (an earlier attempt's answer was lost): no credentials come back then. */
  adminUserPrincipalName?: string;
  /** Whether an earlier attempt created it and this one found it by its domain. */
  recovered: boolean;
}

export interface AgreementConfirmation {
  templateId: string;
  dateAgreed: string;
}

export interface GdapRelationshipRef {
  relationshipId: string;
  status: string;
}

export interface ActiveGdapRelationship {
  relationshipId: string;
  endDateTime: string;
}
