import type { MetricMeter, MetricTags } from '@temporalio/common';
import { partnerCenterCallMetrics } from '../../src/metrics';
import { routeTemplate } from '../../src/partner-center';

describe('routeTemplate', () => {
  it.each([
    ['/customers/9922f407-5fa7-4a0c-b2ae-99699cd6cb32/carts', '/customers/{customerId}/carts'],
    ['/customers/9922f407-5fa7/carts/19878147-bb1b/checkout', '/customers/{customerId}/carts/{cartId}/checkout'],
    ['/products/CFQ7TTC0LH18/skus/0001/availabilities?country=US', '/products/{productId}/skus/{skuId}/availabilities'],
    [
      '/customers/c1/orders/89aca32f022e/provisioningstatus',
      '/customers/{customerId}/orders/{orderId}/provisioningstatus',
    ],
    ['/invoices/unbilled/lineitems?provider=onetime&seekOperation=Next', '/invoices/unbilled/lineitems'],
    ['/customers/relationshiprequests', '/customers/relationshiprequests'],
    // A name without a digit is still an id: a user's principal name, a domain, a bare word after a collection's id.
    ['/users/alice%40contoso.com/assignLicense', '/users/{userId}/assignLicense'],
    ['/users/alice@contoso.com', '/users/{userId}'],
    ['/domains/contoso.onmicrosoft.com', '/domains/{domainId}'],
    [
      '/delegatedAdminRelationships/abc-def/requests',
      '/delegatedAdminRelationships/{delegatedAdminRelationshipId}/requests',
    ],
    ['/operations/op_1/x_y', '/operations/{operationId}/{id}'],
  ])('%s → %s', (path, template) => expect(routeTemplate(path)).toBe(template));
});

describe('partnerCenterCallMetrics', () => {
  it('counts each exchange and records its latency under method, route and outcome', () => {
    const recorded: Array<[string, number, MetricTags]> = [];
    const instrument = (name: string) => ({
      withTags: (tags: MetricTags) => ({
        add: (v: number) => recorded.push([name, v, tags]),
        record: (v: number) => recorded.push([name, v, tags]),
      }),
    });
    const meter = { createCounter: instrument, createHistogram: instrument } as unknown as MetricMeter;
    const observe = partnerCenterCallMetrics(meter);
    observe({ method: 'POST', route: '/customers/{id}/carts', outcome: '201', durationMs: 41.6, startedAt: 0 });
    observe({ method: 'GET', route: '/customers/{id}/orders/{id}', outcome: 'timeout', durationMs: -1, startedAt: 0 });
    expect(recorded).toEqual([
      ['partner_center_requests', 1, { method: 'POST', route: '/customers/{id}/carts', outcome: '201' }],
      ['partner_center_request_latency', 42, { method: 'POST', route: '/customers/{id}/carts', outcome: '201' }],
      ['partner_center_requests', 1, { method: 'GET', route: '/customers/{id}/orders/{id}', outcome: 'timeout' }],
      [
        'partner_center_request_latency',
        0,
        { method: 'GET', route: '/customers/{id}/orders/{id}', outcome: 'timeout' },
      ],
    ]);
  });
});
