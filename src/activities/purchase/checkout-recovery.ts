import type { Cart, Order } from '../../partner-center';

/**
 * Partner Center code of "can't check out an already submitted cart". The documentation says a repeated
 * checkout answers the first result, but its error table lists this code too (partner-center-api.md §4.6,
 * not confirmed which one Partner Center sends today), so a retry after a lost answer may get either.
 */
export const ALREADY_SUBMITTED_CODE = 800065;

export type CartOrdersMatch =
  /** The orders of the cart's order groups found so far, and the groups with no order yet. */
  | { kind: 'found'; orders: Order[]; missingGroups: string[] }
  /** More orders than the cart's groups could have made: the purchase's own cannot be told apart. */
  | { kind: 'ambiguous'; orderGroups: string[]; candidateOrderIds: string[] };

/**
 * Finds the orders an ordered cart produced in the customer's order list. Orders carry no cart id, so an
 * order is the cart's when it was created since the cart and its lines are exactly one order group's
 * lines (catalog item and quantity); each order group becomes one order (refused lines make none).
 */
export function matchCartOrders(cart: Cart, orders: readonly Order[]): CartOrdersMatch {
  const since = cart.creationTimestamp === undefined ? Number.NEGATIVE_INFINITY : Date.parse(cart.creationTimestamp);
  const groups = new Map<string, Array<{ catalogItemId: string; quantity: number }>>();
  for (const line of cart.lineItems) {
    if (line.error) continue;
    const group = line.orderGroup ?? '0';
    groups.set(group, [...(groups.get(group) ?? []), line]);
  }
  const groupsBySignature = new Map<string, string[]>();
  for (const [group, lines] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
    const signature = linesSignature(lines);
    groupsBySignature.set(signature, [...(groupsBySignature.get(signature) ?? []), group]);
  }
  const candidates = orders
    .filter((order) => order.creationDate === undefined || !(Date.parse(order.creationDate) < since))
    .sort((a, b) => (a.creationDate ?? '').localeCompare(b.creationDate ?? '') || a.id.localeCompare(b.id));

  const found: Order[] = [];
  const missingGroups: string[] = [];
  for (const [signature, orderGroups] of groupsBySignature) {
    const matching = candidates.filter(
      (order) =>
        linesSignature(order.lineItems.map((l) => ({ catalogItemId: l.offerId, quantity: l.quantity }))) === signature,
    );
    if (matching.length > orderGroups.length)
      return { kind: 'ambiguous', orderGroups, candidateOrderIds: matching.map((o) => o.id) };
    found.push(...matching);
    missingGroups.push(...orderGroups.slice(matching.length));
  }
  return { kind: 'found', orders: found, missingGroups };
}

/** Order-independent key of a set of lines; catalog item ids compare case-insensitively, as Partner Center's do. */
function linesSignature(lines: ReadonlyArray<{ catalogItemId: string; quantity: number }>): string {
  return lines
    .map((l) => `${l.catalogItemId.toLowerCase()}*${l.quantity}`)
    .sort()
    .join('|');
}
