import { randomUUID } from 'node:crypto';
import { isoTimestamp } from './clock';
import type { SandboxRuntime } from './router';
import type { AuditRecord } from './webhook-state';

/**
 * The sandbox's activity log (`GET /v1/auditrecords`): every state change the sandbox makes is one record, in the
 * fields Partner Center documents. Operation and resource types are Partner Center's documented ones where it
 * documents them (`add_customer`, `create_order`, `update_subscription`, `update_customer_qualification`; resource
 * types `partner_customer_relationship`, `granular_admin_relationship`, `agreement`, `invoice`); the rest follow
 * their `verb_resource` pattern (the worker's reader accepts other plausible spellings).
 */

/** Who made a change: the caller's token, when a caller made it (a customer's own action has none). */
export interface ChangeActor {
  partnerId?: string;
  userPrincipalName?: string;
  applicationId?: string;
}

export interface Change {
  customerId: string;
  resourceType: string;
  operationType: string;
  resourceOldValue?: unknown;
  resourceNewValue: unknown;
  /** Further details Partner Center keeps beside the record (`customizedData`). */
  customizedData?: Array<{ key: string; value: string }>;
}

/** Appends the record of a change made now (sandbox clock) and answers it. */
export function logChange(runtime: SandboxRuntime, change: Change, actor: ChangeActor = {}): AuditRecord {
  const now = runtime.clock.now();
  const customer = runtime.world.customers.get(change.customerId.toLowerCase());
  const record: AuditRecord = {
    id: randomUUID(),
    partnerId: actor.partnerId ?? customer?.partnerTenantId ?? '',
    customerId: change.customerId,
    customerName: customer?.companyName ?? '',
    userPrincipalName: actor.userPrincipalName ?? '',
    applicationId: actor.applicationId ?? '',
    resourceType: change.resourceType,
    ...(change.resourceOldValue !== undefined ? { resourceOldValue: JSON.stringify(change.resourceOldValue) } : {}),
    resourceNewValue: JSON.stringify(change.resourceNewValue),
    operationType: change.operationType,
    operationStatus: 'succeeded',
    operationDate: isoTimestamp(now),
    customizedData: change.customizedData ?? [],
    at: now,
  };
  runtime.activityLog.push(record);
  return record;
}

/** The actor of a Partner Center API call: its token's tenant, user and application. */
export function tokenActor(token: { tid: string; upn?: string; appid: string }): ChangeActor {
  return { partnerId: token.tid, userPrincipalName: token.upn ?? '', applicationId: token.appid };
}
