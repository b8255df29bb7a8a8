import { ApplicationFailure } from '@temporalio/common';
import { activityInfo, log } from '@temporalio/activity';
import { isPartnerCenterError, type Cart, type PartnerCenterClient } from '../../partner-center';
import { internalFailureTypes } from '../../workflows/common/failure-types';
import { purchaseFailureTypes } from '../../workflows/purchase/failures';
import type { CheckoutInput, CheckoutOutcome } from '../../workflows/purchase/types';
import { notYet, toActivityFailure } from '../common/failures';
import { changeOptions, readOptions } from '../common/request-ids';
import { ALREADY_SUBMITTED_CODE, matchCartOrders } from './checkout-recovery';
import type { PurchaseActivityDeps } from './deps';
import { toOrderSummary } from './order';

/**
 * Checks the cart out. Retries (lost response, worker crash) send the same cart with the same
 * MS-RequestId; Partner Center answers a repeated checkout of an ordered cart with the first result.
 */
export async function checkoutPurchaseCart(
  deps: Pick<PurchaseActivityDeps, 'partnerCenter' | 'settings'>,
  input: CheckoutInput,
): Promise<CheckoutOutcome> {
  try {
    const result = await deps.partnerCenter.checkoutCart(input.customerId, input.cartId, changeOptions('checkout'));
    return {
      orders: result.orders.map(toOrderSummary),
      orderErrors: result.orderErrors.map((e) => ({
        orderGroupId: e.orderGroupId,
        code: e.code,
        description: e.description ?? 'order group failed',
      })),
    };
  } catch (err) {
    if (!isPartnerCenterError(err) || Number(err.code) !== ALREADY_SUBMITTED_CODE)
      throw toActivityFailure(err, purchaseFailureTypes.checkoutRejected);
  }
  try {
    return await recoverSubmittedCheckout(deps, input);
  } catch (err) {
    throw toActivityFailure(err, purchaseFailureTypes.checkoutRejected);
  }
}

/**
 * A checkout refused as already submitted (800065): an earlier attempt went through and its answer was lost.
 * The cart must say so; its orders are then read from the customer's order list, which lags behind (up to
 * 15 minutes), so until the visibility deadline a missing order is a "not yet" and the attempt is retried.
 */
async function recoverSubmittedCheckout(
  deps: Pick<PurchaseActivityDeps, 'partnerCenter' | 'settings'>,
  input: CheckoutInput,
): Promise<CheckoutOutcome> {
  const pc = deps.partnerCenter;
  const cart = await orderedCart(pc, input);
  const match = matchCartOrders(cart, await pc.listOrders(input.customerId, readOptions()));
  if (match.kind === 'ambiguous') {
    throw ApplicationFailure.create({
      type: purchaseFailureTypes.orderNotVisible,
      message:
        `Cart ${input.cartId} was ordered by an attempt whose answer was lost, and orders ${match.candidateOrderIds.join(', ')} created since ` +
        `all match its order group(s) ${match.orderGroups.join(', ')}: look up in Partner Center which belong to this purchase`,
      details: [{ cartId: input.cartId, ...match }],
      nonRetryable: true,
    });
  }
  // The list lags behind the submission, so wait from whichever is later: this checkout being scheduled, or the
  // cart being ordered (Partner Center's clock, never later than ours) — a worker outage in between costs no patience.
  const orderedAt = Date.parse(cart.lastModifiedTimestamp ?? ''); // NaN when absent or unreadable
  const waitingSince = Math.max(
    activityInfo().scheduledTimestampMs,
    Number.isNaN(orderedAt) ? 0 : Math.min(orderedAt, Date.now()),
  );
  const waited = Date.now() - waitingSince;
  if (match.missingGroups.length > 0 && waited < deps.settings.orderVisibilityDeadlineMs) {
    throw notYet(
      internalFailureTypes.orderNotYetVisible,
      `Cart ${input.cartId} was ordered (its checkout answer was lost); ${match.orders.length} of ${match.orders.length + match.missingGroups.length} orders are in the customer's order list yet`,
    );
  }
  if (match.orders.length === 0) {
    throw ApplicationFailure.create({
      type: purchaseFailureTypes.orderNotVisible,
      message: `Cart ${input.cartId} was ordered (its checkout answer was lost), but none of its orders reached the customer's order list within ${waited} ms`,
      details: [{ cartId: input.cartId }],
      nonRetryable: true,
    });
  }
  log.warn('Checkout answer lost; orders found in the order list', {
    cartId: input.cartId,
    orderIds: match.orders.map((o) => o.id),
    missingGroups: match.missingGroups,
  });
  return {
    orders: match.orders.map(toOrderSummary),
    orderErrors: match.missingGroups.map((orderGroupId) => ({
      orderGroupId,
      code: ALREADY_SUBMITTED_CODE,
      description: `no order of cart ${input.cartId} for this order group reached the customer's order list within ${waited} ms`,
    })),
  };
}

/** The cart a checkout refused as already submitted: it must be ordered, else the refusal is the checkout's failure. */
async function orderedCart(pc: PartnerCenterClient, input: CheckoutInput): Promise<Cart> {
  const cart = await pc.getCart(input.customerId, input.cartId, readOptions());
  if (cart.status !== 'ordered') {
    throw ApplicationFailure.create({
      type: purchaseFailureTypes.checkoutRejected,
      message: `Checkout of cart ${input.cartId} was refused as already submitted (${ALREADY_SUBMITTED_CODE}), yet the cart is ${cart.status ?? 'without a status'}`,
      details: [{ cartId: input.cartId, cartStatus: cart.status }],
      nonRetryable: true,
    });
  }
  return cart;
}
