import type { Cart, CartLineItemInput } from '../../partner-center';
import { purchaseFailureTypes } from '../../workflows/purchase/failures';
import { everyLineRefused } from '../../workflows/purchase/rules';
import type { CartOutcome, CreateCartInput, LineError, ResolvedItem } from '../../workflows/purchase/types';
import { toActivityFailure } from '../common/failures';
import { changeOptions } from '../common/request-ids';
import { attestationRequired } from './attestation';
import type { PurchaseActivityDeps } from './deps';

/** Cart line error AttestationNotAccepted (reference §4.4): the offer needs `attestationAccepted`. */
const ATTESTATION_NOT_ACCEPTED = 10012;

/**
 * Creates the cart; lines Partner Center marks invalid are reported and removed (PUT without them) so
 * checkout buys the valid ones. All lines invalid → `CartRejected` with the Partner Center codes.
 */
export async function createPurchaseCart(
  deps: Pick<PurchaseActivityDeps, 'partnerCenter'>,
  input: CreateCartInput,
): Promise<CartOutcome> {
  const pc = deps.partnerCenter;
  const lineItems = input.items.map(toCartLine);
  // The partner-of-record attestation is accepted for the whole cart (Cart.partnerOnRecordAttestationAccepted).
  const partnerOnRecord = input.items.some((i) => i.partnerOnRecordAttestationAccepted === true)
    ? { partnerOnRecordAttestationAccepted: true }
    : {};
  try {
    let cart = await pc.createCart(input.customerId, { lineItems, ...partnerOnRecord }, changeOptions('create-cart'));
    const lineErrors = lineErrorsOf(cart, input);
    if (lineErrors.length === lineItems.length) {
      throw everyLineRefused(lineErrors, cart.id);
    }
    if (lineErrors.length > 0) {
      const refused = new Set(cart.lineItems.filter((l) => l.error !== undefined).map((l) => l.id));
      cart = await pc.updateCart(
        input.customerId,
        cart.id,
        { lineItems: lineItems.filter((l) => !refused.has(l.id)), ...partnerOnRecord },
        changeOptions('drop-refused-lines'),
      );
    }
    return {
      cartId: cart.id,
      lines: cart.lineItems
        .filter((l) => l.error === undefined)
        .map((l) => ({
          item: itemOfLine(input, l.id),
          catalogItemId: l.catalogItemId,
          ...(l.orderGroup !== undefined ? { orderGroup: l.orderGroup } : {}),
        })),
      lineErrors,
    };
  } catch (err) {
    throw toActivityFailure(err, purchaseFailureTypes.cartRejected);
  }
}

/** The request's item a cart line buys (line ids are positions in the activity's item list). */
function itemOfLine(input: CreateCartInput, id: number): number {
  return input.items[id]?.item ?? id;
}

/** The cart's refused lines, by item; an unaccepted attestation fails the purchase as `AttestationRequired`. */
function lineErrorsOf(cart: Cart, input: CreateCartInput): LineError[] {
  const lineErrors: LineError[] = [];
  for (const line of cart.lineItems) {
    if (line.error !== undefined) {
      lineErrors.push({
        item: itemOfLine(input, line.id),
        code: line.error.errorCode,
        description: withAddOnBases(
          line.error.errorDescription ?? 'invalid cart line',
          line.error.errorCode,
          input.items[line.id]?.addOnBases,
        ),
      });
    }
  }
  const unattested = lineErrors.find((e) => Number(e.code) === ATTESTATION_NOT_ACCEPTED);
  if (unattested !== undefined) {
    const item = input.items.find((i) => i.item === unattested.item);
    throw attestationRequired(
      unattested.item,
      item?.catalogItemId ?? '',
      item?.enforcedAttestation ?? 'attestationAccepted',
      unattested.description,
    );
  }
  return lineErrors;
}

/**
 * Cart line errors of an add-on whose base is missing or too small (reference §4.3–4.4, 2026 "Add-ons"). 10019
 * (fewer seats than the add-on's minimum) is not about the base: Partner Center's words say how many are needed.
 */
const ADD_ON_BASE_CODES = new Set([400041, 10018]);

/** An add-on's line error says which base products it needs, whatever Partner Center's wording. */
export function withAddOnBases(description: string, code: number | string, bases: string[] | undefined): string {
  if (!ADD_ON_BASE_CODES.has(Number(code)) || bases === undefined || bases.every((b) => description.includes(b)))
    return description;
  return `${description} (the add-on needs one of the base products ${bases.join(', ')}, owned or in the same cart, with at least as many seats)`;
}

/** Cart line ids are positions in the activity's item list (Partner Center lets the client choose them). */
function toCartLine(item: ResolvedItem, position: number): CartLineItemInput {
  return {
    id: position,
    catalogItemId: item.catalogItemId,
    quantity: item.quantity,
    termDuration: item.termDuration,
    billingCycle: item.billingCycle,
    ...(item.friendlyName !== undefined ? { friendlyName: item.friendlyName } : {}),
    ...(item.promotionId !== undefined ? { promotionId: item.promotionId } : {}),
    ...(item.attestationAccepted !== undefined ? { attestationAccepted: item.attestationAccepted } : {}),
    ...(item.customTermEndDate !== undefined ? { customTermEndDate: item.customTermEndDate } : {}),
    ...(item.provisioningContext !== undefined ? { provisioningContext: item.provisioningContext } : {}),
  };
}
