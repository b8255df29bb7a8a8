import { logChange, tokenActor } from '../activity-log';
import { isoTimestamp, sleep } from '../clock';
import { ApiError, notFound } from '../errors';
import type { ApiContext, SandboxRuntime } from '../router';
import type { Cart, CartLine, Customer, Delays, Order, World } from '../state';
import { orderJson } from './orders';

/** Checkout of a cart (partner-center-api.md §4): idempotent per cart and exclusive while it runs;
 * one order per order group that has stock, the invalid lines and short groups as `orderErrors`. */

type CheckoutError = { orderGroupId: string; code: number; description: string };

/** A submitted cart cannot be changed or checked out again (400/800065), nor an expired one (404/800008). */
export function requireOpen(cart: Cart, now: number): void {
  if (cart.status === 'Ordered')
    throw new ApiError(400, 800065, `You can't check out or change an already submitted cart ${cart.id}.`);
  if (cart.expiresAt <= now)
    throw notFound(
      800008,
      `Unable to retrieve cart ID ${cart.id}: the cart expired at ${isoTimestamp(cart.expiresAt)}.`,
    );
}

export async function checkout(
  ctx: ApiContext,
  customer: Customer,
  cart: Cart,
): Promise<{ orders: Order[]; orderErrors: CheckoutError[] }> {
  const { world } = ctx.runtime;
  const replay = () => ({
    orders: cart.checkoutResult!.orderIds.map((id) => world.orders.get(id)!),
    orderErrors: cart.checkoutResult!.orderErrors,
  });
  if (cart.checkoutResult) {
    if (ctx.runtime.policy.repeatedCheckout === 'already-submitted') requireOpen(cart, ctx.now); // an ordered cart: 400/800065
    return replay();
  }
  if (cart.checkoutInFlight) throw new ApiError(409, 800064, `Cart ${cart.id} is being processed by another request.`);
  requireOpen(cart, ctx.now);
  cart.checkoutInFlight = true;
  try {
    await sleep(ctx.runtime.delays.checkoutMs);
    placeOrders(ctx.runtime, customer, cart);
    // Each order placed is a `create_order` record (the subscriptions it creates are in its line items).
    for (const id of cart.checkoutResult!.orderIds) {
      const order = orderJson(world.orders.get(id)!);
      const change = { customerId: customer.id, resourceType: 'order', operationType: 'create_order' };
      logChange(ctx.runtime, { ...change, resourceNewValue: order }, tokenActor(ctx.token));
    }
    return replay();
  } finally {
    cart.checkoutInFlight = false;
  }
}

/** Orders the cart's valid lines, one order per order group with enough stock, and marks the cart Ordered. */
function placeOrders(runtime: SandboxRuntime, customer: Customer, cart: Cart): void {
  const { world, delays } = runtime;
  const now = runtime.clock.now();
  const valid = cart.lines.filter((l) => !l.error);
  const orderErrors: CheckoutError[] = cart.lines
    .filter((l) => l.error)
    .map((l) => ({ orderGroupId: l.orderGroup, code: l.error!.errorCode, description: l.error!.errorDescription }));
  requireAvailabilities(world, valid);
  if (valid.length === 0)
    throw new ApiError(400, 800009, 'Error in Cart item(s): no line item can be ordered.', {}, orderErrors);
  const orders: Order[] = [];
  for (const group of [...new Set(valid.map((l) => l.orderGroup))]) {
    const lines = valid.filter((l) => l.orderGroup === group);
    const shortage = reserveInventory(world, lines);
    if (shortage) {
      orderErrors.push({ orderGroupId: group, code: 800010, description: shortage });
      continue;
    }
    const order = newOrder(world, { customer, cart, lines, now, delays });
    world.orders.set(order.id, order);
    world.counters.ordersPerCart[cart.id] = (world.counters.ordersPerCart[cart.id] ?? 0) + 1;
    orders.push(order);
  }
  if (orders.length === 0)
    throw new ApiError(400, 800009, 'Error in Cart item(s): no order group could be ordered.', {}, orderErrors);
  cart.status = 'Ordered';
  cart.modifiedAt = now;
  cart.checkoutResult = { orderIds: orders.map((o) => o.id), orderErrors };
}

/** A line whose availability was rotated away since the cart was built fails the checkout (404/400019). */
function requireAvailabilities(world: World, lines: CartLine[]): void {
  for (const line of lines) {
    const [productId, skuId, availabilityId] = line.catalogItemId.split(':');
    if (!world.catalog.findAvailability(productId, skuId, availabilityId)) {
      throw notFound(
        400019,
        `Availability ${availabilityId} of ${productId}:${skuId} was not found; read the availabilities again and update the cart.`,
      );
    }
  }
}

function newOrder(
  world: World,
  o: { customer: Customer; cart: Cart; lines: CartLine[]; now: number; delays: Delays },
): Order {
  const { lines, now, delays } = o;
  return {
    id: world.random.hex(12),
    customerId: o.customer.id,
    cartId: o.cart.id,
    createdAt: now,
    completesAt: now + delays.orderCompletionMs,
    listVisibleAt: now + delays.orderListMs,
    status: 'pending',
    billingCycle: lines[0].billingCycle,
    currencyCode: lines[0].currencyCode,
    lines: lines.map((l, index) => ({
      lineItemNumber: index,
      offerId: l.catalogItemId,
      quantity: l.quantity,
      termDuration: l.termDuration,
      billingCycle: l.billingCycle,
      friendlyName:
        l.friendlyName ??
        world.catalog.findSku(l.catalogItemId.split(':')[0], l.catalogItemId.split(':')[1])?.title ??
        l.catalogItemId,
      unitPrice: l.unitPrice,
      promotionId: l.promotionId,
      customTermEndDate: l.customTermEndDate,
      provisioningContext: l.provisioningContext,
    })),
  };
}

/** Takes the group's seats of stock-checked SKUs; answers why not when there are not enough left. */
function reserveInventory(world: World, lines: CartLine[]): string | undefined {
  for (const line of lines) {
    const [productId, skuId] = line.catalogItemId.split(':');
    const sku = world.catalog.findSku(productId, skuId);
    if (sku?.inventory === undefined) continue;
    const key = `${productId}:${skuId}`;
    const sold = world.inventorySold.get(key) ?? 0;
    if (sold + line.quantity > sku.inventory)
      return `Inventory is not available: ${sku.inventory - sold} of ${key} left, ${line.quantity} requested.`;
  }
  for (const line of lines) {
    const key = line.catalogItemId.split(':').slice(0, 2).join(':');
    if (world.catalog.findSku(key.split(':')[0], key.split(':')[1])?.inventory !== undefined)
      world.inventorySold.set(key, (world.inventorySold.get(key) ?? 0) + line.quantity);
  }
  return undefined;
}
