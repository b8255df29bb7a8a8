import { ApplicationFailure } from '@temporalio/common';
import type {
  CustomTermEndDate,
  PartnerCenterClient,
  ProductPromotion,
  PromotionEligibilityError,
  RequestOptions,
  TokenMode,
} from '../../partner-center';
import { purchaseFailureTypes } from '../../workflows/purchase/failures';
import { everyLineRefused, invalidPurchaseRequest } from '../../workflows/purchase/rules';
import type {
  AgreementOutcome,
  CheckAddOnBasesInput,
  CheckAgreementInput,
  CheckPromotionsInput,
  ConfirmAgreementInput,
  InvalidField,
  LineError,
  PrerequisiteOverlay,
  PromotionDecision,
  ResolveTermEndDatesInput,
  ResolvedItem,
} from '../../workflows/purchase/types';
import { toActivityFailure } from '../common/failures';

/**
 * The checks a new-commerce purchase must pass before its cart is created (docs/sandbox.md, Purchase
 * prerequisites): the customer's Microsoft Customer Agreement, add-ons' base products, the promotions asked for, and
 * co-termed end dates.
 * Reads only, except the agreement confirmation, which the workflow schedules once, right before the cart.
 */

export const MCA = 'MicrosoftCustomerAgreement';

/** Partner Center's cart line error for an add-on without a compatible base product (reference §4.3). */
const ADD_ON_WITHOUT_BASE = 400041;

/** 'best' asks for the eligible promotion with the largest discount. */
export const BEST_PROMOTION = 'best';

interface PrerequisiteDeps {
  partnerCenter: PartnerCenterClient;
  tokenMode: TokenMode;
  /** MS-RequestId stable across the attempts of one logical call (the agreement confirmation). */
  mutating(call: string): RequestOptions;
  /** A fresh MS-RequestId per attempt. */
  reading(): RequestOptions;
}

