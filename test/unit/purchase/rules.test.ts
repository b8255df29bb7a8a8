import {
  lineErrorsFromOrderErrors,
  provisioningPlan,
  unfulfilledLineErrors,
} from '../../../src/workflows/purchase/rules';
import type { CartOutcome, OrderSummary, ResolvedItem } from '../../../src/workflows/purchase/types';

const customerId = '4f1b9c7e-2d3a-4c5b-8e6f-0a1b2c3d4e5f';
const A = 'P1:0001:A1';
const B = 'P2:0001:B1';
const cart: CartOutcome = {
  cartId: 'cart-1',
  lines: [
    { item: 0, catalogItemId: A, orderGroup: '0' },
    { item: 1, catalogItemId: B, orderGroup: '1' },
    { item: 2, catalogItemId: B, orderGroup: '1' },
  ],
  lineErrors: [],
};
const item = (i: number, catalogItemId: string, quantity: number, extra: Partial<ResolvedItem> = {}): ResolvedItem => ({
  item: i,
  catalogItemId,
  quantity,
  termDuration: 'P1Y',
  billingCycle: 'monthly',
  autoRenew: true,
  ...extra,
});

describe('lineErrorsFromOrderErrors', () => {
  it('reports a failed order group on every item it held', () => {
    const errors = lineErrorsFromOrderErrors(cart, {
      orders: [{ orderId: 'o1', status: 'pending', lineItems: [{ lineItemNumber: 0, catalogItemId: A, quantity: 1 }] }],
      orderErrors: [{ orderGroupId: '1', code: 800069, description: 'risk check' }],
    });
    expect(errors).toEqual([
      { item: 1, code: 800069, description: 'risk check' },
      { item: 2, code: 800069, description: 'risk check' },
    ]);
  });

  it('without order groups, blames the items no order contains', () => {
    const ungrouped: CartOutcome = {
      ...cart,
      lines: cart.lines.map(({ item: i, catalogItemId }) => ({ item: i, catalogItemId })),
    };
    const errors = lineErrorsFromOrderErrors(ungrouped, {
      orders: [{ orderId: 'o1', status: 'pending', lineItems: [{ lineItemNumber: 0, catalogItemId: B, quantity: 1 }] }],
      orderErrors: [{ orderGroupId: '7', code: 'X', description: 'failed' }],
    });
    expect(errors).toEqual([{ item: 0, code: 'X', description: 'failed' }]);
  });
});

describe('provisioningPlan', () => {
  it('applies each item’s autoRenew and friendlyName to the subscription bought for it, matching quantity first', () => {
    const orders: OrderSummary[] = [
      {
        orderId: 'o1',
        status: 'completed',
        lineItems: [
          { lineItemNumber: 0, catalogItemId: B, quantity: 7, subscriptionId: 's-b7' },
          { lineItemNumber: 1, catalogItemId: B, quantity: 3, subscriptionId: 's-b3' },
        ],
      },
      {
        orderId: 'o2',
        status: 'completed',
        lineItems: [{ lineItemNumber: 0, catalogItemId: A, quantity: 1, subscriptionId: 's-a' }],
      },
    ];
    const plan = provisioningPlan(customerId, orders, [
      item(0, A, 1, { autoRenew: false }),
      item(1, B, 3, { friendlyName: 'Three' }),
      item(2, B, 7, { autoRenew: false, friendlyName: 'Seven' }),
    ]);
    expect(plan).toEqual([
      { customerId, subscriptionId: 's-b7', autoRenew: false, friendlyName: 'Seven' },
      { customerId, subscriptionId: 's-b3', autoRenew: true, friendlyName: 'Three' },
      { customerId, subscriptionId: 's-a', autoRenew: false },
    ]);
  });
});

describe('unfulfilledLineErrors', () => {
  it('reports order lines that settled without a subscription', () => {
    const errors = unfulfilledLineErrors(cart, [
      {
        orderId: 'o1',
        status: 'partial_success',
        lineItems: [
          { lineItemNumber: 0, catalogItemId: A, quantity: 1, subscriptionId: 's1' },
          { lineItemNumber: 1, catalogItemId: B, quantity: 1 },
        ],
      },
    ]);
    expect(errors).toEqual([
      { item: 1, code: 'partial_success', description: `Order o1 line 1 (${B}) was not fulfilled` },
    ]);
  });
});
