import {
  availabilitySchema,
  cartCheckoutResultSchema,
  cartInputSchema,
  cartSchema,
  collectionSchema,
  customerSchema,
  oneTimeInvoiceLineItemSchema,
  orderLineItemProvisioningStatusSchema,
  orderSchema,
  skuSchema,
  subscriptionProvisioningStatusSchema,
  subscriptionSchema,
} from '../../../src/partner-center';

const orderJson = (id: string, status: string) => ({
  id,
  alternateId: id,
  referenceCustomerId: '4b2f1e0e-0000-4000-8000-000000000001',
  billingCycle: 'monthly',
  currencyCode: 'USD',
  lineItems: [
    {
      lineItemNumber: 0,
      offerId: 'CFQ7TTC0LH18:0001:CFQ7TTC0K971',
      termDuration: 'P1Y',
      quantity: 5,
      transactionType: 'New',
    },
  ],
  creationDate: '2023-07-11T21:16:11.5515713Z',
  status,
  transactionType: 'UserPurchase',
  attributes: { objectType: 'Order' },
});

describe('lenient parsing of what Partner Center sends', () => {
  test('an unknown enum value inside a list does not break the list', () => {
    const orders = collectionSchema(orderSchema).parse({
      totalCount: 3,
      items: [
        orderJson('a68736758d9c', 'completed'),
        orderJson('b68736758d9c', 'awaiting_quantum_approval'),
        orderJson('c68736758d9c', 'Pending'),
      ],
      links: { self: { uri: '/customers/x/orders', method: 'GET', headers: [] } },
      attributes: { objectType: 'Collection' },
    });
    expect(orders.items.map((o) => o.status)).toEqual(['completed', 'awaiting_quantum_approval', 'pending']);
  });

  test('known enum values are canonicalised whatever their casing or separators', () => {
    expect(orderSchema.parse(orderJson('o', 'Partial Success')).status).toBe('partial_success');
    expect(orderSchema.parse(orderJson('o', 'PENDING_REVIEW')).status).toBe('pending_review');
    expect(cartSchema.parse({ id: 'c', status: 'Active', lineItems: [] }).status).toBe('active');
    const provisioning = orderLineItemProvisioningStatusSchema.parse({
      lineItemNumber: 0,
      status: 'PrefulfillmentPending',
      quantityProvisioningInformation: null,
    });
    expect(provisioning.status).toBe('prefulfillmentPending');
    expect(provisioning.quantityProvisioningInformation).toEqual([]);
  });

  test('numbers that arrive as strings are numbers; non-numeric strings are refused', () => {
    const line = oneTimeInvoiceLineItemSchema.parse({
      customerId: 'c',
      unitPrice: '16',
      effectiveUnitPrice: '15.2',
      quantity: 3,
      subtotal: '45.6',
      chargeType: 'New',
      invoiceNumber: '',
      attributes: { objectType: 'OneTimeInvoiceLineItem' },
    });
    expect(line.unitPrice).toBe(16);
    expect(line.effectiveUnitPrice).toBe(15.2);
    expect(line.subtotal).toBe(45.6);
    expect(line.chargeType).toBe('new');
    expect(skuSchema.parse({ id: '0001', minimumQuantity: '1', maximumQuantity: '300' })).toMatchObject({
      minimumQuantity: 1,
      maximumQuantity: 300,
    });
    expect(skuSchema.safeParse({ id: '0001', minimumQuantity: 'one' }).success).toBe(false);
    expect(skuSchema.safeParse({ id: '0001', minimumQuantity: '1.5' }).success).toBe(false);
  });

  test('cart line errorCode as number, numeric string or snake-case string; orderGroup as number', () => {
    const cart = cartSchema.parse({
      id: 'cart-1',
      status: 'Active',
      lineItems: [
        {
          id: 0,
          catalogItemId: 'P:S:A',
          quantity: 1,
          billingCycle: 'Monthly',
          orderGroup: 0,
          error: { errorCode: 10001, errorDescription: 'bad id' },
        },
        {
          id: '1',
          catalogItemId: 'P:S:B',
          quantity: '2',
          billingCycle: 'annual',
          orderGroup: '1',
          error: { errorCode: '400041', errorDescription: 'addon' },
        },
        {
          id: 2,
          catalogItemId: 'P:S:C',
          quantity: 3,
          billingCycle: 'monthly',
          error: { errorCode: 'catalog_item_id_is_not_valid' },
        },
      ],
    });
    expect(cart.lineItems.map((l) => l.error?.errorCode)).toEqual([10001, 400041, 'catalog_item_id_is_not_valid']);
    expect(cart.lineItems.map((l) => l.orderGroup)).toEqual(['0', '1', undefined]);
    expect(cart.lineItems[0].billingCycle).toBe('monthly');
    expect(cart.lineItems[1]).toMatchObject({ id: 1, quantity: 2 });
  });

  test('extra fields are kept and null counts as absent', () => {
    const subscription = subscriptionSchema.parse({
      id: 'sub-1',
      offerId: 'P:S:A',
      quantity: 10,
      status: 'active',
      autoRenewEnabled: true,
      billingCycle: 'monthly',
      termDuration: 'P1Y',
      attentionNeeded: false,
      actionTaken: false,
      scheduledNextTermInstructions: null,
      refundableQuantity: {
        totalQuantity: 10,
        details: [{ quantity: 10, allowedUntilDateTime: '2021-01-24T20:39:17Z' }],
      },
      attributes: { objectType: 'Subscription', etag: 'abc' },
    });
    expect(subscription.attentionNeeded).toBe(false);
    expect(subscription.scheduledNextTermInstructions).toBeUndefined();
    expect(subscription.refundableQuantity?.details[0].quantity).toBe(10);
    expect(subscription.attributes?.etag).toBe('abc');
    // A full-body PATCH sends back what we received, unknown fields included.
    expect(JSON.parse(JSON.stringify(subscription))).toMatchObject({ attentionNeeded: false, actionTaken: false });
  });

  test('scheduled next-term instructions', () => {
    const subscription = subscriptionSchema.parse({
      id: 's',
      offerId: 'P:S:A',
      quantity: 1,
      status: 'active',
      scheduledNextTermInstructions: {
        product: { productId: 'P', skuId: 'S', availabilityId: 'A', billingCycle: 'Annual', termDuration: 'P3Y' },
        quantity: '4',
      },
    });
    expect(subscription.scheduledNextTermInstructions).toMatchObject({
      quantity: 4,
      product: { billingCycle: 'annual', termDuration: 'P3Y' },
    });
  });

  test('availability terms: capitalised billing cycle, cancellation policies, missing terms', () => {
    const availability = availabilitySchema.parse({
      id: 'CFQ7TTC0K971',
      productId: 'CFQ7TTC0LH18',
      skuId: '0001',
      catalogItemId: 'CFQ7TTC0LH18:0001:CFQ7TTC0K971',
      defaultCurrency: { code: 'USD', symbol: '$' },
      segment: 'Commercial',
      country: 'US',
      isPurchasable: true,
      terms: [
        {
          id: '5aeco6mffyxo',
          duration: 'P1Y',
          description: 'One-Year commitment for monthly/yearly billing',
          billingCycle: 'Annual',
          cancellationPolicies: [{ refundOptions: [{ sequenceId: 0, type: 'Full', expiresAfter: 'P1D' }] }],
        },
      ],
    });
    expect(availability.segment).toBe('commercial');
    expect(availability.terms[0].billingCycle).toBe('annual');
    expect(availability.terms[0].cancellationPolicies?.[0].refundOptions?.[0].expiresAfter).toBe('P1D');
    expect(availabilitySchema.parse({ id: 'A', productId: 'P', skuId: 'S', catalogItemId: 'P:S:A' }).terms).toEqual([]);
  });

  test('checkout result with orders and orderErrors; provisioning status', () => {
    const result = cartCheckoutResultSchema.parse({
      orders: [orderJson('a68736758d9c', 'pending')],
      orderErrors: [{ orderGroupId: 1, code: '800069', description: 'risk' }],
    });
    expect(result.orders[0].lineItems[0].subscriptionId).toBeUndefined();
    expect(result.orderErrors).toEqual([{ orderGroupId: '1', code: 800069, description: 'risk' }]);
    expect(cartCheckoutResultSchema.parse({})).toEqual({ orders: [], orderErrors: [] });
    expect(subscriptionProvisioningStatusSchema.parse({ skuId: 'x', status: 'Success', quantity: '5' })).toMatchObject({
      status: 'success',
      quantity: 5,
    });
  });

  test('a customer as the docs show it, with nulls, unknown fields and a billing profile; only the id is required', () => {
    const customer = customerSchema.parse({
      id: '1f3b0b7c-3b6e-4a2b-9f0e-7c9a6e1d2b3c',
      commerceId: null,
      companyProfile: {
        tenantId: '1f3b0b7c-3b6e-4a2b-9f0e-7c9a6e1d2b3c',
        domain: 'contoso.onmicrosoft.com',
        companyName: 'Contoso',
        address: null,
        attributes: { objectType: 'CustomerCompanyProfile' },
      },
      billingProfile: {
        id: 'b',
        email: 'ap@contoso.com',
        culture: 'en-US',
        language: 'en',
        companyName: 'Contoso',
        defaultAddress: { country: 'US' },
      },
      relationshipToPartner: 'reseller',
      allowDelegatedAccess: 'True',
      customDomains: ['contoso.com'],
      attributes: { objectType: 'Customer' },
    });
    expect(customer).toMatchObject({
      companyProfile: { domain: 'contoso.onmicrosoft.com', companyName: 'Contoso' },
      relationshipToPartner: 'reseller',
      allowDelegatedAccess: true,
    });
    expect(customer.commerceId).toBeUndefined();
    expect(customer).toHaveProperty('customDomains', ['contoso.com']);
    // The market a renewal plan reads the catalog in; a null or absent address is no market.
    expect(customer.billingProfile?.defaultAddress?.country).toBe('US');
    expect(customerSchema.parse({ id: 'c', billingProfile: { defaultAddress: null } }).billingProfile).toEqual({});
    expect(customerSchema.parse({ id: 'c' })).toEqual({ id: 'c' });
    expect(customerSchema.safeParse({ companyProfile: { companyName: 'No id' } }).success).toBe(false);
  });

  test('missing required fields are reported by path', () => {
    const parsed = orderSchema.safeParse({ lineItems: [{ lineItemNumber: 0 }] });
    expect(parsed.success).toBe(false);
    const paths = parsed.error?.issues.map((issue) => issue.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['id', 'status', 'lineItems.0.offerId', 'lineItems.0.quantity']));
  });
});

describe('strict parsing of what we send', () => {
  const line = {
    id: 0,
    catalogItemId: 'P:S:A',
    quantity: 1,
    billingCycle: 'monthly' as const,
    termDuration: 'P1M' as const,
  };

  test('a valid cart passes unchanged', () => {
    expect(cartInputSchema.parse({ lineItems: [line] })).toEqual({ lineItems: [line] });
  });

  test('unknown fields, bad enums, non-integer quantities and empty carts are refused', () => {
    expect(cartInputSchema.safeParse({ lineItems: [{ ...line, quantaty: 2 }] }).success).toBe(false);
    expect(cartInputSchema.safeParse({ lineItems: [{ ...line, billingCycle: 'Monthly' }] }).success).toBe(false);
    expect(cartInputSchema.safeParse({ lineItems: [{ ...line, quantity: 1.5 }] }).success).toBe(false);
    expect(cartInputSchema.safeParse({ lineItems: [{ ...line, termDuration: 'P2Y' }] }).success).toBe(false);
    expect(cartInputSchema.safeParse({ lineItems: [] }).success).toBe(false);
  });
});
