import { ApplicationFailure } from '@temporalio/common';
import type {
  CartOutcome,
  CheckoutOutcome,
  InvalidField,
  LineError,
  OrderSummary,
  PrerequisiteOverlay,
  ProvisionSubscriptionInput,
  PurchaseResult,
  PurchaseStep,
  ResolvedItem,
  SubscriptionSummary,
} from './types';
import { purchaseFailureTypes } from './failures';
import { invalidRequest } from '../common/validation';
import { detailLines, summariseIds } from '../common/details';

/** Pure decisions of `purchaseSubscription`, kept apart so they are unit-tested without a server. */

/** Steps after which a purchase does nothing more. */
export const terminalSteps: readonly PurchaseStep[] = ['completed', 'partial', 'failed', 'cancelled'];

/** `InvalidPurchaseRequest`, naming every bad field (workflow validation and the activities' catalog checks). */
export function invalidPurchaseRequest(problems: readonly InvalidField[]) {
  return invalidRequest(purchaseFailureTypes.invalidRequest, 'purchase request', problems);
}

/** `CartRejected`: no line of the purchase can be bought (refused by the cart, or before it when `cartId` is absent). */
export function everyLineRefused(lineErrors: readonly LineError[], cartId?: string) {
  return ApplicationFailure.create({
    type: purchaseFailureTypes.cartRejected,
    message: `Every cart line was refused: ${lineErrors.map((e) => `item ${e.item}: ${e.code} ${e.description}`).join('; ')}`,
    details: [{ ...(cartId !== undefined ? { cartId } : {}), lineErrors }],
    nonRetryable: true,
  });
}

/**
 * Partner Center reports a failed order group once; the purchase reports it on every item that group held.
 * Without group information, the items that no order contains are the ones the error hit.
 */
export function lineErrorsFromOrderErrors(cart: CartOutcome, checkout: CheckoutOutcome): LineError[] {
  const ordered = new Set(checkout.orders.flatMap((o) => o.lineItems.map((l) => l.catalogItemId)));
  const errors: LineError[] = [];
  for (const orderError of checkout.orderErrors) {
    let hit = cart.lines.filter((l) => l.orderGroup !== undefined && l.orderGroup === orderError.orderGroupId);
    if (hit.length === 0) hit = cart.lines.filter((l) => !ordered.has(l.catalogItemId));
    for (const line of hit)
      errors.push({ item: line.item, code: orderError.code, description: orderError.description });
  }
  return errors;
}

/**
 * Which request item each bought subscription came from, so its `autoRenew` and `friendlyName` can be applied.
 * Order lines carry the catalog item id and quantity; an item is matched at most once.
 */
export function provisioningPlan(
  customerId: string,
  orders: readonly OrderSummary[],
  items: readonly ResolvedItem[],
): ProvisionSubscriptionInput[] {
  return subscriptionItems(orders, items).map(({ subscriptionId, item }) => ({
    customerId,
    subscriptionId,
    autoRenew: item?.autoRenew ?? true,
    ...(item?.friendlyName !== undefined ? { friendlyName: item.friendlyName } : {}),
  }));
}

/** Each subscription the orders name, with the request item it was bought for (same offer, same quantity first). */
export function subscriptionItems(
  orders: readonly OrderSummary[],
  items: readonly ResolvedItem[],
): Array<{ subscriptionId: string; item?: ResolvedItem }> {
  const unmatched = [...items];
  const matched: Array<{ subscriptionId: string; item?: ResolvedItem }> = [];
  for (const line of orders.flatMap((o) => o.lineItems)) {
    if (line.subscriptionId === undefined) continue;
    const sameOffer = (i: ResolvedItem) => i.catalogItemId === line.catalogItemId;
    let index = unmatched.findIndex((i) => sameOffer(i) && i.quantity === line.quantity);
    if (index < 0) index = unmatched.findIndex(sameOffer);
    const item = index >= 0 ? unmatched.splice(index, 1)[0] : undefined;
    matched.push({ subscriptionId: line.subscriptionId, ...(item !== undefined ? { item } : {}) });
  }
  return matched;
}

