import { DAY_MS } from './clock';
import type { Delays, GdapAccessAssignment, GdapRelationship, World } from './state';
import { tenantOf } from './tenant';

/**
 * GDAP on the Graph host (partner-center-lifecycle.md, GDAP): a relationship is `created`, `approvalPending` after
 * its `lockForApproval` request, and `active` once the customer approves (a control route); its access assignments
 * are `pending`, then `active` after `accessAssignmentMs`. Approval gives the partner access to the customer's
 * tenant (`gdapAccess`).
 */

/** Global Administrator: its relationships cannot be auto-extended. */
export const GLOBAL_ADMINISTRATOR = '62e90394-69f5-4237-9190-012177145e10';
export const MAX_DURATION_DAYS = 730;
export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Days of an ISO 8601 duration in days (`P730D`); undefined for any other form. */
export function durationDays(duration: string): number | undefined {
  const match = /^P(\d{1,5})D$/i.exec(duration);
  return match === null ? undefined : Number(match[1]);
}

/** The customer approves: the relationship is active from now for its duration, and the partner reaches the tenant. */
export function approveRelationship(world: World, relationship: GdapRelationship, now: number): void {
  relationship.status = 'active';
  relationship.activatedAt = now;
  relationship.endAt = now + (durationDays(relationship.duration) ?? 0) * DAY_MS;
  relationship.lastModifiedAt = now;
  const customer = world.customers.get(relationship.customerId);
  if (customer !== undefined) tenantOf(world, customer).gdapAccess = true;
}

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

export function relationshipJson(world: World, r: GdapRelationship): Record<string, unknown> {
  return {
    id: r.id,
    displayName: r.displayName,
    duration: r.duration,
    status: r.status,
    autoExtendDuration: r.autoExtendDuration,
    customer: { tenantId: r.customerId, displayName: world.customers.get(r.customerId)?.companyName ?? null },
    accessDetails: { unifiedRoles: r.roleDefinitionIds.map((roleDefinitionId) => ({ roleDefinitionId })) },
    createdDateTime: iso(r.createdAt),
    lastModifiedDateTime: iso(r.lastModifiedAt),
    activatedDateTime: iso(r.activatedAt),
    endDateTime: iso(r.endAt),
  };
}

/** An assignment is active once `accessAssignmentMs` has passed since its creation (read on the sandbox clock). */
function activeSince(a: GdapAccessAssignment, delays: Delays): number {
  return a.createdAt + delays.accessAssignmentMs;
}

export function assignmentJson(a: GdapAccessAssignment, now: number, delays: Delays): Record<string, unknown> {
  const active = activeSince(a, delays) <= now;
  return {
    id: a.id,
    status: active ? 'active' : 'pending',
    accessContainer: { accessContainerId: a.securityGroupId, accessContainerType: 'securityGroup' },
    accessDetails: { unifiedRoles: a.roleDefinitionIds.map((roleDefinitionId) => ({ roleDefinitionId })) },
    createdDateTime: iso(a.createdAt),
    lastModifiedDateTime: iso(active ? activeSince(a, delays) : a.createdAt),
  };
}
