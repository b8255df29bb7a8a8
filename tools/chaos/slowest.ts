import type { Client } from '@temporalio/client';
import { tsToMs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** Where the slowest purchase spent its time: the longest stretch of its history with no event. */
export interface SlowestPurchase {
  workflowId: string;
  ms: number;
  longestGap: {
    ms: number;
    /** The event before the gap and the one that ended it, e.g. ActivityTaskScheduled → ActivityTaskStarted. */
    from: string;
    to: string;
    /** The activity the gap waited on, with the attempt that ended it and its last failure (a retried fault). */
    activity?: { type: string; attempt: number; lastFailure?: string };
  };
}

const typeName = (event: HistoryEvent): string =>
  (temporal.api.enums.v1.EventType[event.eventType ?? 0] ?? 'unknown').replace(/^EVENT_TYPE_/, '');

const scheduledIdOf = (event: HistoryEvent) =>
  event.activityTaskScheduledEventAttributes
    ? event.eventId
    : (
        event.activityTaskStartedEventAttributes ??
        event.activityTaskCompletedEventAttributes ??
        event.activityTaskFailedEventAttributes ??
        event.activityTaskTimedOutEventAttributes
      )?.scheduledEventId;

/** The activity a gap waited on: its type from the scheduled event, its attempt from the started one. */
function activityOf(
  events: HistoryEvent[],
  from: HistoryEvent,
  to: HistoryEvent,
): SlowestPurchase['longestGap']['activity'] {
  const scheduledId = Number(scheduledIdOf(to) ?? scheduledIdOf(from));
  const scheduled = events.find((e) => Number(e.eventId) === scheduledId)?.activityTaskScheduledEventAttributes;
  if (!scheduled) return undefined;
  const started = events.find(
    (e) => Number(e.activityTaskStartedEventAttributes?.scheduledEventId) === scheduledId,
  )?.activityTaskStartedEventAttributes;
  return {
    type: scheduled.activityType?.name ?? 'unknown',
    attempt: started?.attempt ?? 1,
    ...(started?.lastFailure?.message ? { lastFailure: started.lastFailure.message } : {}),
  };
}

/** The longest gap between two consecutive events of one history. */
export function longestGap(events: HistoryEvent[]): SlowestPurchase['longestGap'] | undefined {
  let best: { ms: number; index: number } | undefined;
  for (let i = 1; i < events.length; i++) {
    const ms = tsToMs(events[i].eventTime) - tsToMs(events[i - 1].eventTime);
    if (!best || ms > best.ms) best = { ms, index: i };
  }
  if (!best) return undefined;
  const from = events[best.index - 1];
  const to = events[best.index];
  const activity = activityOf(events, from, to);
  return { ms: best.ms, from: typeName(from), to: typeName(to), ...(activity ? { activity } : {}) };
}

/** Reads the slowest completed purchase's history and finds its longest gap. */
export async function explainSlowest(
  client: Client,
  outcomes: Array<{ requestId: string; status: string; ms: number }>,
): Promise<SlowestPurchase | undefined> {
  const slowest = outcomes.filter((o) => o.status === 'completed').sort((a, b) => b.ms - a.ms)[0];
  if (!slowest) return undefined;
  const workflowId = `purchase-${slowest.requestId}`;
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const gap = longestGap(history.events ?? []);
  return gap ? { workflowId, ms: slowest.ms, longestGap: gap } : undefined;
}

/** One line for the report: "purchase-x 700 s; longest gap 412 s, ActivityTaskScheduled → ActivityTaskStarted …". */
export function describeSlowest(slowest: SlowestPurchase | undefined): string {
  if (!slowest) return '–';
  const { longestGap: gap } = slowest;
  const activity = gap.activity
    ? ` (${gap.activity.type}, attempt ${gap.activity.attempt}${gap.activity.lastFailure ? `, last failure: ${gap.activity.lastFailure}` : ''})`
    : '';
  return `${slowest.workflowId} ${(slowest.ms / 1000).toFixed(1)} s; longest gap ${(gap.ms / 1000).toFixed(1)} s, ${gap.from} → ${gap.to}${activity}`;
}
