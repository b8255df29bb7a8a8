import { log, patched } from '@temporalio/workflow';
import { calls } from './calls';
import type { PrerequisiteOverlay, ResolvedItem, ValidPurchaseRequest } from './types';

/**
 * The checks a purchase makes before its cart (agreement, add-on bases, promotions, co-terminosity), one activity
 * each and in that order, and the agreement's confirmation once the purchase is approved.
 */

/** Runs started since check before their cart that every add-on's base product is owned or bought with it. */
const ADD_ON_BASES_PATCH = 'purchase-add-on-bases';

export interface Prerequisites {
  /** The customer's MCA is missing and the request carries it: confirmed once, after approval, right before the cart. */
  agreementToConfirm: boolean;
  /** What the prerequisites decided per item, laid over every cart. */
  overlay: PrerequisiteOverlay;
}

export async function checkPrerequisites(request: ValidPurchaseRequest, items: ResolvedItem[]): Promise<Prerequisites> {
  const { customerId, country, segment } = request;
  const agreement = await calls.checkCustomerAgreement.executeWithOptions(
    { summary: `Check that customer ${customerId} accepted the Microsoft Customer Agreement` },
    [{ customerId, agreementGiven: request.agreement !== undefined }],
  );
  const addOns = items.filter((i) => i.addOnBases !== undefined);
  const lineErrors =
    addOns.length > 0 && patched(ADD_ON_BASES_PATCH)
      ? await calls.checkAddOnBases.executeWithOptions(
          { summary: `Check that the base products of ${addOns.length} add-on(s) are owned or bought with them` },
          [{ customerId, items }],
        )
      : [];
  const withPromotion = items.filter((i) => i.promotionId !== undefined);
  const promotions =
    withPromotion.length === 0
      ? []
      : await calls.checkPurchasePromotions.executeWithOptions(
          { summary: `Check the promotion eligibility of ${withPromotion.length} item(s)` },
          [{ customerId, country, segment, onIneligiblePromotion: request.onIneligiblePromotion ?? 'fail', items }],
        );
  const coTermed = items.filter((i) => i.customTermEndDate !== undefined || i.alignWith !== undefined);
  const customTermEndDates =
    coTermed.length === 0
      ? []
      : await calls.resolveCustomTermEndDates.executeWithOptions(
          { summary: `Check the custom term end date of ${coTermed.length} item(s)` },
          [{ customerId, items: coTermed }],
        );
  return {
    agreementToConfirm: agreement.outcome === 'to-confirm',
    overlay: { promotions, customTermEndDates, ...(lineErrors.length > 0 ? { lineErrors } : {}) },
  };
}

/** Confirms the customer's agreement with the signatory the request names (nothing to do without one). */
export async function confirmAgreement(request: ValidPurchaseRequest): Promise<void> {
  if (request.agreement === undefined) return;
  const confirmed = await calls.confirmCustomerAgreement.executeWithOptions(
    { summary: `Confirm customer ${request.customerId}'s Microsoft Customer Agreement` },
    [{ customerId: request.customerId, agreement: request.agreement }],
  );
  log.info('customer agreement', { outcome: confirmed.outcome });
}
