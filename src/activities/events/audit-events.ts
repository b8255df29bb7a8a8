import { PARTNER_CENTER_RESOURCE_ROOT, type AuditRecord } from '../../partner-center';
import type { PartnerCenterEvent } from '../../workflows/events/types';

/**
 * The event an activity log record stands for, or undefined (pure). Conservative: only records whose event is
 * certain and whose resource the record names. A subscription's update (`update_subscription`, any casing or
 * separators) is `subscription-updated` on `…/customers/{customerId}/subscriptions/{id}` at the record's
 * operationDate — the ResourceUri and change time the webhook carries, so both name the same `partnerCenterEvent`.
 */
export function auditRecordEvent(record: AuditRecord): PartnerCenterEvent | undefined {
  const operation = comparable(record.operationType);
  if (operation !== 'updatesubscription') return undefined;
  if (record.operationStatus !== undefined && comparable(record.operationStatus) !== 'succeeded') return undefined;
  const subscriptionId = resourceId(record.resourceNewValue);
  if (subscriptionId === undefined || record.customerId === undefined || record.customerId === '') return undefined;
  return {
    EventName: 'subscription-updated',
    ResourceUri: `${PARTNER_CENTER_RESOURCE_ROOT}/customers/${record.customerId}/subscriptions/${subscriptionId}`,
    ResourceName: subscriptionId,
    AuditUri: `${PARTNER_CENTER_RESOURCE_ROOT}/auditrecords/${record.id}`,
    ResourceChangeUtcDate: record.operationDate,
  };
}

const comparable = (text: string) => text.replace(/[\s_-]/g, '').toLowerCase();

/** The `id` (or `Id`) of the JSON text of the resource as it became; undefined when it names none. */
function resourceId(newValue: string | undefined): string | undefined {
  if (newValue === undefined) return undefined;
  try {
    const parsed = JSON.parse(newValue) as Record<string, unknown>;
    const id = parsed.id ?? parsed.Id;
    return typeof id === 'string' && id !== '' ? id : undefined;
  } catch {
    return undefined;
  }
}
