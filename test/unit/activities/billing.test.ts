import { ApplicationFailure, type Logger } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createBillingActivities } from '../../../src/activities/billing';
import {
  PartnerCenterBusinessError,
  PartnerCenterNotFoundError,
  PartnerCenterThrottledError,
  PartnerCenterUnauthorizedError,
  type OneTimeInvoiceLineItem,
  type Order,
  type PartnerCenterClient,
  type Subscription,
} from '../../../src/partner-center';
import type { ReconcileInput, ReconcileProgress, ReconcileReport } from '../../../src/workflows/reconcile-types';

const us = '4f1b9c7e-2d3a-4c5b-8e6f-0a1b2c3d4e5f';
const gb = '9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d';
const input: ReconcileInput = {
  period: 'current',
  currency: 'USD',
  periodStart: '2026-11-01T00:00:00.000Z',
  periodEnd: '2026-12-01T00:00:00.000Z',
  asOf: '2026-11-25T12:00:00.000Z',
};
const silent: Logger = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

function line(customerId: string, subscriptionId: string, quantity = 1): OneTimeInvoiceLineItem {
  return { customerId, subscriptionId, orderId: `order-${subscriptionId}`, chargeType: 'new', quantity, billableQuantity: quantity, subtotal: quantity * 6, unitPrice: 6 };
}

function subscription(id: string, quantity = 1): Subscription {
  return { id, offerId: 'P:S:A', quantity, status: 'active', orderId: `order-${id}`, creationDate: '2026-11-10T00:00:00Z', effectiveStartDate: '2026-11-10' };
}

function order(id: string): Order {
  return { id, status: 'completed', currencyCode: 'USD', lineItems: [] };
}

/** A client double for the activity's own logic: lines as a stream (optionally failing after some), subscriptions and orders per customer. */
function fakeClient(options: { lines: OneTimeInvoiceLineItem[]; failAfter?: { lines: number; error: Error }; customers: Record<string, Subscription[] | Error> }): PartnerCenterClient & { pageSizes: number[] } {
  const pageSizes: number[] = [];
  const facts = (customerId: string) => {
    const known = options.customers[customerId];
    if (known === undefined) throw new Error(`unexpected customer ${customerId}`);
    if (known instanceof Error) throw known;
    return known;
  };
  const client = {
    pageSizes,
    async *unbilledReconciliationLineItems(q: { size?: number }) {
      pageSizes.push(q.size ?? 0);
      for (const [index, item] of options.lines.entries()) {
        if (options.failAfter !== undefined && index === options.failAfter.lines) throw options.failAfter.error;
        yield item;
      }
    },
    listSubscriptions: async (customerId: string) => facts(customerId),
    listOrders: async (customerId: string) => facts(customerId).map((s) => order(s.orderId ?? '')),
  };
  return client as unknown as PartnerCenterClient & { pageSizes: number[] };
}

function environment() {
  const env = new MockActivityEnvironment({ activityId: '1', workflowExecution: { workflowId: 'reconcile-1', runId: 'run-1' } }, { logger: silent });
  const heartbeats: ReconcileProgress[] = [];
  env.on('heartbeat', (details: ReconcileProgress) => heartbeats.push(structuredClone(details)));
  const run = (pc: PartnerCenterClient, request: ReconcileInput, reconciliationPageSize?: number): Promise<ReconcileReport> =>
    env.run(createBillingActivities({ partnerCenter: pc, ...(reconciliationPageSize !== undefined ? { reconciliationPageSize } : {}) }).reconcileUnbilledCharges, request) as Promise<ReconcileReport>;
  return { run, heartbeats };
}

async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApplicationFailure);
  return error as ApplicationFailure;
}

