import { matchCartOrders } from '../../../src/activities/purchase/checkout-recovery';
import { cartSchema, orderSchema, type Order } from '../../../src/partner-center';

const BASIC = 'CFQ7TTC0LH18:0001:CFQ7TTC0SS2M';
const E3 = 'CFQ7TTC0LFLZ:0002:CFQ7TTC0K4TS';

const cart = (lines: Array<{ catalogItemId: string; quantity: number; orderGroup?: string; error?: boolean }>) =>
  cartSchema.parse({
    id: 'cart-1',
    status: 'Ordered',
    creationTimestamp: '2026-11-25T10:00:00Z',
    lineItems: lines.map((l, id) => ({
      id,
      catalogItemId: l.catalogItemId,
      quantity: l.quantity,
      orderGroup: l.orderGroup,
      ...(l.error ? { error: { errorCode: 10001, errorDescription: 'not valid' } } : {}),
    })),
  });

const order = (id: string, creationDate: string, lines: Array<[string, number]>): Order =>
  orderSchema.parse({
    id,
    status: 'pending',
    creationDate,
    lineItems: lines.map(([offerId, quantity], n) => ({ lineItemNumber: n, offerId, quantity })),
  });

const ids = (orders: Order[]) => orders.map((o) => o.id);

describe('matchCartOrders', () => {
  it('finds the order whose lines are the group lines, created since the cart (catalog ids compared case-insensitively)', () => {
    const match = matchCartOrders(cart([{ catalogItemId: BASIC, quantity: 3, orderGroup: '0' }]), [
      order('before', '2026-11-25T09:59:59Z', [[BASIC, 3]]),
      order('other-quantity', '2026-11-25T10:00:05Z', [[BASIC, 4]]),
      order('ours', '2026-11-25T10:00:06Z', [[BASIC.toLowerCase(), 3]]),
    ]);
    expect(match.kind).toBe('found');
    expect(match.kind === 'found' && ids(match.orders)).toEqual(['ours']);
    expect(match.kind === 'found' && match.missingGroups).toEqual([]);
  });

  it('matches one order per order group, ignores refused lines, and names the groups not listed yet', () => {
    const threeGroups = cart([
      { catalogItemId: BASIC, quantity: 2, orderGroup: '0' },
      { catalogItemId: E3, quantity: 1, orderGroup: '0' },
      { catalogItemId: BASIC, quantity: 5, orderGroup: '1' },
      { catalogItemId: 'NOPE:0001:NOPE', quantity: 1, orderGroup: '2', error: true },
    ]);
    const groupZero = order('group-0', '2026-11-25T10:01:00Z', [
      [E3, 1],
      [BASIC, 2],
    ]);
    expect(matchCartOrders(threeGroups, [groupZero])).toEqual({
      kind: 'found',
      orders: [groupZero],
      missingGroups: ['1'],
    });
    const groupOne = order('group-1', '2026-11-25T10:01:00Z', [[BASIC, 5]]);
    expect(matchCartOrders(threeGroups, [groupOne, groupZero])).toEqual({
      kind: 'found',
      orders: [groupZero, groupOne],
      missingGroups: [],
    });
  });

  it('is ambiguous when more orders than groups match: another purchase bought the same lines meanwhile', () => {
    const match = matchCartOrders(cart([{ catalogItemId: BASIC, quantity: 1, orderGroup: '0' }]), [
      order('a', '2026-11-25T10:00:10Z', [[BASIC, 1]]),
      order('b', '2026-11-25T10:00:20Z', [[BASIC, 1]]),
    ]);
    expect(match).toEqual({ kind: 'ambiguous', orderGroups: ['0'], candidateOrderIds: ['a', 'b'] });
  });

  it('two groups with the same lines take two matching orders', () => {
    const twin = cart([
      { catalogItemId: BASIC, quantity: 1, orderGroup: '0' },
      { catalogItemId: BASIC, quantity: 1, orderGroup: '1' },
    ]);
    const first = order('a', '2026-11-25T10:00:10Z', [[BASIC, 1]]);
    expect(matchCartOrders(twin, [first])).toEqual({ kind: 'found', orders: [first], missingGroups: ['1'] });
    const second = order('b', '2026-11-25T10:00:11Z', [[BASIC, 1]]);
    expect(matchCartOrders(twin, [second, first])).toEqual({
      kind: 'found',
      orders: [first, second],
      missingGroups: [],
    });
  });
});
