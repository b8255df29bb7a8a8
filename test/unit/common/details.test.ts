import { clip, detailLines, summariseIds } from '../../../src/workflows/common/details';
import { describeProgress } from '../../../src/workflows/purchase/rules';

describe("a run's current details in the Temporal UI", () => {
  const subscriptions = [
    'a1b2c3d4-0000-4000-8000-000000000001',
    'c3d4e5f6-0000-4000-8000-000000000002',
    'e5f6a7b8-0000-4000-8000-000000000003',
  ];

  it('puts one fact on each short line, as a compact list, and leaves out facts not known yet', () => {
    const details = describeProgress({
      step: 'awaiting-order',
      customerId: 'cust',
      cartId: 'cart',
      orderIds: ['0123456789ab'],
      subscriptionIds: [],
    });
    expect(details.split('\n')).toEqual([
      '- **Step:** awaiting-order',
      '- **Customer:** cust',
      '- **Cart:** cart',
      '- **Orders:** 0123456789ab',
    ]);
  });

  it('summarises a long list of ids with a count and "+N"', () => {
    expect(summariseIds(subscriptions)).toBe('3: a1b2c3d4…, c3d4e5f6…, +1');
    expect(summariseIds(subscriptions.slice(0, 2))).toBe('2: a1b2c3d4…, c3d4e5f6…');
    expect(summariseIds(subscriptions.slice(0, 1))).toBe(subscriptions[0]);
    expect(summariseIds([])).toBeUndefined();
    const details = describeProgress({ step: 'completed', orderIds: [], subscriptionIds: subscriptions });
    expect(details).toContain('- **Subscriptions:** 3: a1b2c3d4…, c3d4e5f6…, +1');
  });

  it('clips a long or multi-line last error to one line that ends with an ellipsis', () => {
    const error = `Invalid purchase request: ${'items[0].quantity must be at least 1; '.repeat(10)}`;
    const line = describeProgress({ step: 'failed', orderIds: [], subscriptionIds: [], lastError: error })
      .split('\n')
      .pop() as string;
    expect(line.startsWith('- **Last error:** Invalid purchase request: items[0].quantity')).toBe(true);
    expect(line.endsWith('…')).toBe(true);
    expect(clip(error).length).toBeLessThanOrEqual(96);
    expect(clip('first line\nsecond line')).toBe('first line');
    expect(detailLines([['Error', 'short']])).toBe('- **Error:** short');
  });
});