export function createPrerequisiteActivities(deps: PrerequisiteDeps) {
  const { partnerCenter: pc, reading, mutating } = deps;

  async function mcaOnRecord(customerId: string) {
    const agreements = await pc.listCustomerAgreements(customerId, MCA, reading());
    // Filtered by type on the server; an entry without a type is taken as the MCA asked for.
    return agreements.find((a) => a.type === undefined || a.type === MCA);
  }

  return {
    /**
     * Is the customer's MCA acceptance on record? Missing → `AgreementRequired`, unless the request can confirm it
     * (then the workflow confirms it right before the cart); confirming needs App+User tokens, so App-only says so.
     */
    async checkCustomerAgreement(input: CheckAgreementInput): Promise<AgreementOutcome> {
      try {
        const onRecord = await mcaOnRecord(input.customerId);
        if (onRecord !== undefined) {
          return {
            outcome: 'on-record',
            ...(onRecord.dateAgreed !== undefined ? { dateAgreed: onRecord.dateAgreed } : {}),
          };
        }
      } catch (err) {
        throw toActivityFailure(err, purchaseFailureTypes.agreementRequired);
      }
      const missing = `Customer ${input.customerId} has not accepted the Microsoft Customer Agreement, which every new-commerce purchase needs on record`;
      if (!input.agreementGiven) {
        throw agreementRequired(
          input.customerId,
          `${missing}: give 'agreement' (the customer's signatory: firstName, lastName, email) so the purchase confirms it, or confirm it in Partner Center`,
        );
      }
      if (deps.tokenMode === 'app-only') {
        throw agreementRequired(
          input.customerId,
          `${missing}, and confirming it (POST /customers/{id}/agreements) needs App+User tokens: this worker uses App-only. Set PARTNER_CENTER_REFRESH_TOKEN (secure application model) or confirm it in Partner Center`,
        );
      }
      return { outcome: 'to-confirm' };
    },

    /**
     * Confirms the MCA with the current template. Idempotent: an earlier attempt that got through (its answer lost)
     * is found on record first, and the POST repeats its MS-RequestId.
     */
    async confirmCustomerAgreement(input: ConfirmAgreementInput): Promise<AgreementOutcome> {
      try {
        const onRecord = await mcaOnRecord(input.customerId);
        if (onRecord !== undefined) {
          return {
            outcome: 'on-record',
            ...(onRecord.dateAgreed !== undefined ? { dateAgreed: onRecord.dateAgreed } : {}),
          };
        }
        const [template] = await pc.listAgreementTemplates(MCA, reading());
        if (template === undefined) {
          throw agreementRequired(
            input.customerId,
            `Partner Center lists no ${MCA} template to confirm the agreement with`,
          );
        }
        const { firstName, lastName, email, phoneNumber, dateAgreed } = input.agreement;
        const confirmed = await pc.createCustomerAgreement(
          input.customerId,
          {
            primaryContact: { firstName, lastName, email, ...(phoneNumber !== undefined ? { phoneNumber } : {}) },
            templateId: template.templateId,
            dateAgreed: dateAgreed ?? new Date().toISOString(),
            type: MCA,
            ...(template.agreementLink !== undefined ? { agreementLink: template.agreementLink } : {}),
          },
          mutating('confirm-agreement'),
        );
        return {
          outcome: 'confirmed',
          ...(confirmed.dateAgreed !== undefined ? { dateAgreed: confirmed.dateAgreed } : {}),
        };
      } catch (err) {
        throw toActivityFailure(err, purchaseFailureTypes.agreementRequired);
      }
    },

    /**
     * Checks every asked-for promotion with Partner Center's eligibility call; 'best' first lists the market's
     * promotions for the item's product, SKU, term and billing cycle and takes the eligible one with the largest
     * discount. Not eligible → `PromotionNotEligible` with every reason, unless the request buys without.
     */
    async checkPurchasePromotions(input: CheckPromotionsInput): Promise<PromotionDecision[]> {
      try {
        const asked = input.items.filter((i) => i.promotionId !== undefined);
        const market = asked.some((i) => i.promotionId === BEST_PROMOTION)
          ? await pc.listProductPromotions({ country: input.country, segment: input.segment }, reading())
          : [];
        const candidates = asked.map((item) => ({
          item,
          promotionIds:
            item.promotionId === BEST_PROMOTION ? bestFirst(market, item) : [item.promotionId ?? BEST_PROMOTION],
        }));
        const checks = candidates.flatMap(({ item, promotionIds }) =>
          promotionIds.map((promotionId) => ({ item, promotionId })),
        );
        const verdicts =
          checks.length === 0
            ? []
            : await pc.checkPromotionEligibilities(
                input.customerId,
                checks.map(({ item, promotionId }, id) => ({
                  id,
                  catalogItemId: item.catalogItemId,
                  quantity: item.quantity,
                  termDuration: item.termDuration,
                  billingCycle: item.billingCycle,
                  promotionId,
                })),
                reading(),
              );
        const verdictOf = (id: number, promotionId: string) => {
          const entry = verdicts.find((v) => v.id === id) ?? verdicts[id];
          const eligibility = entry?.eligibilities.find(
            (e) => e.promotionId === undefined || sameId(e.promotionId, promotionId),
          );
          return { eligible: eligibility?.isEligible === true, errors: eligibility?.errors ?? [] };
        };
        let next = 0;
        const decisions: PromotionDecision[] = candidates.map(({ item, promotionIds }) => {
          const requested = item.promotionId ?? BEST_PROMOTION;
          const reasons: string[] = [];
          let applied: string | undefined;
          for (const promotionId of promotionIds) {
            const verdict = verdictOf(next++, promotionId);
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
        });
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
    },

    /**
     * Every add-on needs one of its base products, bought in the same request or owned (an active subscription).
     * Without one, Partner Center refuses its cart line (400041) and buys the rest: the same line error is decided
     * here, before the cart, naming the bases, and the line is left out of the cart. Every line refused →
     * `CartRejected`, no cart. Seat counts are left to the cart (10018/10019 line errors).
     */
    async checkAddOnBases(input: CheckAddOnBasesInput): Promise<LineError[]> {
      const productSkuOf = (catalogItemId: string) => catalogItemId.split(':').slice(0, 2).join(':').toUpperCase();
      const inRequest = new Set(input.items.map((i) => productSkuOf(i.catalogItemId)));
      let owned: Set<string> | undefined;
      const lineErrors: LineError[] = [];
      try {
        for (const item of input.items) {
          const bases = item.addOnBases;
          if (bases === undefined) continue;
          if (bases.some((b) => inRequest.has(b.toUpperCase()))) continue;
          owned ??= new Set(
            (await pc.listSubscriptions(input.customerId, reading()))
              .filter((s) => s.status === 'active')
              .map((s) => productSkuOf(s.offerId)),
          );
          if (bases.some((b) => owned?.has(b.toUpperCase()) === true)) continue;
          lineErrors.push({
            item: item.item,
            code: ADD_ON_WITHOUT_BASE,
            description: `The add-on ${item.catalogItemId} needs one of its base products ${bases.join(', ')}: customer ${input.customerId} has no active subscription of one and the request buys none (checked before the cart; the line was not carted)`,
          });
        }
      } catch (err) {
        throw toActivityFailure(err, purchaseFailureTypes.cartRejected);
      }
      if (lineErrors.length > 0 && lineErrors.length === input.items.length) {
        throw everyLineRefused(lineErrors);
      }
      return lineErrors;
    },

    /**
     * Checks each `customTermEndDate` against the dates Partner Center allows and resolves `alignWith` into one:
     * a subscription's end date, or (calendarMonth) the last month end within the first term.
     */
    async resolveCustomTermEndDates(
      input: ResolveTermEndDatesInput,
    ): Promise<PrerequisiteOverlay['customTermEndDates']> {
      const resolved: PrerequisiteOverlay['customTermEndDates'] = [];
      const problems: InvalidField[] = [];
      try {
        for (const item of input.items) {
          if (item.customTermEndDate === undefined && item.alignWith === undefined) continue;
          const target = typeof item.alignWith === 'object' ? item.alignWith.subscriptionId : undefined;
          const allowed = await pc.listCustomTermEndDates(
            input.customerId,
            {
              termDuration: item.termDuration,
              ...(target !== undefined ? { targetCotermSubscriptionId: target } : {}),
            },
            reading(),
          );
          const choice = chooseEndDate(item, allowed);
          if ('date' in choice) resolved.push({ item: item.item, customTermEndDate: choice.date });
          else problems.push(choice.problem);
        }
      } catch (err) {
        throw toActivityFailure(err, purchaseFailureTypes.invalidRequest);
      }
      if (problems.length > 0) throw invalidPurchaseRequest(problems);
      return resolved;
    },
  };
}

function agreementRequired(customerId: string, message: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: purchaseFailureTypes.agreementRequired,
    message,
    details: [{ customerId, agreementType: MCA }],
    nonRetryable: true,
  });
}

