import { createHash } from 'node:crypto';

/**
 * What makes two Partner Center events the same event (contract §3f): the sha256 of EventName, ResourceUri and
 * ResourceChangeUtcDate, hashed as a JSON array (no choice of separator could be forged by a value containing it).
 * The webhook intake and the activity-log backfill both name an event by it, so an event seen both ways is one.
 */
export function eventDigest(event: { EventName: string; ResourceUri: string; ResourceChangeUtcDate: string }): string {
  const key = JSON.stringify([event.EventName, event.ResourceUri, event.ResourceChangeUtcDate]);
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Where Partner Center's events point their ResourceUri (its API host): the backfill builds the same URIs. */
export const PARTNER_CENTER_RESOURCE_ROOT = 'https://api.partnercenter.microsoft.com/v1';

/** Where GDAP events point theirs (Microsoft Graph's relationships): the backfill builds the same URIs. */
export const GRAPH_RELATIONSHIP_ROOT =
  'https://graph.microsoft.com/v1.0/tenantRelationships/delegatedAdminRelationships';
