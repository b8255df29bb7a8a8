import { proxyActivities, setCurrentDetails } from '@temporalio/workflow';
import type { EventActivities } from '../../activities/events/activities';
import { partnerCenterCall } from '../common/activity-options';
import { runFailure } from '../common/run-failure';
import type { AuditBackfillInput, AuditBackfillResult } from './backfill-types';
import { backfillRunFailures } from './failures';
import { startOnce } from './workflow';

const { readAuditEvents, saveAuditPosition } = proxyActivities<EventActivities>({
  ...partnerCenterCall,
  // A bounded read of many pages; the Schedule's next run tries again anyway.
  startToCloseTimeout: '10m',
  scheduleToCloseTimeout: '14m',
});

/**
 * Contract §3f: the safety net under the webhook. Run by the Schedule `pc-audit-backfill` every 15 minutes, it reads
 * the activity log from `since`, and starts a `partnerCenterEvent` for each event found under the same id the
 * webhook intake would have used — so an event the webhook missed is handled now, and one it delivered is not
 * handled again. Then it keeps the position it reached for the next run.
 */
export async function auditBackfill(input: AuditBackfillInput = {}): Promise<AuditBackfillResult> {
  try {
    const read = await readAuditEvents(input);
    let started = 0;
    for (const { workflowId, event } of read.events) {
      const isNew = await startOnce('partnerCenterEvent', {
        workflowId,
        args: [event],
        staticSummary: `Partner Center event ${event.EventName} ${event.ResourceUri} (from the activity log)`.slice(
          0,
          200,
        ),
      });
      if (isNew) started += 1;
    }
    await saveAuditPosition(read.position);
    const result: AuditBackfillResult = {
      from: read.from,
      position: read.position,
      records: read.records,
      events: read.events.length,
      started,
      alreadyHandled: read.events.length - started,
    };
    setCurrentDetails(
      `Read ${result.records} records since ${result.from}: ${started} events started, ${result.alreadyHandled} already handled`,
    );
    return result;
  } catch (err) {
    throw runFailure(err, backfillRunFailures);
  }
}
