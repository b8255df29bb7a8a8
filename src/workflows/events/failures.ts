import type { RunFailurePolicy } from '../common/run-failure';

/** `ApplicationFailure` types a `partnerCenterEvent` caller may see (contract §3f). */
export const eventFailureTypes = {
  /** Temporal refused a start or a signal the event needed (not an already-started or ended run: those are outcomes). */
  eventFailed: 'PartnerCenterEventFailed',
  /** The activity log could not be read (or the position kept) after the activity's retries. */
  backfillFailed: 'AuditBackfillFailed',
} as const;
export type EventFailureType = (typeof eventFailureTypes)[keyof typeof eventFailureTypes];

/** Its one activity only lists onboardings: whatever ends the run that is not its own decision is a PartnerCenterEventFailed. */
export const eventRunFailures: RunFailurePolicy = {
  fallbackType: eventFailureTypes.eventFailed,
  rule: () => ({ type: eventFailureTypes.eventFailed }),
};

/** The backfill ends with AuditBackfillFailed whatever stopped it: the next scheduled run starts over from the position. */
export const backfillRunFailures: RunFailurePolicy = {
  fallbackType: eventFailureTypes.backfillFailed,
  rule: () => ({ type: eventFailureTypes.backfillFailed }),
};
