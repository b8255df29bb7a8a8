/**
 * Carts: created and replaced with a strictly checked body, read, and checked out into orders. The writes are
 * async so that a body refused before it leaves rejects their promise rather than throwing.
 */
import { pathSegment, type PartnerCenterConnection } from '../http/exchange';
import { getJson, requestJson, strictBody } from '../http/json';
import { cartCheckoutResultSchema, cartInputSchema, cartSchema } from '../schemas';
import type { PartnerCenterClient } from '../types';

export type CartOperations = Pick<PartnerCenterClient, 'createCart' | 'getCart' | 'updateCart' | 'checkoutCart'>;

export function cartOperations(connection: PartnerCenterConnection): CartOperations {
  const cartsPath = (customerId: string) => `/customers/${pathSegment(customerId)}/carts`;
  const cartPath = (customerId: string, cartId: string) => `${cartsPath(customerId)}/${pathSegment(cartId)}`;
  return {
    createCart: async (customerId, cart, o) =>
      requestJson(
        connection,
        cartSchema,
        { method: 'POST', path: cartsPath(customerId), body: strictBody(cartInputSchema, cart, 'cart') },
        o,
      ),
    getCart: (customerId, cartId, o) => getJson(connection, cartSchema, { path: cartPath(customerId, cartId) }, o),
    updateCart: async (customerId, cartId, cart, o) =>
      requestJson(
        connection,
        cartSchema,
        {
          method: 'PUT',
          path: cartPath(customerId, cartId),
          body: { id: cartId, ...strictBody(cartInputSchema, cart, 'cart') },
        },
        o,
      ),
    checkoutCart: async (customerId, cartId, o) =>
      requestJson(
        connection,
        cartCheckoutResultSchema,
        { method: 'POST', path: `${cartPath(customerId, cartId)}/checkout` },
        o,
      ),
  };
}
