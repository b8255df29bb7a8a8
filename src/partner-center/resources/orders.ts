/** A customer's orders and the provisioning status of an order's line items. */
import { listAll } from '../http/collections';
import { pathSegment, type PartnerCenterConnection } from '../http/exchange';
import { getJson } from '../http/json';
import { orderLineItemProvisioningStatusSchema, orderSchema } from '../schemas';
import type { PartnerCenterClient } from '../types';

export type OrderOperations = Pick<PartnerCenterClient, 'getOrder' | 'listOrders' | 'getOrderProvisioningStatus'>;

export function orderOperations(connection: PartnerCenterConnection): OrderOperations {
  const ordersPath = (customerId: string) => `/customers/${pathSegment(customerId)}/orders`;
  return {
    getOrder: (customerId, orderId, o) =>
      getJson(connection, orderSchema, { path: `${ordersPath(customerId)}/${pathSegment(orderId)}` }, o),
    listOrders: (customerId, o) => listAll(connection, orderSchema, { path: ordersPath(customerId) }, o),
    getOrderProvisioningStatus: (customerId, orderId, o) =>
      listAll(
        connection,
        orderLineItemProvisioningStatusSchema,
        { path: `${ordersPath(customerId)}/${pathSegment(orderId)}/provisioningstatus` },
        o,
      ),
  };
}
