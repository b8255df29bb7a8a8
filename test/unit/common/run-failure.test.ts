import {
  ActivityFailure,
  ApplicationFailure,
  CancelledFailure,
  RetryState,
  ServerFailure,
  TimeoutFailure,
} from '@temporalio/common';
import { TimeoutType } from '@temporalio/common';
import { billingRunFailures } from '../../../src/workflows/billing/failures';
import { runFailure, type RunFailurePolicy } from '../../../src/workflows/common/run-failure';
import { purchaseRunFailures } from '../../../src/workflows/purchase/failures';
import { subscriptionRunFailures } from '../../../src/workflows/subscription/failures';

/** An activity's final failure: its last attempt threw `cause`, and it stopped for `retryState`. */
function activityFailed(
  cause: Error | undefined,
  retryState: RetryState = RetryState.NON_RETRYABLE_FAILURE,
): ActivityFailure {
  return new ActivityFailure('Activity task failed', 'someActivity', '1', retryState, 'worker', cause);
}

function attempt(type: string | null, message: string, details?: unknown[]): ApplicationFailure {
  return ApplicationFailure.create({ type: type ?? undefined, message, details, nonRetryable: true });
}

/** The server stopped retrying at the deadline with no attempt's failure to show (a schedule-to-close timeout). */
const outOfTime = () =>
  activityFailed(new TimeoutFailure('timed out', undefined, TimeoutType.SCHEDULE_TO_CLOSE), RetryState.TIMEOUT);

const policies: Record<string, RunFailurePolicy> = {
  purchase: purchaseRunFailures,
  change: subscriptionRunFailures,
  reconcile: billingRunFailures,
};

describe('the failure a run ends with (runFailure)', () => {
  it.each(Object.keys(policies))(
    '%s: a bug is rethrown; its own failure and a cancellation end it as they are',
    (name) => {
      const policy = policies[name]!;
      const bug = new TypeError('x is undefined');
      expect(() => runFailure(bug, policy)).toThrow(bug);
      const decided = attempt('Rejected', 'Rejected by ops');
      expect(runFailure(decided, policy)).toBe(decided);
      const cancelled = new CancelledFailure('cancelled');
      expect(runFailure(cancelled, policy)).toBe(cancelled);
      const cancelledActivity = activityFailed(new CancelledFailure('cancelled'), RetryState.CANCEL_REQUESTED);
      expect(runFailure(cancelledActivity, policy)).toBe(cancelledActivity);
    },
  );

  it.each([
    ['purchase', 'CartRejected', 'CartRejected'],
    ['purchase', 'PartnerCenterThrottled', 'PartnerCenterThrottled'],
    ['purchase', null, 'PartnerCenterError'],
    ['change', 'ChangeRejected', 'ChangeRejected'],
    ['change', null, 'PartnerCenterError'],
    ['reconcile', 'Unauthorized', 'Unauthorized'],
    ['reconcile', 'MfaRequired', 'MfaRequired'],
    ['reconcile', 'PartnerCenterError', 'ReconciliationFailed'],
    ['reconcile', null, 'ReconciliationFailed'],
  ])('%s: an activity whose last attempt threw type %s ends it as %s', (name, thrown, type) => {
    const last = attempt(thrown, 'the reason', [{ code: 400 }]);
    const err = activityFailed(last);
    const failure = runFailure(err, policies[name]!) as ApplicationFailure;
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect({ type: failure.type, message: failure.message, nonRetryable: failure.nonRetryable }).toEqual({
      type,
      message: 'the reason',
      nonRetryable: true,
    });
    expect(failure.details).toEqual([{ code: 400 }]);
    expect(failure.cause).toBe(err);
  });

  it('purchase: a failure no activity decided ends it as it is', () => {
    const timedOut = outOfTime();
    expect(runFailure(timedOut, purchaseRunFailures)).toBe(timedOut);
    const lost = new ServerFailure('lost', false);
    expect(runFailure(lost, purchaseRunFailures)).toBe(lost);
    expect(runFailure(lost, subscriptionRunFailures)).toBe(lost);
  });

  it.each([
    ['out of time with no attempt to show', outOfTime(), 'Partner Center did not finish the change in time'],
    [
      'an accepted change still not showing at the deadline',
      activityFailed(attempt('SubscriptionNotReady', 'still 5 seats'), RetryState.TIMEOUT),
      'Partner Center accepted the change but it had not landed by the deadline (last: still 5 seats); read the subscription before retrying',
    ],
    [
      'still busy',
      activityFailed(attempt('SubscriptionBusy', 'busy (409/800082)'), RetryState.TIMEOUT),
      'busy (409/800082)',
    ],
  ])('change: %s is SubscriptionBusy, retryable', (_, err, message) => {
    const failure = runFailure(err, subscriptionRunFailures) as ApplicationFailure;
    expect({ type: failure.type, message: failure.message, nonRetryable: failure.nonRetryable }).toEqual({
      type: 'SubscriptionBusy',
      message,
      nonRetryable: false,
    });
    expect(failure.cause).toBe(err);
  });

  it.each([
    ['out of time', outOfTime(), 'Reconciliation did not finish in time'],
    [
      'out of time after an attempt',
      activityFailed(attempt('PartnerCenterError', '503'), RetryState.TIMEOUT),
      'Reconciliation did not finish in time (last: 503)',
    ],
    ['a failure no activity decided', new ServerFailure('lost', false), 'lost'],
  ])('reconcile: %s is ReconciliationFailed', (_, err, message) => {
    const failure = runFailure(err, billingRunFailures) as ApplicationFailure;
    expect({ type: failure.type, message: failure.message, nonRetryable: failure.nonRetryable }).toEqual({
      type: 'ReconciliationFailed',
      message,
      nonRetryable: true,
    });
  });
});
