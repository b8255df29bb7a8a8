/** `pc-event-{digest}`: the run of one Partner Center event (the digest is partner-center/event-identity.ts's). */
export function eventWorkflowId(digest: string): string {
  return `pc-event-${digest}`;
}

/** The Temporal Schedule that runs `auditBackfill` (contract §3f), and the prefix of its runs' ids. */
export const AUDIT_BACKFILL_SCHEDULE_ID = 'pc-audit-backfill';
