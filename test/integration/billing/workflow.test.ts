import { ApplicationFailure } from '@temporalio/common';
import { createBillingActivities } from '../../../src/activities/billing/activities';
import {
  purchaseFailureTypes,
  billingFailureTypes,
  startBillingReconciliation,
  type ReconcileReport,
} from '../../../src/client';
import type { OneTimeInvoiceLineItem, Order, SeekCursor, Subscription } from '../../../src/partner-center';
import { internalFailureTypes } from '../../../src/workflows/common/failure-types';
import { periodBounds } from '../../../src/workflows/billing/rules';
import { PcStep } from '../../../src/workflows/common/search-attributes';
import { fakePartnerCenter } from '../../support/activities';
import { searchAttributeHistory, startStubRig, stubActivities, type StubRig } from '../../support/stub-worker';
import { workflowFailure } from '../purchase/harness';

/**
 * reconcileBilling against a stubbed Partner Center (the real activity reads stubbed pages, no HTTP) and
 * against a stubbed activity: the period the workflow fixes, the request it normalises, the failures it reports.
 */

const customerId = '4F1B9C7E-2D3A-4C5B-8E6F-0A1B2C3D4E5F';
const tenant = customerId.toLowerCase();
const otherTenant = '9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d';

/** Last month (UTC), as the workflow will compute it: bought on its 10th, so long past any billing delay. */
const previous = periodBounds('previous', new Date());
const boughtOn = new Date(Date.parse(previous.periodStart) + 9 * 24 * 3_600_000).toISOString();

function line(subscriptionId: string, quantity: number, customer = tenant): OneTimeInvoiceLineItem {
  return {
    customerId: customer,
    subscriptionId,
    orderId: `order-${subscriptionId}`,
    chargeType: 'new',
    quantity,
    billableQuantity: quantity,
    subtotal: quantity * 6,
    unitPrice: 6,
  };
}

function subscription(id: string, quantity: number): Subscription {
  return {
    id,
    offerId: 'P:S:A',
    quantity,
    status: 'active',
    orderId: `order-${id}`,
    creationDate: boughtOn,
    effectiveStartDate: boughtOn.slice(0, 10),
  };
}

function order(id: string): Order {
  return { id, status: 'completed', currencyCode: 'USD', lineItems: [] };
}

let rig: StubRig;
beforeAll(async () => {
  rig = await startStubRig();
});
afterAll(async () => {
  await rig?.close();
});

const start = (taskQueue: string, request: Parameters<typeof startBillingReconciliation>[1]) =>
  startBillingReconciliation(rig.client, request, { taskQueue });

