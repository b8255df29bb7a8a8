import type { RunFailurePolicy } from '../common/run-failure';

/** `ApplicationFailure` types a `partnerCenterEvent` caller may see (contract §3f). */
export const eventFailureTypes = {
  /** Temporal refused a start or a signal the event needed (not an already-started or ended run: those are outcomes). */
  eventFailed: 'PartnerCenterEventFailed',
} as const;
export type EventFailureType = (typeof eventFailureTypes)[keyof typeof eventFailureTypes];

/** Its one activity only lists onboardings: whatever ends the run that is not its own decision is a PartnerCenterEventFailed. */
export const eventRunFailures: RunFailurePolicy = {
  fallbackType: eventFailureTypes.eventFailed,
  rule: () => ({ type: eventFailureTypes.eventFailed }),
};
