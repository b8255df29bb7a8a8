import { activityInfo } from '@temporalio/activity';
import type { temporal } from '@temporalio/proto';
import { notYet } from '../../../src/activities/common/failures';
import { internalFailureTypes } from '../../../src/workflows/common/failure-types';
import type { WorkerSettings } from '../../../src/workflows/common/settings';
import { startStubRig, stubActivities, type StubRig } from '../../support/stub-worker';
import { recordHistory } from '../purchase/harness';
import { purchasing, startOn } from './workflow-stubs';

/**
 * The adaptive poll on the real dev server: the order's "not yet" answers come back at growing intervals, from
 * ORDER_POLL_INTERVAL up to ORDER_POLL_MAX_INTERVAL, and however many polls it takes, the history does not grow.
 */

let rig: StubRig;
beforeAll(async () => {
  rig = await startStubRig();
});
afterAll(async () => {
  await rig?.close();
});

/**
 * 1 s growing ×4 up to 4 s: waits of 1, 4 and 4 s before the fourth poll. Whole seconds: the dev server retries
 * no sooner than a second after a failed attempt (100 ms → 800 ms came as 1 s, 1 s, 1 s, …).
 */
const growing: WorkerSettings = {
  orderPollIntervalMs: 1_000,
  orderPollMaxIntervalMs: 4_000,
  orderVisibilityDeadlineMs: 60_000,
  approvalTimeoutMs: 60_000,
};
const POLLS = 4;

/** Buys with an order that answers "not yet" until poll `polls`; returns when each poll came and the history's events. */
async function purchaseWithOrderAfter(
  polls: number,
): Promise<{ pollTimes: number[]; events: temporal.api.history.v1.IHistoryEvent[] }> {
  const buying = purchasing(growing);
  const pollTimes: number[] = [];
  const stubs = stubActivities({
    ...buying,
    awaitOrderCompletion: async (input) => {
      pollTimes.push(Date.now());
      if (activityInfo().attempt < polls)
        throw notYet(internalFailureTypes.orderPending, `Order ${input.orderId} is pending`);
      return buying.awaitOrderCompletion(input);
    },
  });
  const events = await rig.withWorker(stubs, async (taskQueue) => {
    const handle = await startOn(rig, taskQueue);
    expect(await handle.result()).toMatchObject({ status: 'completed' });
    await recordHistory('purchase-growing-poll-interval', handle);
    return (await handle.fetchHistory()).events ?? [];
  });
  return { pollTimes, events };
}

describe('the order poll with ORDER_POLL_MAX_INTERVAL', () => {
  it('comes at growing intervals up to the maximum, and adds no history events', async () => {
    const slow = await purchaseWithOrderAfter(POLLS);
    const gaps = slow.pollTimes.slice(1).map((time, i) => time - slow.pollTimes[i]!);
    expect(gaps).toHaveLength(POLLS - 1);
    // Never earlier than the policy's waits (a few ms of clock granularity aside); later only by the machine's load.
    [1_000, 4_000, 4_000].forEach((wait, i) => expect(gaps[i]).toBeGreaterThanOrEqual(wait - 20));
    // Growing: the second wait is 4× the first; capped: the third stays near 4 s, not 16 s.
    expect(gaps[1]).toBeGreaterThan(2 * gaps[0]!);
    expect(gaps[2]).toBeLessThan(8_000);

    // Flat history: the four polls are one scheduled activity, one started event (its last attempt) and one completion.
    const polls = slow.events.filter(
      (event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'awaitOrderCompletion',
    );
    expect(polls).toHaveLength(1);
    const pollId = Number(polls[0]?.eventId);
    const started = slow.events.filter(
      (event) => Number(event.activityTaskStartedEventAttributes?.scheduledEventId) === pollId,
    );
    const completed = slow.events.filter(
      (event) => Number(event.activityTaskCompletedEventAttributes?.scheduledEventId) === pollId,
    );
    expect(started.map((event) => event.activityTaskStartedEventAttributes?.attempt)).toEqual([POLLS]);
    expect(completed).toHaveLength(1);
  });
});