const sameId = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
const dayOf = (date: string) => date.slice(0, 10);

/** The market's promotions for the item's product, SKU, term and billing cycle, the largest discount first. */
export function bestFirst(promotions: readonly ProductPromotion[], item: ResolvedItem): string[] {
  const [productId, skuId] = item.catalogItemId.split(':');
  const productSku = `${productId}:${skuId}`.toLowerCase();
  const discountOf = (p: ProductPromotion) =>
    Math.max(0, ...(p.pricingPolicies ?? []).map((policy) => policy.percentDiscount ?? 0));
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
    .sort((a, b) => discountOf(b) - discountOf(a))
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

function chooseEndDate(
  item: ResolvedItem,
  allowed: readonly CustomTermEndDate[],
): { date: string } | { problem: InvalidField } {
  const field = `items[${item.item}]`;
  const listed = (dates: readonly CustomTermEndDate[]) =>
    dates.length === 0 ? 'none' : dates.map((d) => dayOf(d.allowedCustomTermEndDate)).join(', ');
  if (item.customTermEndDate !== undefined) {
    const wanted = dayOf(item.customTermEndDate);
    return allowed.some((d) => dayOf(d.allowedCustomTermEndDate) === wanted)
      ? { date: wanted }
      : {
          problem: {
            field: `${field}.customTermEndDate`,
            problem: `must be a month end or an existing subscription's end date within the first ${item.termDuration} term (allowed: ${listed(allowed)})`,
          },
        };
  }
  if (item.alignWith === 'calendarMonth') {
    const monthEnds = allowed
      .filter((d) => d.allowedCustomTermEndDateType === 'calendarMonthAligned')
      .map((d) => dayOf(d.allowedCustomTermEndDate))
      .sort();
    const last = monthEnds.at(-1);
    return last !== undefined
      ? { date: last }
      : {
          problem: {
            field: `${field}.alignWith`,
            problem: `no calendar month end is allowed for a ${item.termDuration} term`,
          },
        };
  }
  const subscriptionId = typeof item.alignWith === 'object' ? item.alignWith.subscriptionId : '';
  const match = allowed.find(
    (d) =>
      d.allowedCustomTermEndDateType !== 'calendarMonthAligned' &&
      d.cotermSubscriptionIds.some((id) => sameId(id, subscriptionId)),
  );
  return match !== undefined
    ? { date: dayOf(match.allowedCustomTermEndDate) }
    : {
        problem: {
          field: `${field}.alignWith.subscriptionId`,
          problem: `subscription ${subscriptionId} cannot be co-termed with: it must be an active, non-trial subscription of the customer ending within the first ${item.termDuration} term (and not monthly when the term is longer)`,
        },
      };
}
