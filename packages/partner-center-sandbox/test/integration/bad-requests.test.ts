import { startSandbox, type Sandbox } from '../../src';
import { api, catalogItemFor, partnerTokens } from './helpers';

type Json = Record<string, unknown>;

let sandbox: Sandbox;
let token: string;
let customer: string;
let basic: string;
let cartId: string;
let subscription: Json;

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 61, orderCompletionDelayMs: 0 });
  token = (await partnerTokens(sandbox)).appOnly;
  customer = sandbox.customerIds[0];
  await sandbox.control.setDelays({ checkoutMs: 0 });
  basic = await catalogItemFor(sandbox, token, 'CFQ7TTC0LH18', '0001', 'P1Y');
  cartId = (await api<{ id: string }>(sandbox, token, 'POST', `/customers/${customer}/carts`, { lineItems: [line()] }))
    .body.id;
  const other = (
    await api<{ id: string }>(sandbox, token, 'POST', `/customers/${customer}/carts`, { lineItems: [line()] })
  ).body.id;
  const placed = await api<{ orders: Array<{ id: string }> }>(
    sandbox,
    token,
    'POST',
    `/customers/${customer}/carts/${other}/checkout`,
  );
  const order = await api<{ lineItems: Array<{ subscriptionId: string }> }>(
    sandbox,
    token,
    'GET',
    `/customers/${customer}/orders/${placed.body.orders[0].id}`,
  );
  subscription = (
    await api<Json>(
      sandbox,
      token,
      'GET',
      `/customers/${customer}/subscriptions/${order.body.lineItems[0].subscriptionId}`,
    )
  ).body;
});
afterAll(async () => {
  await sandbox.close();
});

function line(changes: Json = {}): Json {
  return { id: 0, catalogItemId: basic, quantity: 1, termDuration: 'P1Y', billingCycle: 'monthly', ...changes };
}

const carts = () => `/customers/${customer}/carts`;
const subscriptionPath = () => `/customers/${customer}/subscriptions/${String(subscription.id)}`;
const UNBILLED = '/invoices/unbilled/lineitems?provider=onetime&invoicelineitemtype=billinglineitems';

interface BadRequest {
  name: string;
  method: string;
  path: () => string;
  body?: () => unknown;
  field: string;
  code?: number;
}

