import { createActivities } from '../../../src/activities';
import { withHeartbeats } from '../../../src/activities/common/heartbeat';
import { activityContext, fakePartnerCenter } from '../../support/activities';

const INTERVAL_MS = 10;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('withHeartbeats', () => {
  it('heartbeats while the activity waits, with no details, and stops once it returns', async () => {
    const context = activityContext({});
    const beats: unknown[] = [];
    let threeBeats: () => void = () => undefined;
    const waited = new Promise<void>((resolve) => (threeBeats = resolve));
    context.mock.on('heartbeat', (details: unknown) => {
      beats.push(details);
      if (beats.length === 3) threeBeats();
    });
    // The activity returns only once it has been heartbeated for three times: without beats it would never end.
    const { call } = withHeartbeats({ call: async (answer: number) => waited.then(() => answer) }, INTERVAL_MS);

    await expect(context.run(call, 42)).resolves.toBe(42);
    const afterReturn = beats.length;
    await pause(INTERVAL_MS * 5);
    expect(beats.length).toBe(afterReturn);
    expect(beats.every((details) => details === undefined)).toBe(true);
  });

  it('passes a failure through unchanged and stops heartbeating', async () => {
    const context = activityContext({});
    let beats = 0;
    context.mock.on('heartbeat', () => beats++);
    const failure = new Error('Partner Center said no');
    const { call } = withHeartbeats(
      {
        call: async () => {
          await pause(INTERVAL_MS * 3);
          throw failure;
        },
      },
      INTERVAL_MS,
    );

    await expect(context.run(call)).rejects.toBe(failure);
    expect(beats).toBeGreaterThan(0);
    const afterFailure = beats;
    await pause(INTERVAL_MS * 5);
    expect(beats).toBe(afterFailure);
  });
});

describe('createActivities', () => {
  it('leaves the local activity getPurchaseSettings unwrapped (it runs without a heartbeat context)', async () => {
    const settings = { orderPollIntervalMs: 200, orderVisibilityDeadlineMs: 5000 };
    const activities = createActivities({
      partnerCenter: fakePartnerCenter({}),
      catalog: {
        resolve: () => Promise.reject(new Error('unexpected catalog call')),
        getByCatalogItemId: () => Promise.reject(new Error('unexpected catalog call')),
        invalidate: () => undefined,
      },
      tokenMode: 'app-only',
      settings,
    });

    await expect(activities.getPurchaseSettings()).resolves.toMatchObject(settings);
  });
});
