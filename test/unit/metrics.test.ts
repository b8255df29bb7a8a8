import type { MetricMeter, MetricTags } from '@temporalio/common';
import { partnerCenterCallMetrics } from '../../src/metrics';
import { routeTemplate } from '../../src/partner-center';

describe('routeTemplate', () => {
  it.each([
    ['/customers/9922f407-5fa7-4a0c-b2ae-99699cd6cb32/carts', '/customers/{id}/carts'],
    ['/customers/9922f407-5fa7/carts/19878147-bb1b/checkout', '/customers/{id}/carts/{id}/checkout'],
    ['/products/CFQ7TTC0LH18/skus/0001/availabilities?country=US', '/products/{id}/skus/{id}/availabilities'],
    ['/customers/c1/orders/89aca32f022e/provisioningstatus', '/customers/{id}/orders/{id}/provisioningstatus'],
    ['/invoices/unbilled/lineitems?provider=onetime&seekOperation=Next', '/invoices/unbilled/lineitems'],
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
    observe({ method: 'POST', route: '/customers/{id}/carts', outcome: '201', durationMs: 41.6 });
    observe({ method: 'GET', route: '/customers/{id}/orders/{id}', outcome: 'timeout', durationMs: -1 });
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
