import { GRAPH_RELATIONSHIP_ROOT, PARTNER_CENTER_RESOURCE_ROOT, type AuditRecord } from '../../partner-center';
import type { PartnerCenterEvent } from '../../workflows/events/types';

/**
 * The event an activity log record stands for, or undefined (pure). Conservative: only successful records whose
 * event is certain and whose resource the record names, turned into the ResourceUri and change time (the record's
 * operationDate) the webhook carries, so both name the same `partnerCenterEvent`. Partner Center documents
 * `update_subscription` and the resource types; the operation names of a relationship accepted, a GDAP approval and
 * an invoice are not documented, so every plausible spelling is read (any casing or separators):
 * - `update_subscription` on a subscription → `subscription-updated` on `…/customers/{customerId}/subscriptions/{id}`;
 * - accept/create/add/approve on a `partner_customer_relationship` → `reseller-relationship-accepted-by-customer` on
 *   `…/customers/{customerId}`;
 * - approve/activate on a `granular_admin_relationship`, or an update taking it from another status to `active` →
 *   `granular-admin-relationship-approved` on Graph's `…/delegatedAdminRelationships/{id}`;
 * - ready/create/publish/generate on an `invoice` → `invoice-ready` on `…/invoices/{id}`.
 */
export function auditRecordEvent(record: AuditRecord): PartnerCenterEvent | undefined {
  if (record.operationStatus !== undefined && comparable(record.operationStatus) !== 'succeeded') return undefined;
  const read = readers.find((reader) => reader.matches(record));
  const resource = read?.resource(record);
  if (read === undefined || resource === undefined) return undefined;
  return {
    EventName: read.eventName,
    ResourceUri: resource.uri,
    ResourceName: resource.name,
    AuditUri: `${PARTNER_CENTER_RESOURCE_ROOT}/auditrecords/${record.id}`,
    ResourceChangeUtcDate: record.operationDate,
  };
}

interface RecordReader {
  eventName: string;
  matches(record: AuditRecord): boolean;
  resource(record: AuditRecord): { uri: string; name: string } | undefined;
}

const readers: RecordReader[] = [
  {
    eventName: 'subscription-updated',
    matches: (r) => comparable(r.operationType) === 'updatesubscription',
    resource: (r) => {
      const id = valueOf(r.resourceNewValue).id;
      if (id === undefined || !present(r.customerId)) return undefined;
      return { uri: `${PARTNER_CENTER_RESOURCE_ROOT}/customers/${r.customerId}/subscriptions/${id}`, name: id };
    },
  },
  {
    eventName: 'reseller-relationship-accepted-by-customer',
    matches: (r) =>
      RELATIONSHIP_VERBS.test(comparable(r.operationType)) &&
      [r.resourceType, r.operationType].some((text) => CUSTOMER_RELATIONSHIP.test(comparable(text ?? ''))),
    resource: (r) => {
      const customerId = present(r.customerId) ? r.customerId : valueOf(r.resourceNewValue).id;
      return customerId === undefined
        ? undefined
        : { uri: `${PARTNER_CENTER_RESOURCE_ROOT}/customers/${customerId}`, name: 'customer' };
    },
  },
  {
    eventName: 'granular-admin-relationship-approved',
    matches: (r) =>
      [r.resourceType, r.operationType].some((text) => GDAP_RELATIONSHIP.test(comparable(text ?? ''))) &&
      !/accessassignment/.test(comparable(`${r.resourceType ?? ''}${r.operationType}`)) &&
      (/^(approve|activate)/.test(comparable(r.operationType)) || becameActive(r)),
    resource: (r) => {
      const id = valueOf(r.resourceNewValue).id;
      return id === undefined
        ? undefined
        : { uri: `${GRAPH_RELATIONSHIP_ROOT}/${id}`, name: 'delegatedAdminRelationship' };
    },
  },
  {
    eventName: 'invoice-ready',
    matches: (r) =>
      comparable(r.resourceType ?? '') === 'invoice' &&
      /(ready|create|publish|generate|add)/.test(comparable(r.operationType)),
    resource: (r) => {
      const id = valueOf(r.resourceNewValue).id;
      return id === undefined ? undefined : { uri: `${PARTNER_CENTER_RESOURCE_ROOT}/invoices/${id}`, name: id };
    },
  },
];

const RELATIONSHIP_VERBS = /^(accept|create|add|approve|establish)/;
const CUSTOMER_RELATIONSHIP = /(partnercustomerrelationship|resellerrelationship|customerrelationship)/;
const GDAP_RELATIONSHIP = /(granularadminrelationship|delegatedadminrelationship)/;

/** An update whose new value is active and whose old value (when the record has one) was not. */
function becameActive(record: AuditRecord): boolean {
  if (!comparable(record.operationType).startsWith('update')) return false;
  const after = valueOf(record.resourceNewValue).status;
  const before = valueOf(record.resourceOldValue).status;
  return (
    after !== undefined && comparable(after) === 'active' && (before === undefined || comparable(before) !== 'active')
  );
}

const comparable = (text: string) => text.replace(/[\s_-]/g, '').toLowerCase();
const present = (text: string | undefined): text is string => text !== undefined && text !== '';

/** The `id` and `status` (either casing) of the JSON text of a resource; each undefined when it names none. */
function valueOf(json: string | undefined): { id?: string; status?: string } {
  if (json === undefined) return {};
  try {
    const parsed = JSON.parse(json) as Record<string, unknown>;
    const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
    return { id: text(parsed.id ?? parsed.Id), status: text(parsed.status ?? parsed.Status) };
  } catch {
    return {};
  }
}
