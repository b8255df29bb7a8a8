import { ApplicationFailure } from '@temporalio/common';
import { isPartnerCenterError, type Order } from '../../partner-center';
import { internalFailureTypes } from '../../workflows/common/failure-types';
import { purchaseFailureTypes } from '../../workflows/purchase/failures';
import type { AwaitOrderInput, OrderSummary } from '../../workflows/purchase/types';
import { notYet, toActivityFailure } from '../common/failures';
import { readOptions } from '../common/request-ids';
import type { PurchaseActivityDeps } from './deps';

/** Order states after which no subscription will appear: the purchase cannot be provisioned. */
const FAILED_ORDER_STATUSES = new Set(['cancelled', 'error', 'po_review_rejected', 'suspended']);
/** Order states that are final enough to read subscription ids from. */
const SETTLED_ORDER_STATUSES = new Set(['completed', 'partial_success']);

/** One poll: the order by id (the customer's order list lags), done once settled with subscription ids. */
export async function awaitOrderCompletion(
  deps: Pick<PurchaseActivityDeps, 'partnerCenter'>,
  input: AwaitOrderInput,
): Promise<OrderSummary> {
  let order: Order;
  try {
    order = await deps.partnerCenter.getOrder(input.customerId, input.orderId, readOptions());
  } catch (err) {
    if (isPartnerCenterError(err) && err.kind === 'not-found') {
      throw notYet(internalFailureTypes.orderNotYetVisible, `Order ${input.orderId} is not visible yet`);
    }
    throw toActivityFailure(err, purchaseFailureTypes.provisioningFailed);
  }
  if (FAILED_ORDER_STATUSES.has(order.status)) {
    throw ApplicationFailure.create({
      type: purchaseFailureTypes.provisioningFailed,
      message: `Order ${order.id} ended ${order.status}`,
      details: [{ orderId: order.id, status: order.status }],
      nonRetryable: true,
    });
  }
  const settled = SETTLED_ORDER_STATUSES.has(order.status);
  if (!settled || (order.status === 'completed' && order.lineItems.some((l) => l.subscriptionId === undefined))) {
    throw notYet(internalFailureTypes.orderPending, `Order ${order.id} is ${order.status}`);
  }
  return toOrderSummary(order);
}

export function toOrderSummary(order: Order): OrderSummary {
  return {
    orderId: order.id,
    status: order.status,
    lineItems: order.lineItems.map((l) => ({
      lineItemNumber: l.lineItemNumber,
      catalogItemId: l.offerId,
      quantity: l.quantity,
      ...(l.subscriptionId !== undefined ? { subscriptionId: l.subscriptionId } : {}),
    })),
  };
}
