import { ApplicationFailure } from '@temporalio/common';
import type { PartnerCenterClient, ProductPromotion, PromotionEligibilityError } from '../../partner-center';
import { purchaseFailureTypes } from '../../workflows/purchase/failures';
import type { CheckPromotionsInput, PromotionDecision, ResolvedItem } from '../../workflows/purchase/types';
import { toActivityFailure } from '../common/failures';
import { readOptions } from '../common/request-ids';
import type { PurchaseActivityDeps } from './deps';

/** 'best' asks for the eligible promotion with the largest discount. */
export const BEST_PROMOTION = 'best';

/** An item that asks for a promotion, and the promotions to check for it, in order of preference. */
interface PromotionCandidate {
  item: ResolvedItem;
  promotionIds: string[];
}

/** Partner Center's eligibility answer for one promotion of one item. */
interface EligibilityVerdict {
  eligible: boolean;
  errors: PromotionEligibilityError[];
}

/**
 * Checks every asked-for promotion with Partner Center's eligibility call; 'best' first lists the market's
 * promotions for the item's product, SKU, term and billing cycle and takes the eligible one with the largest
 * discount. Not eligible → `PromotionNotEligible` with every reason, unless the request buys without.
 */
export async function checkPurchasePromotions(
  deps: Pick<PurchaseActivityDeps, 'partnerCenter'>,
  input: CheckPromotionsInput,
): Promise<PromotionDecision[]> {
  try {
    const candidates = await promotionCandidates(deps.partnerCenter, input);
    const verdicts = await eligibilityVerdicts(deps.partnerCenter, input.customerId, candidates);
    let next = 0;
    const decisions = candidates.map((candidate) =>
      decide(input, candidate, verdicts.slice(next, (next += candidate.promotionIds.length))),
    );
    // 'best' is opportunistic: without an eligible promotion the item is bought at its price.
    const refused = decisions.filter((d) => d.promotionId === undefined && d.requested !== BEST_PROMOTION);
    if (refused.length > 0 && input.onIneligiblePromotion === 'fail') {
      throw ApplicationFailure.create({
        type: purchaseFailureTypes.promotionNotEligible,
        message: `Promotion not eligible: ${refused.map((d) => `items[${d.item}] ${d.requested}: ${d.reasons.join('; ')}`).join(' | ')} (onIneligiblePromotion 'buyWithout' buys without it)`,
        details: refused.map((d) => ({ item: d.item, promotionId: d.requested, reasons: d.reasons })),
        nonRetryable: true,
      });
    }
    return decisions;
  } catch (err) {
    throw toActivityFailure(err, purchaseFailureTypes.promotionNotEligible);
  }
}

/** The items that ask for a promotion, each with the promotions to check: the one named, or for 'best' the market's. */
async function promotionCandidates(
  pc: PartnerCenterClient,
  input: CheckPromotionsInput,
): Promise<PromotionCandidate[]> {
  const asked = input.items.filter((i) => i.promotionId !== undefined);
  const market = asked.some((i) => i.promotionId === BEST_PROMOTION)
    ? await pc.listProductPromotions({ country: input.country, segment: input.segment }, readOptions())
    : [];
  return asked.map((item) => ({
    item,
    promotionIds: item.promotionId === BEST_PROMOTION ? bestFirst(market, item) : [item.promotionId ?? BEST_PROMOTION],
  }));
}

