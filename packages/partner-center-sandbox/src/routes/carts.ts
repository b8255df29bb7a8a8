import { DAY_MS, isoTimestamp } from '../clock';
import { ApiError, notFound } from '../errors';
import { jsonBody, link, parseWith } from '../http';
import { hasAgreement, MCA_NOT_CONFIRMED } from '../agreements';
import { customerOf, type ApiContext, type Route } from '../router';
import type { Cart, Customer } from '../state';
import { buildLines, cartInputSchema } from './cart-lines';
import { checkout, requireOpen } from './checkout';
import { orderJson } from './orders';

/** Carts and checkout (partner-center-api.md §4): lines validated against the catalog, split into
 * order groups (cart-lines.ts), checkout idempotent per cart and exclusive while it runs (checkout.ts). */

const CART_LIFETIME_MS = 7 * DAY_MS;

export function cartJson(cart: Cart): Record<string, unknown> {
  return {
    id: cart.id,
    creationTimestamp: isoTimestamp(cart.createdAt),
    lastModifiedTimestamp: isoTimestamp(cart.modifiedAt),
    expirationTimestamp: isoTimestamp(cart.expiresAt),
    lastModifiedUser: cart.lastModifiedUser,
    status: cart.status,
    lineItems: cart.lines.map((line) => ({
      id: line.id,
      catalogItemId: line.catalogItemId,
      ...(line.friendlyName !== undefined ? { friendlyName: line.friendlyName } : {}),
      quantity: line.quantity,
      currencyCode: line.currencyCode,
      billingCycle: line.billingCycle,
      termDuration: line.termDuration,
      ...(line.promotionId ? { promotionId: line.promotionId } : {}),
      ...(line.customTermEndDate ? { customTermEndDate: line.customTermEndDate } : {}),
      ...(line.participants ? { participants: line.participants } : {}),
      provisioningContext: line.provisioningContext,
      orderGroup: line.orderGroup,
      pricing: {
        listPrice: line.unitPrice,
        discountedPrice: line.unitPrice,
        proratedPrice: line.unitPrice,
        price: line.unitPrice,
        extendedPrice: Math.round(line.unitPrice * line.quantity * 100) / 100,
      },
      ...(line.error ? { error: line.error } : {}),
    })),
    ...(cart.partnerOnRecordAttestationAccepted !== undefined
      ? { partnerOnRecordAttestationAccepted: cart.partnerOnRecordAttestationAccepted }
      : {}),
    links: { self: link(`/customers/${cart.customerId}/carts/${cart.id}`) },
    attributes: { objectType: 'Cart' },
  };
}

function cartOf(ctx: ApiContext, customer: Customer): Cart {
  const cart = ctx.runtime.world.carts.get(ctx.params.cartId.toLowerCase());
  if (!cart || cart.customerId !== customer.id)
    throw notFound(800008, `Unable to retrieve cart ID ${ctx.params.cartId}.`);
  return cart;
}

export const cartRoutes: Route[] = [
  {
    method: 'POST',
    template: '/v1/customers/{customerId}/carts',
    throttled: true,
    handle: (ctx) => {
      const customer = customerOf(ctx);
      const input = parseWith(cartInputSchema, jsonBody(ctx.rawBody));
      const { world } = ctx.runtime;
      if (!hasAgreement(world, customer.id))
        throw new ApiError(
          403,
          MCA_NOT_CONFIRMED,
          `The customer ${customer.id} has not accepted the Microsoft Customer Agreement; confirm its acceptance first.`,
        );
      const cart: Cart = {
        id: world.random.guid(),
        customerId: customer.id,
        createdAt: ctx.now,
        modifiedAt: ctx.now,
        expiresAt: ctx.now + CART_LIFETIME_MS,
        lastModifiedUser: ctx.token.oid,
        status: 'Active',
        lines: buildLines(world, customer, input, ctx.now),
        partnerOnRecordAttestationAccepted: input.partnerOnRecordAttestationAccepted,
        checkoutInFlight: false,
      };
      world.carts.set(cart.id, cart);
      return { status: 201, body: cartJson(cart) };
    },
  },
  {
    method: 'GET',
    template: '/v1/customers/{customerId}/carts/{cartId}',
    throttled: true,
    handle: (ctx) => ({ status: 200, body: cartJson(cartOf(ctx, customerOf(ctx))) }),
  },
  {
    method: 'PUT',
    template: '/v1/customers/{customerId}/carts/{cartId}',
    throttled: true,
    handle: (ctx) => {
      const customer = customerOf(ctx);
      const cart = cartOf(ctx, customer);
      const input = parseWith(cartInputSchema, jsonBody(ctx.rawBody));
      if (cart.checkoutInFlight)
        throw new ApiError(409, 800064, `Cart ${cart.id} is being processed by another request.`);
      requireOpen(cart, ctx.now);
      cart.partnerOnRecordAttestationAccepted =
        input.partnerOnRecordAttestationAccepted ?? cart.partnerOnRecordAttestationAccepted;
      cart.lines = buildLines(
        ctx.runtime.world,
        customer,
        { ...input, partnerOnRecordAttestationAccepted: cart.partnerOnRecordAttestationAccepted },
        ctx.now,
      );
      cart.modifiedAt = ctx.now;
      cart.lastModifiedUser = ctx.token.oid;
      // The documentation's example answers a cart update with 201 Created.
      return { status: 201, body: cartJson(cart) };
    },
  },
  {
    method: 'POST',
    template: '/v1/customers/{customerId}/carts/{cartId}/checkout',
    throttled: true,
    handle: async (ctx) => {
      const customer = customerOf(ctx);
      const result = await checkout(ctx, customer, cartOf(ctx, customer));
      return {
        status: 201,
        body: {
          orders: result.orders.map((o) => orderJson(o)),
          orderErrors: result.orderErrors,
          attributes: { objectType: 'CartCheckoutResult' },
        },
      };
    },
  },
];
