import { ApplicationFailure } from '@temporalio/common';
import type { CustomerQualification, PartnerCenterClient } from '../../partner-center';
import { onboardFailureTypes, onboardPendingTypes } from '../../workflows/customer/failures';
import { notYet, toActivityFailure } from '../common/failures';
import { changeOptions, readOptions } from '../common/request-ids';
import type { CustomerActivityDeps } from './deps';

/** A customer's qualification (Education, GovernmentCommunityCloud, StateOwnedEntity): asked once, then reviewed. */

export interface QualificationInput {
  customerId: string;
  qualification: string;
}

/** Asks for the qualification unless it is already asked for (a retried attempt, an earlier onboarding). */
export async function requestQualification(
  deps: Pick<CustomerActivityDeps, 'partnerCenter'>,
  input: QualificationInput,
): Promise<void> {
  const pc = deps.partnerCenter;
  try {
    if ((await qualificationOf(pc, input)) !== undefined) return;
    await pc.setCustomerQualification(input.customerId, input.qualification, changeOptions('qualification'));
  } catch (err) {
    throw toActivityFailure(err, onboardFailureTypes.qualificationRefused);
  }
}

/** One poll of the review: InReview → not yet; Approved → done; Denied → QualificationRefused with the reason. */
export async function awaitQualificationReview(
  deps: Pick<CustomerActivityDeps, 'partnerCenter'>,
  input: QualificationInput,
): Promise<string> {
  let found: CustomerQualification | undefined;
  try {
    found = await qualificationOf(deps.partnerCenter, input);
  } catch (err) {
    throw toActivityFailure(err, onboardFailureTypes.qualificationRefused);
  }
  const status = found?.vettingStatus ?? 'InReview';
  if (status === 'Denied')
    throw ApplicationFailure.create({
      type: onboardFailureTypes.qualificationRefused,
      message: `Partner Center refused the ${input.qualification} qualification of customer ${input.customerId}: ${found?.vettingReason ?? 'no reason given'}`,
      details: [{ customerId: input.customerId, qualification: input.qualification, reason: found?.vettingReason }],
      nonRetryable: true,
    });
  if (status !== 'Approved')
    throw notYet(
      onboardPendingTypes.qualificationInReview,
      `The ${input.qualification} qualification of customer ${input.customerId} is ${status}`,
    );
  return input.qualification;
}

async function qualificationOf(pc: PartnerCenterClient, input: QualificationInput) {
  const qualifications = await pc.listCustomerQualifications(input.customerId, readOptions());
  return qualifications.find((q) => q.qualification.toLowerCase() === input.qualification.toLowerCase());
}
