import type { PartnerCenterClient } from '../../partner-center';

/** Where the backfill keeps the position it reached (the worker's: the Schedule's next input, client/audit-backfill.ts). */
export interface AuditPositionStore {
  /** Undefined when kept; else why it was not (no Schedule, or one this process cannot decode). */
  save(position: string): Promise<string | undefined>;
}

export interface EventActivityDeps {
  partnerCenter: PartnerCenterClient;
  /** Without one (a run outside the worker), a run's position is only its result. */
  auditPosition?: AuditPositionStore;
}
