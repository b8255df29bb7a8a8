/**
 * A customer's subscriptions: read, listed (all, or an order's), updated with their etag as If-Match, their
 * provisioning status, and their transitions (upgrades and trial conversions, reference §6.9–6.10).
 */
import { listAll } from '../http/collections';
import { pathSegment, type PartnerCenterConnection } from '../http/exchange';
import { getAnyCaseItems, getJson, parseBody, requestJson, strictBody } from '../http/json';
import { send } from '../http/send';
import {
  anyCase,
  subscriptionProvisioningStatusSchema,
  subscriptionSchema,
  transitionEligibilitySchema,
  transitionInputSchema,
  transitionSchema,
  type Subscription,
} from '../schemas';
import type { PartnerCenterClient, RequestOptions, SubscriptionUpdateResult } from '../types';

export type SubscriptionOperations = Pick<
  PartnerCenterClient,
  | 'getSubscription'
  | 'listSubscriptions'
  | 'listSubscriptionsByOrder'
  | 'updateSubscription'
  | 'getSubscriptionProvisioningStatus'
  | 'listTransitionEligibilities'
  | 'createTransition'
  | 'listTransitions'
>;

const subscriptionsPath = (customerId: string) => `/customers/${pathSegment(customerId)}/subscriptions`;
const subscriptionPath = (customerId: string, subscriptionId: string) =>
  `${subscriptionsPath(customerId)}/${pathSegment(subscriptionId)}`;

export function subscriptionOperations(connection: PartnerCenterConnection): SubscriptionOperations {
  return {
    getSubscription: (customerId, subscriptionId, o) =>
      getJson(connection, subscriptionSchema, { path: subscriptionPath(customerId, subscriptionId) }, o),
    listSubscriptions: (customerId, o) =>
      listAll(connection, subscriptionSchema, { path: subscriptionsPath(customerId) }, o),
    listSubscriptionsByOrder: (customerId, orderId, o) =>
      listAll(connection, subscriptionSchema, { path: subscriptionsPath(customerId), query: { order_id: orderId } }, o),
    updateSubscription: (customerId, subscription, o) => updateSubscription(connection, customerId, subscription, o),
    getSubscriptionProvisioningStatus: (customerId, subscriptionId, o) =>
      getJson(
        connection,
        subscriptionProvisioningStatusSchema,
        { path: `${subscriptionPath(customerId, subscriptionId)}/provisioningstatus` },
        o,
      ),
    listTransitionEligibilities: async (customerId, subscriptionId, eligibilityType, o) =>
      getAnyCaseItems(
        connection,
        transitionEligibilitySchema,
        { path: `${subscriptionPath(customerId, subscriptionId)}/transitionEligibilities`, query: { eligibilityType } },
        o,
      ),
    createTransition: async (customerId, subscriptionId, transition, o) =>
      requestJson(
        connection,
        anyCase(transitionSchema),
        {
          method: 'POST',
          path: `${subscriptionPath(customerId, subscriptionId)}/transitions`,
          body: strictBody(transitionInputSchema, transition, 'transition'),
        },
        o,
      ),
    listTransitions: async (customerId, subscriptionId, o) =>
      getAnyCaseItems(
        connection,
        transitionSchema,
        { path: `${subscriptionPath(customerId, subscriptionId)}/transitions` },
        o,
      ),
  };
}

/** Sends the full resource (PATCH semantics, reference §6.4); a 202 says where the change is followed. */
async function updateSubscription(
  connection: PartnerCenterConnection,
  customerId: string,
  subscription: Subscription,
  o?: RequestOptions & { etag?: string },
): Promise<SubscriptionUpdateResult> {
  const path = subscriptionPath(customerId, subscription.id);
  const etag = o?.etag ?? subscription.attributes?.etag;
  const headers = etag ? { 'If-Match': quoteEtag(etag) } : undefined;
  const response = await send(connection, { method: 'PATCH', path, body: subscription, headers }, o);
  if (response.status === 202) {
    return { kind: 'accepted', location: response.headers.get('location') ?? path };
  }
  return { kind: 'updated', subscription: parseBody(subscriptionSchema, response, path) };
}

function quoteEtag(etag: string): string {
  return /^(W\/)?".*"$/.test(etag) ? etag : `"${etag}"`;
}
