import { msToNumber } from '@temporalio/common/lib/time';
import { poller } from '../../../src/workflows/common/activity-options';
import type { WorkerSettings } from '../../../src/workflows/common/settings';

/**
 * The poll schedule the poller's retry policy asks Temporal for: the wait after attempt n is
 * initialInterval × backoffCoefficient^(n-1), capped at maximumInterval (attempts taking time only stretch it).
 */
function pollTimes(settings: WorkerSettings, untilMs: number): number[] {
  const { initialInterval, backoffCoefficient, maximumInterval } = poller(settings).retry ?? {};
  const maximum = msToNumber(maximumInterval ?? 0);
  const times = [0];
  for (
    let wait = msToNumber(initialInterval ?? 0);
    times[times.length - 1]! < untilMs;
    wait = Math.min(wait * (backoffCoefficient ?? 0), maximum)
  ) {
    times.push(times[times.length - 1]! + wait);
  }
  return times;
}

/** Partner Center reads for an order that shows up after `waitMs`, in the worst case: every poll before it, and the one that sees it. */
function pollsFor(settings: WorkerSettings, waitMs: number): number {
  return pollTimes(settings, waitMs).length;
}

const MINUTE = 60_000;
const defaults: WorkerSettings = {
  orderPollIntervalMs: 15_000,
  orderPollMaxIntervalMs: 210_000,
  orderVisibilityDeadlineMs: 3 * 60 * MINUTE,
  approvalTimeoutMs: 1,
};
/**
 * Besides the polls a purchase makes five requests: the customer's agreement, create the cart, check it out, two
 * reads of the subscription (test/integration/purchase/polling.test.ts counts them at the sandbox: 12 for a 15-minute
 * wait).
 */
const OTHER_REQUESTS = 5;

describe('the poller with the default ORDER_POLL_INTERVAL (15s) and ORDER_POLL_MAX_INTERVAL (210s)', () => {
  it('polls at 15 s, then ever less often, then every 3.5 minutes', () => {
    expect(pollTimes(defaults, 20 * MINUTE).map((ms) => ms / 1000)).toEqual([
      0, 15, 75, 285, 495, 705, 915, 1125, 1335,
    ]);
  });

  it('makes at most 12 Partner Center requests per purchase for a 15-minute wait and 42 for a 2-hour wait', () => {
    expect(pollsFor(defaults, 15 * MINUTE)).toBe(7);
    expect(pollsFor(defaults, 120 * MINUTE)).toBe(37);
    // Any wait up to the target length, whenever the order shows up between two polls.
    for (let waitMs = 1000; waitMs <= 120 * MINUTE; waitMs += 1000) {
      expect(pollsFor(defaults, waitMs) + OTHER_REQUESTS).toBeLessThanOrEqual(waitMs <= 15 * MINUTE ? 12 : 42);
    }
  });

  it('sees an order at most 3.5 minutes after it shows up, and at most 60 s late in the first 75 s', () => {
    const times = pollTimes(defaults, 120 * MINUTE);
    for (let i = 1; i < times.length; i += 1) {
      const interval = times[i]! - times[i - 1]!;
      expect(interval).toBeLessThanOrEqual(210_000);
      if (times[i]! <= 75_000) expect(interval).toBeLessThanOrEqual(60_000);
      expect(interval).toBeGreaterThanOrEqual(i === 1 ? 15_000 : times[i - 1]! - times[i - 2]!);
    }
  });
});

describe('the poller with settings recorded before ORDER_POLL_MAX_INTERVAL existed', () => {
  it('polls at the constant ORDER_POLL_INTERVAL the run started with', () => {
    const { orderPollMaxIntervalMs: _absent, ...recorded } = defaults;
    expect(pollTimes(recorded, 60_000).map((ms) => ms / 1000)).toEqual([0, 15, 30, 45, 60]);
  });
});
