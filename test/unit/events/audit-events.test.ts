import { auditRecordEvent } from '../../../src/activities/events/audit-events';
import { partnerCenterEventWorkflowId } from '../../../src/client';
import type { AuditRecord } from '../../../src/partner-center';

const record = (extra: Partial<AuditRecord> = {}): AuditRecord => ({
  id: 'rec-1',
  customerId: 'cust-1',
  operationType: 'update_subscription',
  operationDate: '2026-12-07T10:00:00.1230000Z',
  operationStatus: 'succeeded',
  resourceType: 'subscription',
  resourceNewValue: JSON.stringify({ id: 'sub-1', quantity: 3 }),
  ...extra,
});

describe('auditRecordEvent', () => {
  it('turns a subscription update into the subscription-updated event the webhook carries', () => {
    const event = auditRecordEvent(record());
    expect(event).toMatchObject({
      EventName: 'subscription-updated',
      ResourceUri: 'https://api.partnercenter.microsoft.com/v1/customers/cust-1/subscriptions/sub-1',
      ResourceChangeUtcDate: '2026-12-07T10:00:00.1230000Z',
    });
    // The webhook's event of the same change names the same run, whatever its other fields.
    const delivered = { ...event!, AuditUri: '', ResourceName: 'subscription' };
    expect(partnerCenterEventWorkflowId(delivered)).toBe(partnerCenterEventWorkflowId(event!));
  });

  it.each([
    ['UpdateSubscription', { operationType: 'UpdateSubscription', resourceNewValue: JSON.stringify({ Id: 'sub-1' }) }],
  ])('reads %s in other spellings', (_, extra) => {
    expect(auditRecordEvent(record(extra))?.ResourceName).toBe('sub-1');
  });

  it.each([
    ['another operation', { operationType: 'create_order' }],
    ['a failed operation', { operationStatus: 'failed' }],
    ['no resource value', { resourceNewValue: undefined }],
    ['a value that is not JSON', { resourceNewValue: 'sub-1' }],
    ['a value with no id', { resourceNewValue: '{"quantity":3}' }],
    ['no customer', { customerId: undefined }],
  ])('ignores %s', (_, extra) => {
    expect(auditRecordEvent(record(extra as Partial<AuditRecord>))).toBeUndefined();
  });
});