const cases: BadRequest[] = [
  { name: 'malformed JSON', method: 'POST', path: carts, body: () => '{"lineItems": [', field: 'body' },
  { name: 'empty body', method: 'POST', path: carts, body: () => '', field: 'body' },
  { name: 'array instead of object', method: 'POST', path: carts, body: () => [], field: 'body' },
  { name: 'missing lineItems', method: 'POST', path: carts, body: () => ({}), field: 'lineItems' },
  { name: 'empty lineItems', method: 'POST', path: carts, body: () => ({ lineItems: [] }), field: 'lineItems' },
  {
    name: 'lineItems not an array',
    method: 'POST',
    path: carts,
    body: () => ({ lineItems: 'all of them' }),
    field: 'lineItems',
  },
  {
    name: 'too many lines',
    method: 'POST',
    path: carts,
    body: () => ({ lineItems: Array.from({ length: 51 }, (_, id) => line({ id })) }),
    field: 'lineItems',
  },
  {
    name: 'missing catalogItemId',
    method: 'POST',
    path: carts,
    body: () => ({ lineItems: [line({ catalogItemId: undefined })] }),
    field: 'lineItems[0].catalogItemId',
  },
  {
    name: 'numeric catalogItemId',
    method: 'POST',
    path: carts,
    body: () => ({ lineItems: [line({ catalogItemId: 42 })] }),
    field: 'lineItems[0].catalogItemId',
  },
  {
    name: 'catalogItemId not P:S:A',
    method: 'POST',
    path: carts,
    body: () => ({ lineItems: [line({ catalogItemId: 'office' })] }),
    field: 'lineItems[0].catalogItemId',
  },
  {
    name: 'quantity as string',
    method: 'POST',
    path: carts,
    body: () => ({ lineItems: [line({ quantity: '5' })] }),
    field: 'lineItems[0].quantity',
  },
  {
    name: 'fractional quantity',
    method: 'POST',
    path: carts,
    body: () => ({ lineItems: [line({ quantity: 1.5 })] }),
    field: 'lineItems[0].quantity',
  },
  {
    name: 'zero quantity',
    method: 'POST',
    path: carts,
    body: () => ({ lineItems: [line({ quantity: 0 })] }),
    field: 'lineItems[0].quantity',
  },
  {
    name: 'missing quantity',
    method: 'POST',
    path: carts,
    body: () => ({ lineItems: [line({ quantity: undefined })] }),
    field: 'lineItems[0].quantity',
  },
  {
    name: 'quantity above the SKU maximum',
    method: 'POST',
    path: carts,
    body: () => ({ lineItems: [line({ quantity: 301 })] }),
    field: 'lineItems[0].quantity',
    code: 2002,
  },
  {
    name: 'unknown billingCycle',
    method: 'POST',
    path: carts,
    body: () => ({ lineItems: [line({ billingCycle: 'weekly' })] }),
    field: 'lineItems[0].billingCycle',
  },
  {
    name: 'missing billingCycle',
    method: 'POST',
    path: carts,
    body: () => ({ lineItems: [line({ billingCycle: undefined })] }),
    field: 'lineItems[0].billingCycle',
  },
  {
    name: 'unknown termDuration',
    method: 'POST',
    path: carts,
    body: () => ({ lineItems: [line({ termDuration: 'P2Y' })] }),
    field: 'lineItems[0].termDuration',
  },
  {
    name: 'repeated line id',
    method: 'POST',
    path: carts,
    body: () => ({ lineItems: [line(), line()] }),
    field: 'lineItems[1].id',
  },
  {
    name: 'non-string provisioningContext value',
    method: 'POST',
    path: carts,
    body: () => ({ lineItems: [line({ provisioningContext: { domain: 7 } })] }),
    field: 'lineItems[0].provisioningContext.domain',
  },
  {
    name: 'friendlyName too long',
    method: 'POST',
    path: carts,
    body: () => ({ lineItems: [line({ friendlyName: 'x'.repeat(200) })] }),
    field: 'lineItems[0].friendlyName',
  },
  {
    name: 'customTermEndDate in a non-ISO format',
    method: 'POST',
    path: carts,
    body: () => ({ lineItems: [line({ customTermEndDate: 'Dec 31 2026' })] }),
    field: 'lineItems[0].customTermEndDate',
  },
  {
    name: 'customTermEndDate not a date',
    method: 'POST',
    path: carts,
    body: () => ({ lineItems: [line({ customTermEndDate: 'next tuesday' })] }),
    field: 'lineItems[0].customTermEndDate',
  },
  {
    name: 'PUT cart without lineItems',
    method: 'PUT',
    path: () => `${carts()}/${cartId}`,
    body: () => ({ lineItems: null }),
    field: 'lineItems',
  },
  {
    name: 'products without country',
    method: 'GET',
    path: () => '/products?targetView=OnlineServices',
    field: 'country',
  },
  { name: 'products without targetView', method: 'GET', path: () => '/products?country=US', field: 'targetView' },
  {
    name: 'products with an unknown targetView',
    method: 'GET',
    path: () => '/products?country=US&targetView=Everything',
    field: 'targetView',
  },
  {
    name: 'availabilities with an unknown targetSegment',
    method: 'GET',
    path: () => '/products/CFQ7TTC0LH18/skus/0001/availabilities?country=US&targetSegment=martian',
    field: 'targetSegment',
  },
  {
    name: 'orders with an unknown billingType',
    method: 'GET',
    path: () => `/customers/${customer}/orders?billingType=weekly`,
    field: 'billingType',
  },
  {
    name: 'unbilled without currencyCode',
    method: 'GET',
    path: () => `${UNBILLED}&period=current`,
    field: 'currencyCode',
  },
  {
    name: 'unbilled with an unknown period',
    method: 'GET',
    path: () => `${UNBILLED}&currencycode=USD&period=yesterday`,
    field: 'period',
  },
  {
    name: 'unbilled for another provider',
    method: 'GET',
    path: () =>
      '/invoices/unbilled/lineitems?provider=azure&invoicelineitemtype=billinglineitems&currencycode=USD&period=current',
    field: 'provider',
  },
  {
    name: 'unbilled with an oversized page',
    method: 'GET',
    path: () => `${UNBILLED}&currencycode=USD&period=current&size=5000`,
    field: 'size',
  },
  { name: 'invoices with size 0', method: 'GET', path: () => '/invoices?size=0', field: 'size' },
  { name: 'invoices with a negative offset', method: 'GET', path: () => '/invoices?offset=-1', field: 'offset' },
  {
    name: 'PATCH without quantity',
    method: 'PATCH',
    path: subscriptionPath,
    body: () => ({ autoRenewEnabled: true }),
    field: 'quantity',
  },
  {
    name: 'PATCH with a textual quantity',
    method: 'PATCH',
    path: subscriptionPath,
    body: () => ({ ...subscription, quantity: 'ten' }),
    field: 'quantity',
  },
  {
    name: 'PATCH with a textual autoRenewEnabled',
    method: 'PATCH',
    path: subscriptionPath,
    body: () => ({ ...subscription, autoRenewEnabled: 'yes' }),
    field: 'autoRenewEnabled',
  },
  {
    name: 'PATCH with an unknown status',
    method: 'PATCH',
    path: subscriptionPath,
    body: () => ({ ...subscription, status: 'frozen' }),
    field: 'status',
  },
  {
    name: 'PATCH with incomplete scheduled instructions',
    method: 'PATCH',
    path: subscriptionPath,
    body: () => ({ ...subscription, scheduledNextTermInstructions: { product: {}, quantity: 1 } }),
    field: 'scheduledNextTermInstructions.product.productId',
  },
  {
    name: 'PATCH with malformed JSON',
    method: 'PATCH',
    path: subscriptionPath,
    body: () => '{quantity: 3}',
    field: 'body',
  },
];

describe('bad requests are answered with 400 naming the field, and the server keeps serving', () => {
  test('the table is large enough', () => {
    expect(cases.length).toBeGreaterThanOrEqual(25);
  });

  test.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const response = await api<Json>(sandbox, token, c.method, c.path(), c.body?.());
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ source: 'PartnerFD', data: expect.any(Array) });
    expect(typeof response.body.code).toBe('number');
    if (c.code !== undefined) expect(response.body.code).toBe(c.code);
    expect(String(response.body.description).toLowerCase()).toContain(`'${c.field.toLowerCase()}'`);
    expect(response.headers.get('ms-requestid')).toBeTruthy();
  });

  test('after all of them the sandbox still answers and the subscription is unchanged', async () => {
    expect((await api(sandbox, token, 'GET', '/products?country=US&targetView=OnlineServices')).status).toBe(200);
    const after = await api<Json>(sandbox, token, 'GET', subscriptionPath());
    expect(after.body).toMatchObject({ quantity: subscription.quantity, status: 'active', autoRenewEnabled: true });
  });
});
