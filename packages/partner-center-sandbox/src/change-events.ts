import { logChange } from './activity-log';
import { raiseEvent, type SandboxEvent } from './event-delivery';
import type { ServerDeps } from './server-deps';
import type { Subscription } from './state';
import type { AuditRecord, SubscriptionView } from './webhook-state';

/**
 * The sandbox's own changes, as Partner Center reports them: every change is an activity log record
 * (activity-log.ts), and the changes Partner Center has a webhook event for raise it. A subscription changed (PATCH, a transition, a suspension, a renewal: anything that gives it a
 * new etag) is an `update_subscription` record and a `subscription-updated` event carrying the same change time.
 */

/** Compares every subscription's etag with the last look; the first look only takes note. */
export function watchSubscriptionChanges(deps: ServerDeps): void {
  const { world } = deps.runtime;
  const known = deps.events.knownSubscriptions;
  deps.events.knownSubscriptions = new Map(
    [...world.subscriptions.values()].map((s) => [s.id, { etag: s.etag, view: subscriptionView(s) }]),
  );
  if (known === undefined) return;
  for (const subscription of world.subscriptions.values()) {
    const before = known.get(subscription.id);
    if (before !== undefined && before.etag !== subscription.etag) subscriptionUpdated(deps, subscription, before.view);
  }
}

function subscriptionView(s: Subscription): SubscriptionView {
  return {
    id: s.id,
    offerId: `${s.productId}:${s.skuId}`,
    friendlyName: s.friendlyName,
    quantity: s.quantity,
    status: s.status,
    autoRenewEnabled: s.autoRenewEnabled,
  };
}

function subscriptionUpdated(deps: ServerDeps, s: Subscription, before: SubscriptionView): void {
  const resource = `/customers/${s.customerId}/subscriptions/${s.id}`;
  const record = logChange(deps.runtime, {
    customerId: s.customerId,
    resourceType: 'subscription',
    operationType: 'update_subscription',
    resourceOldValue: before,
    resourceNewValue: subscriptionView(s),
  });
  raiseChangeEvent(deps, 'subscription-updated', resource, s.id, record);
}

/** Where Partner Center's events point their ResourceUri: its API host (Graph's for GDAP resources). */
export const PARTNER_CENTER_V1 = 'https://api.partnercenter.microsoft.com/v1';
export const GRAPH_V1 = 'https://graph.microsoft.com/v1.0';

/** The event of a logged change: its change time the record's operationDate, its AuditUri the record's. */
export function changeEvent(
  eventName: string,
  resourceUri: string,
  resourceName: string,
  record: AuditRecord,
): SandboxEvent {
  return {
    EventName: eventName,
    ResourceUri: resourceUri,
    ResourceName: resourceName,
    AuditUri: `${PARTNER_CENTER_V1}/auditrecords/${record.id}`,
    ResourceChangeUtcDate: record.operationDate,
  };
}

/** Raises the event of a logged change, delivered in the background (event-delivery.ts's raiseEvent). */
export function raiseChangeEvent(
  deps: ServerDeps,
  eventName: string,
  resourcePath: string,
  resourceName: string,
  record: AuditRecord,
): void {
  raiseEvent(deps, changeEvent(eventName, `${PARTNER_CENTER_V1}${resourcePath}`, resourceName, record));
}