export function subscriptionIdsOf(orders: readonly OrderSummary[]): string[] {
  return orders.flatMap((o) => o.lineItems.flatMap((l) => (l.subscriptionId === undefined ? [] : [l.subscriptionId])));
}

/** The workflow's current details in the Temporal UI: one short line per fact. */
export function describeProgress(p: {
  step: string;
  customerId?: string;
  cartId?: string;
  orderIds: readonly string[];
  subscriptionIds: readonly string[];
  lastError?: string;
}): string {
  return detailLines([
    ['Step', p.step],
    ['Customer', p.customerId],
    ['Cart', p.cartId],
    ['Orders', summariseIds(p.orderIds)],
    ['Subscriptions', summariseIds(p.subscriptionIds)],
    ['Last error', p.lastError],
  ]);
}

/** Lines of a settled order that never got a subscription (e.g. `partial_success`): reported, not provisioned. */
export function unfulfilledLineErrors(cart: CartOutcome, orders: readonly OrderSummary[]): LineError[] {
  return orders.flatMap((order) =>
    order.lineItems
      .filter((line) => line.subscriptionId === undefined)
      .map((line) => ({
        item: cart.lines.find((l) => l.catalogItemId === line.catalogItemId)?.item ?? -1,
        code: order.status,
        description: `Order ${order.orderId} line ${line.lineItemNumber} (${line.catalogItemId}) was not fulfilled`,
      })),
  );
}

/**
 * The resolved items as the cart must hold them: those refused before the cart left out, each asked-for promotion
 * replaced by the one the prerequisites decided (or dropped), each `alignWith` by the end date it resolved to.
 * Applied to every cart, a rebuilt one too.
 */
export function withPrerequisites(items: readonly ResolvedItem[], overlay: PrerequisiteOverlay): ResolvedItem[] {
  const refused = new Set((overlay.lineErrors ?? []).map((e) => e.item));
  return items
    .filter((i) => !refused.has(i.item))
    .map((resolved) => {
      const { alignWith: _resolvedBelow, promotionId: _decidedBelow, ...item } = resolved;
      const decision = overlay.promotions.find((p) => p.item === item.item);
      const promotionId = decision === undefined ? resolved.promotionId : decision.promotionId;
      const endDate = overlay.customTermEndDates.find((d) => d.item === item.item)?.customTermEndDate;
      return {
        ...item,
        ...(promotionId !== undefined ? { promotionId } : {}),
        ...(endDate !== undefined ? { customTermEndDate: endDate } : {}),
      };
    });
}

/** The result's `promotions` (applied) and `promotionsNotApplied` (bought without), absent when none was asked for. */
export function promotionReport(
  overlay: PrerequisiteOverlay | undefined,
  cart: CartOutcome,
): Pick<PurchaseResult, 'promotions' | 'promotionsNotApplied'> {
  if (overlay === undefined || overlay.promotions.length === 0) return {};
  const carted = new Set(cart.lines.map((l) => l.item));
  const applied = overlay.promotions.filter((p) => p.promotionId !== undefined && carted.has(p.item));
  const notApplied = overlay.promotions.filter((p) => p.promotionId === undefined);
  return {
    promotions: applied.map((p) => ({ item: p.item, promotionId: p.promotionId ?? '' })),
    ...(notApplied.length > 0
      ? {
          promotionsNotApplied: notApplied.map((p) => ({ item: p.item, promotionId: p.requested, reasons: p.reasons })),
        }
      : {}),
  };
}

/** The result's `trials`: the trial subscriptions bought (absent when none was). */
export function trialsOf(subscriptions: readonly SubscriptionSummary[]): Pick<PurchaseResult, 'trials'> {
  const trials = subscriptions.filter((s) => s.isTrial === true);
  if (trials.length === 0) return {};
  return {
    trials: trials.map((s) => ({
      subscriptionId: s.id,
      catalogItemId: s.catalogItemId,
      quantity: s.quantity,
      ...(s.commitmentEndDate !== undefined ? { trialEndDate: s.commitmentEndDate } : {}),
    })),
  };
}