/** One eligibility call for every promotion of every candidate: the verdicts in the same order. */
async function eligibilityVerdicts(
  pc: PartnerCenterClient,
  customerId: string,
  candidates: readonly PromotionCandidate[],
): Promise<EligibilityVerdict[]> {
  const checks = candidates.flatMap(({ item, promotionIds }) =>
    promotionIds.map((promotionId) => ({ item, promotionId })),
  );
  const verdicts =
    checks.length === 0
      ? []
      : await pc.checkPromotionEligibilities(
          customerId,
          checks.map(({ item, promotionId }, id) => ({
            id,
            catalogItemId: item.catalogItemId,
            quantity: item.quantity,
            termDuration: item.termDuration,
            billingCycle: item.billingCycle,
            promotionId,
          })),
          readOptions(),
        );
  return checks.map(({ promotionId }, id) => {
    const entry = verdicts.find((v) => v.id === id) ?? verdicts[id];
    const eligibility = entry?.eligibilities.find(
      (e) => e.promotionId === undefined || e.promotionId.toLowerCase() === promotionId.toLowerCase(),
    );
    return { eligible: eligibility?.isEligible === true, errors: eligibility?.errors ?? [] };
  });
}

/** The item's decision: the first eligible promotion, else every reason the candidates were refused for. */
function decide(
  input: CheckPromotionsInput,
  { item, promotionIds }: PromotionCandidate,
  verdicts: readonly EligibilityVerdict[],
): PromotionDecision {
  const requested = item.promotionId ?? BEST_PROMOTION;
  const reasons: string[] = [];
  let applied: string | undefined;
  for (const [index, promotionId] of promotionIds.entries()) {
    const verdict = verdicts[index]!;
    if (verdict.eligible && applied === undefined) applied = promotionId;
    else if (!verdict.eligible) reasons.push(...verdict.errors.map((e) => describeReason(promotionId, e)));
  }
  if (promotionIds.length === 0) {
    reasons.push(
      `NoPromotionsAvailable: no ${input.country} ${input.segment} promotion applies to ${item.catalogItemId} (${item.termDuration}, billed ${item.billingCycle})`,
    );
  }
  return applied !== undefined
    ? { item: item.item, requested, promotionId: applied, reasons: [] }
    : {
        item: item.item,
        requested,
        reasons: reasons.length > 0 ? reasons : ['not eligible (no reason given)'],
      };
}

/** A promotion's discount in percent: the largest of its pricing policies. */
export function promotionDiscountOf(promotion: ProductPromotion): number {
  return Math.max(0, ...(promotion.pricingPolicies ?? []).map((policy) => policy.percentDiscount ?? 0));
}

/** The market's promotions for the item's product, SKU, term and billing cycle, the largest discount first. */
export function bestFirst(promotions: readonly ProductPromotion[], item: ResolvedItem): string[] {
  const [productId, skuId] = item.catalogItemId.split(':');
  const productSku = `${productId}:${skuId}`.toLowerCase();
  return promotions
    .filter((p) => {
      if (p.status !== undefined && p.status.toLowerCase() !== 'active') return false;
      const scope = p.requirements?.productScope;
      const scopeId = scope?.id?.split(':').slice(0, 2).join(':').toLowerCase();
      return (
        scopeId === productSku &&
        (scope?.term?.duration === undefined || scope.term.duration === item.termDuration) &&
        (scope?.term?.billingCycle === undefined || scope.term.billingCycle === item.billingCycle)
      );
    })
    .sort((a, b) => promotionDiscountOf(b) - promotionDiscountOf(a))
    .map((p) => p.id);
}

/** "SeatCount: … (min 1, max 10, available 3)": Partner Center's type and words, and the seat figures it gave. */
function describeReason(promotionId: string, error: PromotionEligibilityError): string {
  const seats = [
    error.minimumRequiredSeats !== undefined ? `min ${error.minimumRequiredSeats}` : undefined,
    error.maximumRequiredSeats !== undefined ? `max ${error.maximumRequiredSeats}` : undefined,
    error.availableSeats !== undefined ? `available ${error.availableSeats}` : undefined,
  ].filter((s) => s !== undefined);
  const text = `${error.type ?? 'NotEligible'}: ${error.description ?? 'not eligible'}${seats.length > 0 ? ` (${seats.join(', ')})` : ''}`;
  return `${promotionId} ${text}`;
}
