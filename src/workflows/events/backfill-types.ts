import { z } from 'zod';
import type { PartnerCenterEvent } from './types';

/** `auditBackfill`'s input: where the activity log is read from (the Schedule keeps the last position here). */
export const AuditBackfillInputSchema = z.object({
  /** ISO 8601; absent the first time: 24 hours back. Never more than the activity log's 90 days. */
  since: z.string().optional(),
});
export type AuditBackfillInput = z.infer<typeof AuditBackfillInputSchema>;

export const AuditBackfillResultSchema = z.object({
  /** Where this run read from. */
  from: z.string(),
  /** The latest change it read: the next run reads from there. */
  position: z.string(),
  /** Activity log records read. */
  records: z.number().int(),
  /** Records that are events this worker acts on. */
  events: z.number().int(),
  /** Events no delivery or earlier run had handled: started now. */
  started: z.number().int(),
  /** Events already handled (delivered by the webhook, or read by an earlier run). */
  alreadyHandled: z.number().int(),
});
export type AuditBackfillResult = z.infer<typeof AuditBackfillResultSchema>;

/** What the read activity hands the workflow: the events found and the run id each one has. */
export interface AuditEvents {
  from: string;
  position: string;
  records: number;
  events: Array<{ workflowId: string; event: PartnerCenterEvent }>;
}
