import { transitionProgress } from '../../../src/activities/subscription/transition-progress';
import { anyCase, transitionSchema } from '../../../src/partner-center';

/**
 * Where a transition stands, read as Partner Center answers it (any key casing): its own status when it has one,
 * else each step's latest event, whether the events are a state (one per step) or a log (Started, then Completed).
 */

const parse = (body: Record<string, unknown>) => anyCase(transitionSchema).parse({ toCatalogItemId: 'P:S:A', ...body });
const event = (name: string, status: string, timestamp?: string) => ({
  name,
  status,
  ...(timestamp !== undefined ? { timestamp } : {}),
});
const START = '2026-11-02T10:00:00Z';
const END = '2026-11-02T10:05:00Z';

describe('events as a state: one per step', () => {
  test.each([
    [
      'every step Completed',
      [event('Conversion', 'Completed'), event('LicenseReassignment', 'Completed')],
      { state: 'completed' },
    ],
    [
      'a step still Started',
      [event('Conversion', 'Completed'), event('LicenseReassignment', 'Started')],
      { state: 'running' },
    ],
    ['a step InProgress', [event('Conversion', 'InProgress')], { state: 'running' }],
    ['a status nobody documented', [event('Conversion', 'Queued')], { state: 'running' }],
    ['no events yet', [], { state: 'running' }],
    [
      'a step Failed',
      [event('Conversion', 'Completed'), event('LicenseReassignment', 'Failed')],
      { state: 'failed', failedSteps: ['LicenseReassignment'] },
    ],
  ])('%s', (_, events, expected) => {
    expect(transitionProgress(parse({ events }))).toEqual(expected);
  });
});

describe('events as a log: each step stands where its latest event says', () => {
  test('Started, then Completed for every step: completed', () => {
    const events = [
      event('Conversion', 'Started', START),
      event('LicenseReassignment', 'Started', START),
      event('Conversion', 'Completed', END),
      event('LicenseReassignment', 'Completed', END),
    ];
    expect(transitionProgress(parse({ events }))).toEqual({ state: 'completed' });
  });

  test('one step not completed yet: running', () => {
    const events = [
      event('Conversion', 'Started', START),
      event('LicenseReassignment', 'Started', START),
      event('Conversion', 'Completed', END),
    ];
    expect(transitionProgress(parse({ events }))).toEqual({ state: 'running' });
  });

  test('the timestamps decide over the order of the list, which decides without them', () => {
    const newestFirst = [event('Conversion', 'Completed', END), event('Conversion', 'Started', START)];
    expect(transitionProgress(parse({ events: newestFirst }))).toEqual({ state: 'completed' });
    const untimed = [event('Conversion', 'Completed'), event('Conversion', 'Started')];
    expect(transitionProgress(parse({ events: untimed }))).toEqual({ state: 'running' });
  });

  test('a step that failed after it started: failed, naming it', () => {
    const events = [event('Conversion', 'Started', START), event('Conversion', 'Failed', END)];
    expect(transitionProgress(parse({ events }))).toEqual({ state: 'failed', failedSteps: ['Conversion'] });
  });

  test('PascalCase keys and statuses in another casing read the same', () => {
    const transition = parse({
      Events: [
        { Name: 'Conversion', Status: 'started', Timestamp: START },
        { Name: 'Conversion', Status: 'COMPLETED', Timestamp: END },
      ],
    });
    expect(transitionProgress(transition)).toEqual({ state: 'completed' });
  });
});

describe("the transition's own status decides over its events", () => {
  test.each([
    [
      'Completed while the log shows only Started',
      'Completed',
      [event('Conversion', 'Started')],
      { state: 'completed' },
    ],
    [
      'InProgress while every event says Completed',
      'InProgress',
      [event('Conversion', 'Completed')],
      { state: 'running' },
    ],
    ['an unknown status', 'Pending', [event('Conversion', 'Completed')], { state: 'running' }],
    [
      'Failed without a failed event',
      'failed',
      [event('Conversion', 'Started')],
      { state: 'failed', failedSteps: ['transition'] },
    ],
    ['Failed with one', 'Failed', [event('Conversion', 'Failed')], { state: 'failed', failedSteps: ['Conversion'] }],
  ])('%s', (_, status, events, expected) => {
    expect(transitionProgress(parse({ Status: status, events }))).toEqual(expected);
  });
});