describe('reconcileUnbilledCharges', () => {
  it('reads with the configured page size, heartbeats progress per page and per customer, and reports every customer', async () => {
    const pc = fakeClient({
      lines: [line(us, 'a', 2), line(us, 'b'), line(gb, 'c'), line(us, 'a', 1)],
      customers: { [us]: [subscription('a', 3), subscription('b')], [gb]: [] },
    });
    const { run, heartbeats } = environment();
    const report = await run(pc, input, 2);

    expect(pc.pageSizes).toEqual([2]);
    expect(report).toMatchObject({ lines: 4, customers: 2, subscriptions: 3, matched: 2, totals: { unexpectedCharges: 1, missingCharges: 0, quantityMismatches: 0 } });
    expect(report.unexpectedCharges[0]).toMatchObject({ customerId: gb, subscriptionId: 'c' });
    expect(heartbeats).toEqual([
      { phase: 'reading-lines', lines: 2, customers: 0, customersMatched: 0 },
      { phase: 'reading-lines', lines: 4, customers: 0, customersMatched: 0 },
      { phase: 'matching', lines: 4, customers: 2, customersMatched: 0 },
      { phase: 'matching', lines: 4, customers: 2, customersMatched: 1 },
      { phase: 'matching', lines: 4, customers: 2, customersMatched: 2 },
    ]);
  });

  it("keeps only the requested customer's lines, and checks that customer even when nothing was billed", async () => {
    const pc = fakeClient({ lines: [line(gb, 'c'), line(gb, 'd')], customers: { [us]: [subscription('a', 5)] } });
    const { run, heartbeats } = environment();
    const report = await run(pc, { ...input, customerId: us }, 2);
    expect(pc.pageSizes).toEqual([2]);
    // Pages of other customers' lines still show progress (a long read must not look like a dead worker).
    expect(heartbeats[0]).toEqual({ phase: 'reading-lines', lines: 0, customers: 0, customersMatched: 0 });
    expect(report).toMatchObject({ customerId: us, lines: 0, customers: 1, totals: { unexpectedCharges: 0, missingCharges: 1, quantityMismatches: 0 } });
    expect(report.missingCharges[0]).toMatchObject({ customerId: us, subscriptionId: 'a', expectedQuantity: 5 });
  });

  it('reads 2000-line pages (Partner Center maximum) unless configured', async () => {
    const pc = fakeClient({ lines: [], customers: {} });
    await environment().run(pc, input);
    expect(pc.pageSizes).toEqual([2000]);
  });

  it('reports the charges of a customer Partner Center no longer knows as unexpected', async () => {
    const pc = fakeClient({ lines: [line(gb, 'c', 4)], customers: { [gb]: new PartnerCenterNotFoundError({ status: 404, description: 'Customer not found' }) } });
    const report = await environment().run(pc, input);
    expect(report.totals.unexpectedCharges).toBe(1);
    expect(report.unexpectedCharges[0]).toMatchObject({ customerId: gb, subscriptionId: 'c', billedQuantity: 4 });
  });

  it.each([
    { name: '429 mid-stream', error: new PartnerCenterThrottledError({ status: 429, description: 'Rate limit is exceeded.', retryAfterMs: 7000 }), type: 'PartnerCenterThrottled', nonRetryable: false, nextRetryDelayMs: 7000 },
    { name: 'refused credential', error: new PartnerCenterUnauthorizedError({ status: 401, description: 'App-only token refused' }), type: 'Unauthorized', nonRetryable: true },
    { name: 'refused read', error: new PartnerCenterBusinessError({ status: 400, code: 0, description: 'currencyCode is invalid' }), type: 'ReconciliationFailed', nonRetryable: true },
  ])('$name → $type', async ({ error, type, nonRetryable, nextRetryDelayMs }) => {
    const pc = fakeClient({ lines: [line(us, 'a'), line(us, 'b')], failAfter: { lines: 1, error }, customers: {} });
    const failure = await failureOf(environment().run(pc, input));
    expect(failure.type).toBe(type);
    expect(failure.nonRetryable).toBe(nonRetryable);
    if (nextRetryDelayMs !== undefined) expect(failure.nextRetryDelay).toBe(nextRetryDelayMs);
  });
});
