import { bindActivities } from '../common/bind-activities';
import type { BillingActivityDeps } from './deps';
import { reconcileGraphExport } from './read-graph-export';
import { reconcileUnbilledCharges } from './read-v1-lines';
import { requestBillingExport } from './request-export';
import { TallyHandoff } from './tally-handoff';

export type { BillingActivityDeps } from './deps';
/** The heartbeat details of the two reads (their progress in the UI, and the checkpoints a retry resumes from). */
export {
  CHECKPOINT_BUDGET_BYTES,
  GraphReconcileProgressSchema,
  ReconcileProgressSchema,
  type GraphReconcileProgress,
  type ReconcileProgress,
} from './checkpoints';

/**
 * Activities of `reconcileBilling`: request a Graph billing export (request-export.ts) and read it
 * (read-graph-export.ts), or read Partner Center's v1 unbilled lines (read-v1-lines.ts); both reads then match
 * the lines with each customer's subscriptions and orders (match.ts). They heartbeat their own checkpoints
 * (checkpoints.ts), so they are not wrapped in empty heartbeats.
 */
export function createBillingActivities(deps: BillingActivityDeps) {
  return bindActivities(
    { ...deps, handoff: new TallyHandoff() },
    { requestBillingExport, reconcileGraphExport, reconcileUnbilledCharges },
  );
}

/** Workflows proxy these (import type only). */
export type BillingActivities = ReturnType<typeof createBillingActivities>;
