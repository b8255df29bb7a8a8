import { withAddOnBases } from '../../../src/activities/purchase/cart';
import { bestFirst } from '../../../src/activities/purchase/promotions';
import type { ProductPromotion } from '../../../src/partner-center';
import { promotionReport, withPrerequisites } from '../../../src/workflows/purchase/rules';
import { validatePurchaseRequest, type ResolvedItem } from '../../../src/workflows/purchase/types';
import { validRequest, validItem } from '../../../tools/chaos/invalid-purchase-requests';

const resolved = (item: number, extra: Partial<ResolvedItem> = {}): ResolvedItem => ({
  item,
  catalogItemId: 'CFQ7TTC0LH18:0001:AAA',
  quantity: 5,
  termDuration: 'P1Y',
  billingCycle: 'monthly',
  autoRenew: true,
  ...extra,
});

describe('the request fields of the prerequisites', () => {
  it('accepts an agreement, both attestations, best promotion, alignWith and buyWithout', () => {
    const result = validatePurchaseRequest({
      ...validRequest,
      agreement: { firstName: 'Dana', lastName: 'Lopez', email: 'dana@contoso.com', dateAgreed: '2026-11-30' },
      onIneligiblePromotion: 'buyWithout',
      items: [
        {
          ...validItem,
          promotionId: 'best',
          attestationAccepted: true,
          partnerOnRecordAttestationAccepted: true,
          alignWith: { subscriptionId: 'a0f2c6d4-1b3e-4f5a-8c7d-9e0f1a2b3c4d' },
        },
        { ...validItem, alignWith: 'calendarMonth' },
      ],
    });
    expect(result.ok).toBe(true);
  });
});

describe('withPrerequisites', () => {
  it('leaves out the items refused before the cart (an add-on without its base)', () => {
    const carted = withPrerequisites([resolved(0), resolved(1, { addOnBases: ['CFQ7TTC0LDPB:0001'] })], {
      promotions: [],
      customTermEndDates: [],
      lineErrors: [{ item: 1, code: 400041, description: 'no base' }],
    });
    expect(carted.map((i) => i.item)).toEqual([0]);
  });

  it('lays the decided promotion and resolved end date over each item, and drops what was not applied', () => {
    const items = [
      resolved(0, { promotionId: 'best', alignWith: 'calendarMonth' }),
      resolved(1, { promotionId: 'P-REFUSED' }),
      resolved(2, { promotionId: 'P-KEPT', customTermEndDate: '2027-01-31' }),
    ];
    const carted = withPrerequisites(items, {
      promotions: [
        { item: 0, requested: 'best', promotionId: 'P-20', reasons: [] },
        { item: 1, requested: 'P-REFUSED', reasons: ['SeatCount: too many'] },
        { item: 2, requested: 'P-KEPT', promotionId: 'P-KEPT', reasons: [] },
      ],
      customTermEndDates: [
        { item: 0, customTermEndDate: '2027-11-30' },
        { item: 2, customTermEndDate: '2027-01-31' },
      ],
    });
    expect(carted).toEqual([
      resolved(0, { promotionId: 'P-20', customTermEndDate: '2027-11-30' }),
      resolved(1),
      resolved(2, { promotionId: 'P-KEPT', customTermEndDate: '2027-01-31' }),
    ]);
  });

  it('reports applied promotions of carted lines and the ones bought without', () => {
    const overlay = {
      promotions: [
        { item: 0, requested: 'best', promotionId: 'P-20', reasons: [] },
        { item: 1, requested: 'P-X', reasons: ['RedemptionLimit: used'] },
        { item: 2, requested: 'P-Y', promotionId: 'P-Y', reasons: [] },
      ],
      customTermEndDates: [],
    };
    const cart = {
      cartId: 'c',
      lines: [
        { item: 0, catalogItemId: 'A' },
        { item: 1, catalogItemId: 'B' },
      ],
      lineErrors: [],
    };
    expect(promotionReport(overlay, cart)).toEqual({
      promotions: [{ item: 0, promotionId: 'P-20' }],
      promotionsNotApplied: [{ item: 1, promotionId: 'P-X', reasons: ['RedemptionLimit: used'] }],
    });
    expect(promotionReport(undefined, cart)).toEqual({});
    expect(promotionReport({ promotions: [], customTermEndDates: [] }, cart)).toEqual({});
  });
});

describe('bestFirst', () => {
  const promotion = (
    id: string,
    percentDiscount: number | undefined,
    scope: Record<string, unknown>,
    status = 'active',
  ) =>
    ({ id, status, requirements: { productScope: scope }, pricingPolicies: [{ percentDiscount }] }) as ProductPromotion;
  const term = { duration: 'P1Y', billingCycle: 'monthly' };

  it("orders the market's promotions for the item's product, SKU, term and billing cycle by discount", () => {
    const promotions = [
      promotion('TEN', 10, { id: 'CFQ7TTC0LH18:0001', term }),
      promotion('OTHER-SKU', 50, { id: 'CFQ7TTC0LH18:0002', term }),
      promotion('ANNUAL', 40, { id: 'CFQ7TTC0LH18:0001', term: { duration: 'P1Y', billingCycle: 'annual' } }),
      promotion('TWENTY', 20, { id: 'cfq7ttc0lh18:0001:XYZ', term }),
      promotion('ENDED', 90, { id: 'CFQ7TTC0LH18:0001', term }, 'inactive'),
      promotion('ANY-TERM', undefined, { id: 'CFQ7TTC0LH18:0001' }),
    ];
    expect(bestFirst(promotions, resolved(0))).toEqual(['TWENTY', 'TEN', 'ANY-TERM']);
  });
});

describe('withAddOnBases', () => {
  const bases = ['CFQ7TTC0LH18:0001', 'CFQ7TTC0LDPB:0001'];
  it("names an add-on's base products in its line error when Partner Center's words do not", () => {
    expect(withAddOnBases('The addon is not purchasable without a compatible base product.', 400041, bases)).toBe(
      'The addon is not purchasable without a compatible base product. (the add-on needs one of the base products CFQ7TTC0LH18:0001, CFQ7TTC0LDPB:0001, owned or in the same cart, with at least as many seats)',
    );
    expect(withAddOnBases('seats', '10018', bases)).toContain('CFQ7TTC0LDPB:0001');
  });
  it('leaves other errors, non-add-ons and descriptions that already name the bases alone', () => {
    expect(withAddOnBases('bad id', 10001, bases)).toBe('bad id');
    expect(withAddOnBases('no base', 400041, undefined)).toBe('no base');
    expect(withAddOnBases(`needs ${bases.join(', ')}`, 10019, bases)).toBe(`needs ${bases.join(', ')}`);
  });
});
