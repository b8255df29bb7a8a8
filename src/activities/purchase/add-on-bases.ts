import { purchaseFailureTypes } from '../../workflows/purchase/failures';
import { everyLineRefused } from '../../workflows/purchase/rules';
import type { CheckAddOnBasesInput, LineError } from '../../workflows/purchase/types';
import { toActivityFailure } from '../common/failures';
import { readOptions } from '../common/request-ids';
import type { PurchaseActivityDeps } from './deps';

/** Partner Center's cart line error for an add-on without a compatible base product (reference §4.3). */
const ADD_ON_WITHOUT_BASE = 400041;

/**
 * Every add-on needs one of its base products, bought in the same request or owned (an active subscription).
 * Without one, Partner Center refuses its cart line (400041) and buys the rest: the same line error is decided
 * here, before the cart, naming the bases, and the line is left out of the cart. Every line refused →
 * `CartRejected`, no cart. Seat counts are left to the cart (10018/10019 line errors).
 */
export async function checkAddOnBases(
  deps: Pick<PurchaseActivityDeps, 'partnerCenter'>,
  input: CheckAddOnBasesInput,
): Promise<LineError[]> {
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
        (await deps.partnerCenter.listSubscriptions(input.customerId, readOptions()))
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
}
