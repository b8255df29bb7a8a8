import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleHandle,
} from '@temporalio/client';
import { ValueError, type Duration } from '@temporalio/common';
import { DEFAULT_TASK_QUEUE } from '../settings/values';
import {
  AUDIT_BACKFILL_SCHEDULE_ID,
  type AuditBackfillInput,
  type AuditBackfillWorkflow,
} from '../workflows/events/api';

/** Contract §3f: every 15 minutes. */
export const AUDIT_BACKFILL_INTERVAL: Duration = '15m';

/**
 * Creates the Schedule `pc-audit-backfill` that runs `auditBackfill` every 15 minutes, or updates its interval and
 * task queue when it exists — keeping its input, which holds the position the last run reached. Idempotent: every
 * worker start and `pcw pc-webhooks register` call it. A run still open at the next time is not doubled (overlap SKIP).
 *
 * A Schedule whose input this process cannot decode (written by a process with other PAYLOAD_ENCRYPTION_KEYS, or
 * without any) is left as it is and `unreadable` says why: a worker must still start, and rewriting the input would
 * lose the position it holds.
 */
export async function ensureAuditBackfillSchedule(
  client: Client,
  options: { taskQueue?: string; every?: Duration } = {},
): Promise<{ handle: ScheduleHandle; created: boolean; unreadable?: string }> {
  const scheduleId = AUDIT_BACKFILL_SCHEDULE_ID;
  const spec = { intervals: [{ every: options.every ?? AUDIT_BACKFILL_INTERVAL }] };
  const action = {
    type: 'startWorkflow' as const,
    workflowType: 'auditBackfill',
    args: [{}] satisfies Parameters<AuditBackfillWorkflow>,
    taskQueue: options.taskQueue ?? DEFAULT_TASK_QUEUE,
    // Temporal appends each run's scheduled time to this id.
    workflowId: scheduleId,
    staticSummary: 'Partner Center activity log backfill (events the webhook missed)',
  };
  const policies = { overlap: ScheduleOverlapPolicy.SKIP };
  try {
    return { handle: await client.schedule.create({ scheduleId, spec, action, policies }), created: true };
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
  }
  const handle = client.schedule.getHandle(scheduleId);
  try {
    await handle.update((previous) => ({
      ...previous,
      spec,
      action: { ...action, args: previous.action.type === 'startWorkflow' ? previous.action.args : action.args },
      policies: { ...previous.policies, ...policies },
    }));
  } catch (err) {
    // The payload converter and our codec say "cannot decode" with a ValueError; anything else is a real failure.
    if (!(err instanceof ValueError)) throw err;
    return { handle, created: false, unreadable: err.message };
  }
  return { handle, created: false };
}

/**
 * Where the backfill keeps its position: the Schedule's input, so the next run starts there and nothing else need
 * be stored. Without the Schedule (a run started by hand) there is nowhere to keep it, and nothing is kept; nor in a
 * Schedule whose input this process cannot decode (other encryption keys). `save` says why it kept nothing.
 */
export function auditPositionStore(client: Client): { save(position: string): Promise<string | undefined> } {
  return {
    async save(position) {
      const since: AuditBackfillInput = { since: position };
      try {
        await client.schedule.getHandle(AUDIT_BACKFILL_SCHEDULE_ID).update((previous) => ({
          ...previous,
          action: previous.action.type === 'startWorkflow' ? { ...previous.action, args: [since] } : previous.action,
        }));
        return undefined;
      } catch (err) {
        if (err instanceof ScheduleNotFoundError) return `no Schedule ${AUDIT_BACKFILL_SCHEDULE_ID}`;
        if (err instanceof ValueError) return `Schedule ${AUDIT_BACKFILL_SCHEDULE_ID} unreadable: ${err.message}`;
        throw err;
      }
    },
  };
}

/** The position the Schedule's next run reads from; undefined before the first run kept one (or without the Schedule). */
export async function auditBackfillPosition(client: Client): Promise<string | undefined> {
  try {
    const { action } = await client.schedule.getHandle(AUDIT_BACKFILL_SCHEDULE_ID).describe();
    const input = action.type === 'startWorkflow' ? (action.args?.[0] as AuditBackfillInput | undefined) : undefined;
    return input?.since;
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) return undefined;
    throw err;
  }
}
