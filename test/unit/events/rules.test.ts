import { partnerCenterEventWorkflowId } from '../../../src/client/partner-center-events';
import { validateWith } from '../../../src/workflows/common/validation';
import { eventAction } from '../../../src/workflows/events/rules';
import { PartnerCenterEventSchema, type PartnerCenterEvent } from '../../../src/workflows/events/types';

const event = (EventName: string, ResourceUri: string): PartnerCenterEvent => ({
  EventName,
  ResourceUri,
  ResourceName: '',
  AuditUri: '',
  ResourceChangeUtcDate: '2026-12-07T08:00:00Z',
});

describe('PartnerCenterEventSchema', () => {
  it('reads camelCase and PascalCase alike, nulls as empty, and keeps unknown fields', () => {
    const parsed = validateWith(PartnerCenterEventSchema, {
      eventName: 'test-created',
      resourceUri: 'https://api.partnercenter.microsoft.com/webhooks/v1/registration/validationEvents/1',
      ResourceName: null,
      resourceChangeUtcDate: '2026-12-07T08:00:00Z',
      CorrelationId: 'c-1',
    });
    expect(parsed).toEqual({
      ok: true,
      request: {
        EventName: 'test-created',
        ResourceUri: 'https://api.partnercenter.microsoft.com/webhooks/v1/registration/validationEvents/1',
        ResourceName: '',
        AuditUri: '',
        ResourceChangeUtcDate: '2026-12-07T08:00:00Z',
        CorrelationId: 'c-1',
      },
    });
  });

  it.each([{}, { EventName: '' }, { EventName: 7 }])('refuses %j naming EventName', (body) => {
    const parsed = validateWith(PartnerCenterEventSchema, body);
    expect(parsed.ok ? [] : parsed.problems.map((p) => p.field)).toEqual(['EventName']);
  });
});

describe('eventAction', () => {
  it.each([
    'https://api.partnercenter.microsoft.com/v1/customers/c-1/subscriptions/s-1',
    '/v1/customers/c-1/subscriptions/s-1/',
    'https://api.partnercenter.microsoft.com/v1/customers/c-1/subscriptions/s-1?x=1',
  ])('reads the customer and subscription of %s', (uri) =>
    expect(eventAction(event('subscription-updated', uri))).toEqual({
      kind: 'subscription-changed',
      customerId: 'c-1',
      subscriptionId: 's-1',
    }),
  );

  it('reads the invoice of invoice-ready, whatever the casing of the name', () =>
    expect(eventAction(event('Invoice-Ready', 'https://api.partnercenter.microsoft.com/v1/invoices/D0123'))).toEqual({
      kind: 'invoice-ready',
      invoiceId: 'D0123',
    }));

  it.each([
    ['subscription-updated', '/v1/customers/c-1/subscriptions/s-1/upgrades'],
    ['subscription-updated', ''],
    ['invoice-ready', '/v1/invoices'],
    ['usagerecords-thresholdExceeded', '/v1/customers/c-1'],
  ])('ignores %s on %j', (name, uri) => expect(eventAction(event(name, uri))).toMatchObject({ outcome: 'ignored' }));
});

describe('partnerCenterEventWorkflowId', () => {
  it('derives from the name, resource and change time only', () => {
    const base = event('subscription-updated', '/v1/customers/c-1/subscriptions/s-1');
    const id = partnerCenterEventWorkflowId(base);
    expect(id).toMatch(/^pc-event-[0-9a-f]{64}$/);
    expect(partnerCenterEventWorkflowId({ ...base, ResourceName: 'other', AuditUri: 'x' })).toBe(id);
    expect(partnerCenterEventWorkflowId({ ...base, ResourceChangeUtcDate: '2026-12-07T08:00:01Z' })).not.toBe(id);
    expect(partnerCenterEventWorkflowId({ ...base, EventName: 'invoice-ready' })).not.toBe(id);
  });
});
