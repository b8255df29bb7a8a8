import { msToTs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { describeSlowest, longestGap } from '../../tools/chaos/slowest';

const { EventType } = temporal.api.enums.v1;
const at = (s: number) => msToTs(1_800_000_000_000 + s * 1000);
/** Event ids are int64 (Long) in the protos; the code reads them with Number(). */
const id = (n: number) => n as unknown as Long;
type Long = NonNullable<temporal.api.history.v1.IHistoryEvent['eventId']>;

/** A purchase's history in short: the checkout retried through faults for 200 s, the rest seconds apart. */
const events: temporal.api.history.v1.IHistoryEvent[] = [
  { eventId: id(1), eventTime: at(0), eventType: EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED },
  {
    eventId: id(5),
    eventTime: at(2),
    eventType: EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED,
    activityTaskScheduledEventAttributes: { activityType: { name: 'checkoutPurchaseCart' } },
  },
  {
    eventId: id(6),
    eventTime: at(202),
    eventType: EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED,
    activityTaskStartedEventAttributes: { scheduledEventId: id(5), attempt: 7, lastFailure: { message: 'HTTP 503' } },
  },
  {
    eventId: id(7),
    eventTime: at(203),
    eventType: EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED,
    activityTaskCompletedEventAttributes: { scheduledEventId: id(5), startedEventId: id(6) },
  },
  { eventId: id(8), eventTime: at(250), eventType: EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED },
];

it('finds the longest gap of a history and the activity attempt that ended it', () => {
  expect(longestGap(events)).toEqual({
    ms: 200_000,
    from: 'ACTIVITY_TASK_SCHEDULED',
    to: 'ACTIVITY_TASK_STARTED',
    activity: { type: 'checkoutPurchaseCart', attempt: 7, lastFailure: 'HTTP 503' },
  });
  expect(describeSlowest({ workflowId: 'purchase-p1', ms: 250_000, longestGap: longestGap(events)! })).toBe(
    'purchase-p1 250.0 s; longest gap 200.0 s, ACTIVITY_TASK_SCHEDULED → ACTIVITY_TASK_STARTED (checkoutPurchaseCart, attempt 7, last failure: HTTP 503)',
  );
});

it('names no activity for a gap between workflow events, and nothing for a one-event history', () => {
  const quiet = [events[0], { ...events[4], eventTime: at(90) }];
  expect(longestGap(quiet)).toEqual({
    ms: 90_000,
    from: 'WORKFLOW_EXECUTION_STARTED',
    to: 'WORKFLOW_EXECUTION_COMPLETED',
  });
  expect(longestGap([events[0]])).toBeUndefined();
  expect(describeSlowest(undefined)).toBe('–');
});
