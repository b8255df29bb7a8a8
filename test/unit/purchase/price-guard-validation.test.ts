import { validatePurchaseRequest } from '../../../src/workflows/purchase/api';

/** The price guard's fields (contract §3g): non-negative numbers, and a currency whenever a guard is given. */

const item = {
  offer: { productId: 'CFQ7TTC0LH18', skuId: '0001' },
  quantity: 1,
  termDuration: 'P1Y',
  billingCycle: 'monthly',
};
const request = (extra: Record<string, unknown>, itemExtra: Record<string, unknown> = {}) => ({
  requestId: 'guard-1',
  customerId: '0b6b5a0e-0d0a-4f3e-9a53-2f6c4b1d9e01',
  items: [{ ...item, ...itemExtra }],
  ...extra,
});
const problems = (input: unknown) => {
  const validation = validatePurchaseRequest(input);
  return validation.ok ? [] : validation.problems;
};

test.each([
  [
    'a negative maxTotal and a guard without currency',
    request({ maxTotal: -1 }, { maxUnitPrice: 3 }),
    ['maxTotal', 'currency'],
  ],
  ['a non-numeric maxUnitPrice', request({ currency: 'USD' }, { maxUnitPrice: '3' }), ['items[0].maxUnitPrice']],
  ['a maxTotal without currency', request({ maxTotal: 10 }), ['currency']],
  ['an unknown guard field', request({ currency: 'USD', maxPrice: 1 }), ['maxPrice']],
])('%s is refused, naming the field', (_, input, fields) => {
  expect(problems(input).map((p) => p.field)).toEqual(fields);
});

test('a guard with its currency, and a request without a guard, are valid', () => {
  expect(problems(request({ currency: 'usd', maxTotal: 0 }, { maxUnitPrice: 6.5 }))).toEqual([]);
  expect(problems(request({}))).toEqual([]);
});
