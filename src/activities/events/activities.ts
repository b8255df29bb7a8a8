import { bindActivities } from '../common/bind-activities';
import type { EventActivityDeps } from './deps';
import { readAuditEvents, saveAuditPosition } from './read-audit';

export type { AuditPositionStore, EventActivityDeps } from './deps';

/** Activities of `auditBackfill`: read the activity log from a position (read-audit.ts), keep the position reached. */
export function createEventActivities(deps: EventActivityDeps) {
  return bindActivities(deps, { readAuditEvents, saveAuditPosition });
}

/** Workflows proxy these (import type only). */
export type EventActivities = ReturnType<typeof createEventActivities>;
