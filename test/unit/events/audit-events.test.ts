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

  const at = '2026-12-07T11:00:00.0000000Z';
  const gdapUri = 'https://graph.microsoft.com/v1.0/tenantRelationships/delegatedAdminRelationships/rel-1';

  it.each([
    [
      'the sandbox’s accept_partner_customer_relationship',
      { operationType: 'accept_partner_customer_relationship', resourceType: 'partner_customer_relationship' },
    ],
    [
      'CreatePartnerCustomerRelationship',
      { operationType: 'CreatePartnerCustomerRelationship', resourceType: 'PartnerCustomerRelationship' },
    ],
    [
      'add_reseller_relationship (no resource type)',
      { operationType: 'add_reseller_relationship', resourceType: undefined },
    ],
  ])('reads a relationship accepted from %s', (_, extra) => {
    const event = auditRecordEvent(record({ ...extra, operationDate: at, resourceNewValue: '{}' }));
    expect(event).toMatchObject({
      EventName: 'reseller-relationship-accepted-by-customer',
      ResourceUri: 'https://api.partnercenter.microsoft.com/v1/customers/cust-1',
      ResourceChangeUtcDate: at,
    });
  });

  const gdap = (extra: Partial<AuditRecord>) =>
    record({
      resourceType: 'granular_admin_relationship',
      resourceNewValue: JSON.stringify({ id: 'rel-1', status: 'active' }),
      operationDate: at,
      ...extra,
    });

  it.each([
    ['approve_granular_admin_relationship', gdap({ operationType: 'approve_granular_admin_relationship' })],
    [
      'ActivateDelegatedAdminRelationship',
      gdap({ operationType: 'ActivateDelegatedAdminRelationship', resourceType: undefined }),
    ],
    [
      'an update from approvalPending to active',
      gdap({
        operationType: 'update_granular_admin_relationship',
        resourceOldValue: JSON.stringify({ id: 'rel-1', status: 'approvalPending' }),
      }),
    ],
  ])('reads a GDAP approval from %s', (_, gdapRecord) => {
    expect(auditRecordEvent(gdapRecord)).toMatchObject({
      EventName: 'granular-admin-relationship-approved',
      ResourceUri: gdapUri,
      ResourceChangeUtcDate: at,
    });
  });

  it('names the run the webhook’s GDAP event names', () => {
    const delivered = {
      EventName: 'granular-admin-relationship-approved',
      ResourceUri: gdapUri,
      ResourceName: 'delegatedAdminRelationship',
      AuditUri: '',
      ResourceChangeUtcDate: at,
    };
    const read = auditRecordEvent(gdap({ operationType: 'approve_granular_admin_relationship' }))!;
    expect(partnerCenterEventWorkflowId(read)).toBe(partnerCenterEventWorkflowId(delivered));
  });

  it('reads an invoice made ready', () => {
    const event = auditRecordEvent(
      record({
        operationType: 'invoice_ready',
        resourceType: 'invoice',
        customerId: '',
        resourceNewValue: '{"id":"G0001"}',
      }),
    );
    expect(event).toMatchObject({
      EventName: 'invoice-ready',
      ResourceUri: 'https://api.partnercenter.microsoft.com/v1/invoices/G0001',
    });
  });

  it.each([
    [
      'a GDAP relationship created',
      gdap({
        operationType: 'create_granular_admin_relationship',
        resourceNewValue: '{"id":"rel-1","status":"created"}',
      }),
    ],
    [
      'a GDAP relationship locked for approval',
      gdap({
        operationType: 'update_granular_admin_relationship',
        resourceNewValue: '{"id":"rel-1","status":"approvalPending"}',
      }),
    ],
    [
      'an update of an active relationship',
      gdap({
        operationType: 'update_granular_admin_relationship',
        resourceOldValue: '{"id":"rel-1","status":"active"}',
      }),
    ],
    [
      'an access assignment created',
      gdap({
        operationType: 'create_granular_admin_access_assignment',
        resourceType: 'granular_admin_access_assignment',
      }),
    ],
    [
      'a relationship removed',
      record({ operationType: 'remove_partner_customer_relationship', resourceType: 'partner_customer_relationship' }),
    ],
    ['a customer added', record({ operationType: 'add_customer', resourceType: 'customer' })],
    ['a failed approval', gdap({ operationType: 'approve_granular_admin_relationship', operationStatus: 'failed' })],
    [
      'an invoice with no id',
      record({ operationType: 'invoice_ready', resourceType: 'invoice', resourceNewValue: '{}' }),
    ],
  ])('ignores %s', (_, ignored) => {
    expect(auditRecordEvent(ignored)).toBeUndefined();
  });
});
