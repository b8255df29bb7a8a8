import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type {
  GdapApproved,
  OnboardCancelAcknowledgement,
  OnboardCancelArgs,
  OnboardStatus,
  RelationshipAccepted,
} from './types';

/** Messages of `onboardCustomer` (contract §3, v3), shared by the workflow, its clients and the events workflow. */
export const onboardStatusQuery = defineQuery<OnboardStatus>('status');
export const cancelOnboardingUpdate = defineUpdate<OnboardCancelAcknowledgement, [OnboardCancelArgs]>('cancel');
/** A Partner Center event said the customer accepted the reseller relationship: look now instead of at the next poll. */
export const relationshipAcceptedSignal = defineSignal<[RelationshipAccepted]>('relationshipAccepted');
/** A Partner Center event said the customer approved the GDAP relationship. */
export const gdapApprovedSignal = defineSignal<[GdapApproved]>('gdapApproved');
