import { log } from '@temporalio/activity';
import { eventDigest, type SeekCursor } from '../../partner-center';
import type { AuditBackfillInput, AuditEvents } from '../../workflows/events/backfill-types';
import { eventFailureTypes } from '../../workflows/events/failures';
import { eventWorkflowId } from '../../workflows/events/ids';
import { toActivityFailure } from '../common/failures';
import { auditRecordEvent } from './audit-events';
import type { EventActivityDeps } from './deps';

const HOUR_MS = 3_600_000;
/** The first run reads a day back (contract §3f). */
const FIRST_LOOK_BACK_MS = 24 * HOUR_MS;
/** The activity log keeps 90 days and refuses older start dates: a day's margin for clocks. */
const OLDEST_MS = 89 * 24 * HOUR_MS;
/** Records may reach the log a little after their operationDate: each run reads again a little before the position. */
const OVERLAP_MS = 10 * 60_000;
/** A bounded run: what it leaves, the next run reads (from the position it reached). */
const MAX_RECORDS = 5_000;

/** One run's read of the activity log from `since`: the events it holds and the latest change read. */
export async function readAuditEvents(deps: EventActivityDeps, input: AuditBackfillInput): Promise<AuditEvents> {
  const now = Date.now();
  const since = input.since !== undefined ? Date.parse(input.since) - OVERLAP_MS : now - FIRST_LOOK_BACK_MS;
  const from = new Date(
    Math.max(Number.isNaN(since) ? now - FIRST_LOOK_BACK_MS : since, now - OLDEST_MS),
  ).toISOString();
  const read: AuditEvents = { from, position: input.since ?? from, records: 0, events: [] };
  let cursor: SeekCursor | undefined;
  try {
    do {
      const page = await deps.partnerCenter.listAuditRecordsPage({ startDate: from }, cursor);
      for (const record of page.items) {
        read.records += 1;
        if (Date.parse(record.operationDate) > Date.parse(read.position)) read.position = record.operationDate;
        const event = auditRecordEvent(record);
        if (event !== undefined) read.events.push({ workflowId: eventWorkflowId(eventDigest(event)), event });
      }
      cursor = page.next;
    } while (cursor !== undefined && read.records < MAX_RECORDS);
  } catch (err) {
    throw toActivityFailure(err, eventFailureTypes.backfillFailed);
  }
  return read;
}

/** Keeps the position for the next run (the Schedule's input); nothing to keep it in outside the worker. */
export async function saveAuditPosition(deps: EventActivityDeps, position: string): Promise<void> {
  const notKept = await deps.auditPosition?.save(position);
  if (notKept !== undefined) log.warn('Backfill position not kept', { position, reason: notKept });
}
