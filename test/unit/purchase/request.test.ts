import { validatePurchaseRequest } from '../../../src/workflows/purchase/types';
import {
  customerId,
  invalidPurchaseRequests,
  validItem as item,
  validRequest as valid,
} from '../../../tools/chaos/invalid-purchase-requests';
import { invalidPurchaseRequest } from '../../../src/workflows/purchase/rules';

describe('validatePurchaseRequest', () => {
  it('applies the contract defaults to a minimal request', () => {
    const result = validatePurchaseRequest(valid);
    expect(result).toEqual({
      ok: true,
      request: {
        requestId: 'req-1',
        customerId,
        country: 'US',
        segment: 'commercial',
        requireApproval: false,
        items: [{ ...item, autoRenew: true }],
      },
    });
  });

  it('accepts productId + skuId, lower-case country and currency, and every optional field', () => {
    const result = validatePurchaseRequest({
      ...valid,
      country: 'de',
      currency: 'eur',
      segment: 'education',
      requireApproval: true,
      items: [
        {
          offer: { productId: 'CFQ7TTC0LH18', skuId: '0001' },
          quantity: 1,
          termDuration: 'P3Y',
          billingCycle: 'triennial',
          autoRenew: false,
          friendlyName: 'Sales',
          promotionId: 'P1',
          customTermEndDate: '2027-01-31',
          provisioningContext: { domain: 'x' },
        },
      ],
    });
    expect(result.ok && result.request.country).toBe('DE');
    expect(result.ok && result.request.currency).toBe('EUR');
  });

  it.each(invalidPurchaseRequests)('names the bad field: %s', (_case, input, field) => {
    const result = validatePurchaseRequest(input);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => p.field)).toContain(field);
    expect(invalidPurchaseRequest(result.problems).message).toContain(field);
  });

  it('names every bad field of one request at once', () => {
    const result = validatePurchaseRequest({
      requestId: '',
      customerId: 'nope',
      items: [item, { ...item, quantity: -1, termDuration: 'P5Y' }],
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => p.field).sort()).toEqual([
      'customerId',
      'items[1].quantity',
      'items[1].termDuration',
      'requestId',
    ]);
  });
});