describe('reconcileBilling', () => {
  it("reports a clean period from two stubbed pages of the customer's lines", async () => {
    // Page 1: two of the customer's lines and another customer's; page 2: one more seat of the first subscription.
    const pages = [[line('sub-a', 2), line('sub-b', 1), line('sub-x', 4, otherTenant)], [line('sub-a', 1)]];
    const cursors: Array<SeekCursor | undefined> = [];
    const partnerCenter = fakePartnerCenter({
      async unbilledReconciliationLineItemsPage(_query, cursor) {
        cursors.push(cursor);
        return cursor === undefined
          ? {
              items: pages[0]!,
              next: { path: '/invoices/unbilled/lineitems?seekOperation=Next', continuationToken: 'page-2' },
            }
          : { items: pages[1]! };
      },
      listSubscriptions: async () => [subscription('sub-a', 3), subscription('sub-b', 1)],
      listOrders: async () => [order('order-sub-a'), order('order-sub-b')],
    });
    await rig.withWorker(createBillingActivities({ partnerCenter }), async (taskQueue) => {
      const handle = await start(taskQueue, { period: 'previous', source: 'v1', currency: 'usd', customerId });
      const report = await handle.result();
      expect(report).toMatchObject({
        period: 'previous',
        currency: 'USD',
        customerId: tenant,
        periodStart: previous.periodStart.slice(0, 10),
        periodEnd: previous.periodEnd.slice(0, 10),
        lines: 3,
        customers: 1,
        subscriptions: 2,
        matched: 2,
        unverified: 0,
        billedAmount: 24,
        totals: { unexpectedCharges: 0, missingCharges: 0, quantityMismatches: 0 },
        unexpectedCharges: [],
        missingCharges: [],
        quantityMismatches: [],
      });
      expect(await searchAttributeHistory(handle, PcStep.name)).toEqual(['reconciling', 'completed']);
    });
    expect(cursors.map((c) => c?.continuationToken)).toEqual([undefined, 'page-2']);
  });

  it('hands the activity the normalised request and the period the workflow fixed, and returns its report', async () => {
    const stubs = stubActivities({
      reconcileUnbilledCharges: async ({
        period,
        currency,
        customerId: customer,
        periodStart,
        periodEnd,
      }): Promise<ReconcileReport> => ({
        period,
        currency,
        ...(customer !== undefined ? { customerId: customer } : {}),
        periodStart: periodStart.slice(0, 10),
        periodEnd: periodEnd.slice(0, 10),
        lines: 0,
        matched: 0,
        unexpectedCharges: [],
        missingCharges: [],
        quantityMismatches: [],
        unverifiedCharges: [],
        totals: { unexpectedCharges: 0, missingCharges: 0, quantityMismatches: 0 },
        customers: 1,
        subscriptions: 0,
        unverified: 0,
        billedAmount: 0,
        chargeTypes: {},
      }),
    });
    await rig.withWorker(stubs, async (taskQueue) => {
      const report = await (
        await start(taskQueue, { period: 'previous', source: 'v1', currency: 'eur', customerId, billingDelayHours: 48 })
      ).result();
      expect(report).toMatchObject({
        currency: 'EUR',
        customerId: tenant,
        periodStart: previous.periodStart.slice(0, 10),
        customers: 1,
      });
    });
    expect(stubs.reconcileUnbilledCharges).toHaveBeenCalledTimes(1);
    const input = stubs.reconcileUnbilledCharges.mock.calls[0]?.[0];
    expect(input).toMatchObject({
      period: 'previous',
      currency: 'EUR',
      customerId: tenant,
      billingDelayHours: 48,
      ...previous,
    });
    // The workflow's clock, fixed in history: after the previous period ended.
    expect(Date.parse(input?.asOf ?? '')).toBeGreaterThanOrEqual(Date.parse(previous.periodEnd));
  });

  it.each([
    ['Unauthorized passes through', purchaseFailureTypes.unauthorized, purchaseFailureTypes.unauthorized],
    ['MfaRequired passes through', billingFailureTypes.mfaRequired, billingFailureTypes.mfaRequired],
    [
      'ReconciliationFailed passes through',
      billingFailureTypes.reconciliationFailed,
      billingFailureTypes.reconciliationFailed,
    ],
    [
      'any other failure is reported as ReconciliationFailed',
      internalFailureTypes.partnerCenter,
      billingFailureTypes.reconciliationFailed,
    ],
  ])('%s', async (_title, thrown, reported) => {
    const stubs = stubActivities({
      reconcileUnbilledCharges: async (): Promise<ReconcileReport> => {
        throw ApplicationFailure.create({
          type: thrown,
          message: 'HTTP 403: refused',
          details: [{ status: 403 }],
          nonRetryable: true,
        });
      },
    });
    await rig.withWorker(stubs, async (taskQueue) => {
      const handle = await start(taskQueue, { period: 'current', source: 'v1', currency: 'USD' });
      const failure = await workflowFailure(handle);
      expect([failure.type, failure.message, failure.details]).toEqual([
        reported,
        'HTTP 403: refused',
        [{ status: 403 }],
      ]);
      expect(await searchAttributeHistory(handle, PcStep.name)).toEqual(['reconciling', 'failed']);
    });
    expect(stubs.reconcileUnbilledCharges).toHaveBeenCalledTimes(1);
  });

  it('fails InvalidReconcileRequest naming the bad field, before the activity runs', async () => {
    const stubs = stubActivities({
      reconcileUnbilledCharges: async (): Promise<ReconcileReport> => {
        throw new Error('must not run');
      },
    });
    await rig.withWorker(stubs, async (taskQueue) => {
      const failure = await workflowFailure(await start(taskQueue, { period: 'current', currency: 'dollars' }));
      expect(failure.type).toBe(billingFailureTypes.invalidRequest);
      expect(failure.message).toMatch(/currency must be an ISO 4217 code/);
    });
    expect(stubs.reconcileUnbilledCharges).not.toHaveBeenCalled();
  });
});
