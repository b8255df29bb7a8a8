import { internalFailureTypes, MFA_REQUIRED, UNAUTHORIZED } from '../common/failure-types';
import type { RunFailurePolicy } from '../common/run-failure';

/** `ApplicationFailure` types an `assignLicences` caller may see (contract §3), decided where the fact is known. */
export const licenceFailureTypes = {
  /** Names every bad field (a user that is neither a UPN nor a GUID, listed twice, in both lists); before any call. */
  invalidRequest: 'InvalidLicenceRequest',
  /** The subscription did not show in the customer's tenant within LICENCE_VISIBILITY_DEADLINE. */
  licencesNotVisible: 'LicencesNotVisible',
  /** Refused credential, or a 403 in the customer's tenant (the message names the GDAP role to grant). */
  unauthorized: UNAUTHORIZED,
  mfaRequired: MFA_REQUIRED,
} as const;
export type LicenceFailureType = (typeof licenceFailureTypes)[keyof typeof licenceFailureTypes];

/** "Not yet" of the visibility poller: BENIGN, retried by the activity retry policy. */
export const LICENCES_NOT_YET_VISIBLE = 'LicencesNotYetVisible';

/**
 * How an assignment ends (runFailure): the visibility poller out of time is LicencesNotVisible with its last answer;
 * anything else keeps the type the activity decided, or PartnerCenterError.
 */
export const licenceRunFailures: RunFailurePolicy = {
  fallbackType: internalFailureTypes.partnerCenter,
  // Only the visibility poller has a deadline (schedule-to-close); the other calls retry until they succeed.
  rule: ({ last, timedOut }) =>
    timedOut
      ? {
          type: licenceFailureTypes.licencesNotVisible,
          message: `The subscription's licences did not show in the customer's tenant within LICENCE_VISIBILITY_DEADLINE${last !== undefined ? ` (last: ${last.message})` : ''}`,
        }
      : undefined,
};
