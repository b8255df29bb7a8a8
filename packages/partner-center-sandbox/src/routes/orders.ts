import { COUNTRIES } from '../catalog';
import { isoTimestamp } from '../clock';
import { notFound } from '../errors';
import { collection, link, queryValue } from '../http';
import { customerOf, type ApiContext, type Route } from '../router';
import type { Order } from '../state';

/** Orders: by id (immediately consistent), the customer's list (lagging), provisioning status. */

export function orderJson(order: Order): Record<string, unknown> {
  const base = `/customers/${order.customerId}/orders/${order.id}`;
  const symbol = Object.values(COUNTRIES).find((c) => c.currency === order.currencyCode)?.symbol ?? '';
  return {
    id: order.id,
    alternateId: order.id,
    referenceCustomerId: order.customerId,
    billingCycle: order.billingCycle,
    currencyCode: order.currencyCode,
    currencySymbol: symbol,
    lineItems: order.lines.map((line) => {
      const [productId, skuId, availabilityId] = line.offerId.split(':');
      return {
        lineItemNumber: line.lineItemNumber,
        offerId: line.offerId,
        ...(line.subscriptionId ? { subscriptionId: line.subscriptionId } : {}),
        termDuration: line.termDuration,
        transactionType: 'New',
        friendlyName: line.friendlyName,
        quantity: line.quantity,
        ...(line.promotionId ? { promotionId: line.promotionId } : {}),
        ...(line.customTermEndDate ? { customTermEndDate: line.customTermEndDate } : {}),
        pricing: {
          listPrice: line.unitPrice,
          discountedPrice: line.unitPrice,
          proratedPrice: line.unitPrice,
          price: line.unitPrice,
          extendedPrice: round(line.unitPrice * line.quantity),
        },
        provisioningContext: line.provisioningContext,
        links: {
          product: link(`/products/${productId}`),
          sku: link(`/products/${productId}/skus/${skuId}`),
          availability: link(`/products/${productId}/skus/${skuId}/availabilities/${availabilityId}`),
          ...(line.subscriptionId
            ? { subscription: link(`/customers/${order.customerId}/subscriptions/${line.subscriptionId}`) }
            : {}),
          provisioningStatus: link(`${base}/provisioningstatus`),
        },
      };
    }),
    creationDate: isoTimestamp(order.createdAt),
    status: order.status,
    transactionType: 'UserPurchase',
    totalPrice: round(order.lines.reduce((sum, l) => sum + l.unitPrice * l.quantity, 0)),
    client: {},
    links: {
      self: link(base),
      provisioningStatus: link(`${base}/provisioningstatus`),
      patchOperation: link(base, 'PATCH'),
    },
    attributes: { objectType: 'Order' },
  };
}

const round = (n: number) => Math.round(n * 100) / 100;

function orderOf(ctx: ApiContext): Order {
  const customer = customerOf(ctx);
  const order = ctx.runtime.world.orders.get(ctx.params.orderId.toLowerCase());
  if (!order || order.customerId !== customer.id) throw notFound(20000, `Order ${ctx.params.orderId} was not found.`);
  return order;
}

const BILLING_TYPES = ['monthly', 'annual', 'triennial', 'one_time', 'onetime', 'none', 'usage', 'license'];

export const orderRoutes: Route[] = [
  {
    method: 'GET',
    template: '/v1/customers/{customerId}/orders',
    throttled: true,
    handle: (ctx) => {
      const customer = customerOf(ctx);
      const billingType = queryValue(ctx.url, 'billingType')?.toLowerCase();
      if (billingType !== undefined && !BILLING_TYPES.includes(billingType)) {
        return {
          status: 400,
          body: {
            code: 0,
            description: `The provided value '${billingType}' is not a valid BillingType for 'billingType'.`,
            data: [],
            source: 'PartnerFD',
          },
        };
      }
      const wanted = billingType === 'onetime' ? 'one_time' : billingType;
      // The list lags behind GET-by-id (up to 15 minutes in production: get-all-of-a-customer-s-orders.md).
      const orders = [...ctx.runtime.world.orders.values()].filter(
        (o) => o.customerId === customer.id && o.listVisibleAt <= ctx.now && (!wanted || o.billingCycle === wanted),
      );
      return {
        status: 200,
        body: collection(
          orders.map((o) => orderJson(o)),
          `/customers/${customer.id}/orders`,
        ),
      };
    },
  },
  {
    method: 'GET',
    template: '/v1/customers/{customerId}/orders/{orderId}',
    throttled: true,
    handle: (ctx) => ({ status: 200, body: orderJson(orderOf(ctx)) }),
  },
  {
    method: 'GET',
    template: '/v1/customers/{customerId}/orders/{orderId}/provisioningstatus',
    throttled: true,
    appUserOnly: true,
    handle: (ctx) => {
      const order = orderOf(ctx);
      const items = order.lines.map((line) => ({
        orderLineItemId: line.lineItemNumber,
        lineItemNumber: line.lineItemNumber,
        status: order.status === 'completed' ? 'fulfilled' : 'prefulfillmentPending',
        quantityProvisioningInformation: [
          { quantity: line.quantity, status: order.status === 'completed' ? 'Fulfilled' : 'Pending' },
        ],
        attributes: { objectType: 'OrderLineItemProvisioningStatus' },
      }));
      return {
        status: 200,
        body: collection(items, `/customers/${order.customerId}/orders/${order.id}/provisioningstatus`),
      };
    },
  },
];
