/**
 * What callers of `partnerCenterEvent` rely on (contract §3f): the event and result schemas and the failure types.
 * The HTTP API imports this file only; the workflow id (a sha256 of the event) is computed by the client.
 */
import type { auditBackfill } from './backfill';
import type { partnerCenterEvent } from './workflow';

export type PartnerCenterEventWorkflow = typeof partnerCenterEvent;
export type AuditBackfillWorkflow = typeof auditBackfill;
export { AUDIT_BACKFILL_SCHEDULE_ID, eventWorkflowId } from './ids';
export {
  AuditBackfillInputSchema,
  AuditBackfillResultSchema,
  type AuditBackfillInput,
  type AuditBackfillResult,
} from './backfill-types';
export { eventFailureTypes, type EventFailureType } from './failures';
export {
  eventOutcomes,
  PartnerCenterEventResultSchema,
  PartnerCenterEventSchema,
  type EventOutcome,
  type PartnerCenterEvent,
  type PartnerCenterEventResult,
} from './types';
