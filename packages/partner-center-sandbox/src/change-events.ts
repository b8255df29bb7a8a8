import { randomUUID } from 'node:crypto';
import { isoTimestamp } from './clock';
import { raiseEvent, type SandboxEvent } from './event-delivery';
import type { ServerDeps } from './server-deps';
import type { Subscription } from './state';
import type { AuditRecord } from './webhook-state';

/**
 * The sandbox's own changes, as Partner Center reports them: every change is an activity log record, and raises
 * its webhook event. A subscription changed (PATCH, a transition, a suspension, a renewal: anything that gives it a
 * new etag) is an `update_subscription` record and a `subscription-updated` event carrying the same change time.
 */

/** Compares every subscription's etag with the last look; the first look only takes note. */
export function watchSubscriptionChanges(deps: ServerDeps): void {
  const { world } = deps.runtime;
  const known = deps.events.knownEtags;
  deps.events.knownEtags = new Map([...world.subscriptions.values()].map((s) => [s.id, s.etag]));
  if (known === undefined) return;
  for (const subscription of world.subscriptions.values()) {
    const before = known.get(subscription.id);
    if (before !== undefined && before !== subscription.etag) subscriptionUpdated(deps, subscription);
  }
}

function subscriptionUpdated(deps: ServerDeps, s: Subscription): void {
  const resource = `/customers/${s.customerId}/subscriptions/${s.id}`;
  const record = recordChange(deps, {
    customerId: s.customerId,
    resourceType: 'subscription',
    operationType: 'update_subscription',
    resourceNewValue: {
      id: s.id,
      offerId: `${s.productId}:${s.skuId}`,
      friendlyName: s.friendlyName,
      quantity: s.quantity,
      status: s.status,
      autoRenewEnabled: s.autoRenewEnabled,
    },
  });
  raiseChangeEvent(deps, 'subscription-updated', resource, s.id, record);
}

/** An activity log record of a change made now (sandbox clock). */
export function recordChange(
  deps: ServerDeps,
  change: { customerId: string; resourceType: string; operationType: string; resourceNewValue: unknown },
): AuditRecord {
  const now = deps.runtime.clock.now();
  const customer = deps.runtime.world.customers.get(change.customerId.toLowerCase());
  const partnerId = customer?.partnerTenantId ?? deps.partners[0].tenantId;
  const record: AuditRecord = {
    id: randomUUID(),
    partnerId,
    customerId: change.customerId,
    customerName: customer?.companyName ?? '',
    userPrincipalName: '',
    applicationId: '',
    resourceType: change.resourceType,
    resourceNewValue: JSON.stringify(change.resourceNewValue),
    operationType: change.operationType,
    operationStatus: 'succeeded',
    operationDate: isoTimestamp(now),
    at: now,
  };
  deps.events.auditRecords.push(record);
  return record;
}

/** The event of a change: its ResourceUri on Partner Center's API host, its change time the record's. */
export function raiseChangeEvent(
  deps: ServerDeps,
  eventName: string,
  resourcePath: string,
  resourceName: string,
  record?: AuditRecord,
): void {
  const event: SandboxEvent = {
    EventName: eventName,
    ResourceUri: `https://api.partnercenter.microsoft.com/v1${resourcePath}`,
    ResourceName: resourceName,
    AuditUri: record === undefined ? '' : `https://api.partnercenter.microsoft.com/v1/auditrecords/${record.id}`,
    ResourceChangeUtcDate: isoTimestamp(record?.at ?? deps.runtime.clock.now()),
  };
  raiseEvent(deps, event);
}
