import type { PurchaseRequest } from '../../src/workflows/purchase/api';

/** Invalid purchase requests and the field each must be refused for; shared by the unit and workflow tests and `npm run chaos`. */

export const customerId = '4f1b9c7e-2d3a-4c5b-8e6f-0a1b2c3d4e5f';
export const validItem = {
  offer: { catalogItemId: 'CFQ7TTC0LH18:0001:CFQ7TTC0K971' },
  quantity: 5,
  termDuration: 'P1Y',
  billingCycle: 'monthly',
} as const;
export const validRequest: PurchaseRequest = { requestId: 'req-1', customerId, items: [validItem] };

/** A copy of the valid request with `patch` applied (undefined deletes a key). */
function variant(patch: Record<string, unknown>, itemPatch?: Record<string, unknown>): unknown {
  const request: Record<string, unknown> = { ...validRequest, ...patch };
  if (itemPatch !== undefined) request.items = [{ ...validItem, ...itemPatch }];
  for (const [k, v] of Object.entries(request)) if (v === undefined) delete request[k];
  const items = request.items as Array<Record<string, unknown>>;
  for (const i of items ?? []) for (const [k, v] of Object.entries(i)) if (v === undefined) delete i[k];
  return request;
}

export const invalidPurchaseRequests: Array<[string, unknown, string]> = [
  ['not an object', 'buy stuff', 'request'],
  ['requestId missing', variant({ requestId: undefined }), 'requestId'],
  ['requestId with spaces', variant({ requestId: 'a b' }), 'requestId'],
  ['requestId too long', variant({ requestId: 'x'.repeat(129) }), 'requestId'],
  ['customerId not a GUID', variant({ customerId: 'contoso' }), 'customerId'],
  ['country of three letters', variant({ country: 'USA' }), 'country'],
  ['unknown segment', variant({ segment: 'consumer' }), 'segment'],
  ['currency not ISO 4217', variant({ currency: 'dollars' }), 'currency'],
  ['requireApproval as string', variant({ requireApproval: 'yes' }), 'requireApproval'],
  ['no items', variant({ items: [] }), 'items'],
  ['51 items', variant({ items: Array.from({ length: 51 }, () => validItem) }), 'items'],
  ['unknown top-level field', variant({ qty: 3 }), 'qty'],
  ['offer missing', variant({}, { offer: undefined }), 'items[0].offer'],
  [
    'offer with both forms',
    variant({}, { offer: { catalogItemId: 'A:B:C', productId: 'A', skuId: 'B' } }),
    'items[0].offer',
  ],
  ['offer with productId only', variant({}, { offer: { productId: 'CFQ7TTC0LH18' } }), 'items[0].offer.skuId'],
  [
    'malformed catalogItemId',
    variant({}, { offer: { catalogItemId: 'CFQ7TTC0LH18-0001' } }),
    'items[0].offer.catalogItemId',
  ],
  ['quantity zero', variant({}, { quantity: 0 }), 'items[0].quantity'],
  ['fractional quantity', variant({}, { quantity: 2.5 }), 'items[0].quantity'],
  ['quantity as string', variant({}, { quantity: '5' }), 'items[0].quantity'],
  ['unknown term', variant({}, { termDuration: 'P2Y' }), 'items[0].termDuration'],
  ['unknown billing cycle', variant({}, { billingCycle: 'weekly' }), 'items[0].billingCycle'],
  [
    'annual billing on a monthly term',
    variant({}, { termDuration: 'P1M', billingCycle: 'annual' }),
    'items[0].billingCycle',
  ],
  ['triennial billing on a one-year term', variant({}, { billingCycle: 'triennial' }), 'items[0].billingCycle'],
  ['autoRenew as string', variant({}, { autoRenew: 'false' }), 'items[0].autoRenew'],
  ['empty friendlyName', variant({}, { friendlyName: '  ' }), 'items[0].friendlyName'],
  [
    'friendlyName longer than Partner Center takes',
    variant({}, { friendlyName: 'n'.repeat(129) }),
    'items[0].friendlyName',
  ],
  ['customTermEndDate not a date', variant({}, { customTermEndDate: 'end of month' }), 'items[0].customTermEndDate'],
  [
    'provisioningContext with a number',
    variant({}, { provisioningContext: { seats: 3 } }),
    'items[0].provisioningContext.seats',
  ],
  ['misspelt item field', variant({}, { autorenew: false }), 'items[0].autorenew'],
  ['attestationAccepted as string', variant({}, { attestationAccepted: 'yes' }), 'items[0].attestationAccepted'],
  [
    'partnerOnRecordAttestationAccepted as a number',
    variant({}, { partnerOnRecordAttestationAccepted: 1 }),
    'items[0].partnerOnRecordAttestationAccepted',
  ],
  ['empty promotionId', variant({}, { promotionId: '' }), 'items[0].promotionId'],
  ['alignWith an unknown word', variant({}, { alignWith: 'fiscalYear' }), 'items[0].alignWith'],
  [
    'alignWith a subscription id that is not a GUID',
    variant({}, { alignWith: { subscriptionId: 'sub-1' } }),
    'items[0].alignWith.subscriptionId',
  ],
  [
    'alignWith together with customTermEndDate',
    variant({}, { alignWith: 'calendarMonth', customTermEndDate: '2027-01-31' }),
    'items[0].alignWith',
  ],
  ['onIneligiblePromotion unknown', variant({ onIneligiblePromotion: 'ignore' }), 'onIneligiblePromotion'],
  ['agreement without email', variant({ agreement: { firstName: 'Dana', lastName: 'Lopez' } }), 'agreement.email'],
  [
    'agreement with a malformed email',
    variant({ agreement: { firstName: 'Dana', lastName: 'Lopez', email: 'dana at contoso' } }),
    'agreement.email',
  ],
  [
    'agreement with an unknown field',
    variant({ agreement: { firstName: 'Dana', lastName: 'Lopez', email: 'dana@contoso.com', title: 'CTO' } }),
    'agreement.title',
  ],
];
