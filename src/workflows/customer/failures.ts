import { internalFailureTypes, MFA_REQUIRED, UNAUTHORIZED } from '../common/failure-types';
import type { RunFailurePolicy } from '../common/run-failure';

/** `ApplicationFailure` types an `onboardCustomer` caller may see (contract §3, v3), decided where the fact is known. */
export const onboardFailureTypes = {
  invalidRequest: 'InvalidOnboardRequest',
  domainUnavailable: 'DomainUnavailable',
  customerCreationRefused: 'CustomerCreationRefused',
  relationshipNotAccepted: 'RelationshipNotAccepted',
  qualificationRefused: 'QualificationRefused',
  gdapRefused: 'GdapRefused',
  gdapNotApproved: 'GdapNotApproved',
  unauthorized: UNAUTHORIZED,
  mfaRequired: MFA_REQUIRED,
} as const;
export type OnboardFailureType = (typeof onboardFailureTypes)[keyof typeof onboardFailureTypes];

/** Internal "not yet" answers of the onboarding's pollers (BENIGN, retried at the poll interval). */
export const onboardPendingTypes = {
  relationshipPending: 'RelationshipPending',
  qualificationInReview: 'QualificationInReview',
  gdapApprovalPending: 'GdapApprovalPending',
  accessAssignmentPending: 'AccessAssignmentPending',
  customerNotYetVisible: 'CustomerNotYetVisible',
} as const;

/**
 * How an onboarding ends (runFailure): with the type the activity decided, or PartnerCenterError. Its waits running
 * out of time are judged at their step (workflow.ts), where what it waited for is known.
 */
export const onboardRunFailures: RunFailurePolicy = { fallbackType: internalFailureTypes.partnerCenter };
