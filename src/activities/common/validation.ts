import { validateReconcileRequest } from '../../workflows/billing/types';
import { validateOnboardRequest } from '../../workflows/customer/types';
import { validateLicenceRequest } from '../../workflows/licence/types';
import { validatePurchaseRequest } from '../../workflows/purchase/types';
import { validateLifecycleInput } from '../../workflows/subscription/lifecycle-types';
import { validateSubscriptionChangeRequest } from '../../workflows/subscription/types';

/**
 * Each workflow's input validation as a local activity: its result — the normalised request (defaults applied,
 * codes upper-cased) or every bad field — is recorded in history, so a later schema edit cannot change what a run
 * already started does, however it was started (a raw `temporal workflow start` included).
 */
export function createValidationActivities() {
  return {
    async normalisePurchaseRequest(input: unknown) {
      return validatePurchaseRequest(input);
    },
    async normaliseChangeRequest(input: unknown) {
      return validateSubscriptionChangeRequest(input);
    },
    async normaliseReconcileRequest(input: unknown) {
      return validateReconcileRequest(input);
    },
    async normaliseLifecycleInput(input: unknown) {
      return validateLifecycleInput(input);
    },
    async normaliseOnboardRequest(input: unknown) {
      return validateOnboardRequest(input);
    },
    async normaliseLicenceRequest(input: unknown) {
      return validateLicenceRequest(input);
    },
  };
}
