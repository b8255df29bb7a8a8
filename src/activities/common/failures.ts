import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import { isPartnerCenterError } from '../../partner-center';
import { internalFailureTypes, MFA_REQUIRED, UNAUTHORIZED } from '../../workflows/common/failure-types';

/** Partner Center code of "availability not found": the catalog item id went stale. */
export const STALE_AVAILABILITY_CODE = 400019;

/**
 * A Partner Center error as the failure Temporal acts on:
 * - 429 → retryable, next attempt after Retry-After (`nextRetryDelay`);
 * - 401 → `Unauthorized`, non-retryable;
 * - 401/900421 → `MfaRequired`, non-retryable (its message says how the operator re-consents with MFA);
 * - 400019 → `StaleAvailability`, non-retryable (the workflow re-resolves once);
 * - transient (5xx, network, timeout, busy 409) → retryable with the policy's backoff;
 * - anything else (business rule, not found) → non-retryable `businessType`, with status/code/description as details.
 * Anything that is not a Partner Center error is rethrown unchanged (Temporal retries it).
 * Messages come from PartnerCenterError, which never carries a credential.
 */
export function toActivityFailure(err: unknown, businessType: string): unknown {
  if (!isPartnerCenterError(err)) return err;
  const details = [{ status: err.status, code: err.code, description: err.description, requestId: err.requestId }];
  if (err.kind === 'mfa-required') {
    return ApplicationFailure.create({ type: MFA_REQUIRED, message: err.message, details, nonRetryable: true });
  }
  if (err.kind === 'unauthorized') {
    return ApplicationFailure.create({ type: UNAUTHORIZED, message: err.message, details, nonRetryable: true });
  }
  if (Number(err.code) === STALE_AVAILABILITY_CODE) {
    return ApplicationFailure.create({
      type: internalFailureTypes.staleAvailability,
      message: err.message,
      details,
      nonRetryable: true,
    });
  }
  if (err.retryable) {
    return ApplicationFailure.create({
      type: err.kind === 'throttled' ? internalFailureTypes.throttled : internalFailureTypes.partnerCenter,
      message: err.message,
      details,
      ...(err.retryAfterMs !== undefined ? { nextRetryDelay: err.retryAfterMs } : {}),
    });
  }
  return ApplicationFailure.create({ type: businessType, message: err.message, details, nonRetryable: true });
}

/** "Not yet": the poller's normal answer. BENIGN keeps it out of error logs and failure metrics. */
export function notYet(type: string, message: string): ApplicationFailure {
  return ApplicationFailure.create({ type, message, category: ApplicationFailureCategory.BENIGN });
}
