import { cancellationSignal, heartbeat } from '@temporalio/activity';
import { isPartnerCenterError, type PartnerCenterClient } from '../partner-center';
import { reconcileFailureTypes } from '../workflows/failure-types';
import { addLine, buildReport, createTally, matchCustomer, type BilledSubscription, type CustomerFacts, type CustomerMatch } from '../workflows/reconcile-logic';
import type { ReconcileInput, ReconcileProgress, ReconcileReport } from '../workflows/reconcile-types';
import { toActivityFailure } from './failures';
import { runCorrelationId } from './request-ids';

export interface BillingActivityDeps {
  partnerCenter: PartnerCenterClient;
  /** Reconciliation lines per page; Partner Center's maximum (2000) unless a test wants many pages. */
  reconciliationPageSize?: number;
}

/** Partner Center's largest unbilled-reconciliation page. */
export const RECONCILIATION_PAGE_SIZE = 2000;

export function createBillingActivities(deps: BillingActivityDeps) {
  const pc = deps.partnerCenter;
  const pageSize = deps.reconciliationPageSize ?? RECONCILIATION_PAGE_SIZE;
  /** Reads only: a fresh MS-RequestId per call and attempt. */
  const reading = () => ({ correlationId: runCorrelationId(), signal: cancellationSignal() });

  /** A customer's subscriptions and orders. One that is not (or no longer) the partner's has none: its charges are all unexpected. */
  async function customerFacts(customerId: string): Promise<CustomerFacts> {
    if (customerId === '') return { subscriptions: [], orders: [] };
    try {
      const [subscriptions, orders] = await Promise.all([pc.listSubscriptions(customerId, reading()), pc.listOrders(customerId, reading())]);
      return { subscriptions, orders };
    } catch (err) {
      if (isPartnerCenterError(err) && err.kind === 'not-found') return { subscriptions: [], orders: [] };
      throw err;
    }
  }

  return {
    /**
     * Reads the period's unbilled new-commerce reconciliation lines, folds them into per-subscription
     * totals, reads the subscriptions and orders of each customer concerned and returns the capped report.
     *
     * Why one activity that aggregates (rather than an activity per page): matching needs each
     * subscription's totals across all pages, so per-page activities would have to carry state as large
     * as the partner's subscription base through history (and continueAsNew). Folding the lines here keeps
     * worker memory proportional to subscriptions and the workflow history at one activity plus a capped
     * report, however many lines there are. Progress is heartbeated (visible in the UI; cancellation
     * reaches the activity through it). A retry — after a 429, whose Retry-After becomes the next-retry
     * delay, or a lost worker — reads again from the first page: the client yields lines, not its
     * continuation tokens, and a fresh read is one consistent snapshot of a list that grows during the
     * day; with 2000-line pages a re-read costs one request per 2000 lines.
     */
    async reconcileUnbilledCharges(input: ReconcileInput): Promise<ReconcileReport> {
      const progress: ReconcileProgress = { phase: 'reading-lines', lines: 0, customers: 0, customersMatched: 0 };
      try {
        const tally = createTally();
        const lines = pc.unbilledReconciliationLineItems({ currencyCode: input.currency, period: input.period, size: pageSize }, reading());
        let read = 0;
        for await (const line of lines) {
          if (input.customerId === undefined || line.customerId?.toLowerCase() === input.customerId) {
            addLine(tally, line);
            progress.lines = tally.lines;
          }
          // Once a page, counting every line read: other customers' pages take time too.
          read += 1;
          if (read % pageSize === 0) heartbeat(progress);
        }

        const billedByCustomer = new Map<string, BilledSubscription[]>();
        if (input.customerId !== undefined) billedByCustomer.set(input.customerId, []);
        for (const billed of tally.bySubscription.values()) {
          const list = billedByCustomer.get(billed.customerId) ?? [];
          list.push(billed);
          billedByCustomer.set(billed.customerId, list);
        }
        progress.phase = 'matching';
        progress.customers = billedByCustomer.size;
        heartbeat(progress);

        const matches: CustomerMatch[] = [];
        for (const [customerId, billed] of billedByCustomer) {
          matches.push(matchCustomer(customerId, billed, await customerFacts(customerId), input));
          progress.customersMatched += 1;
          heartbeat(progress);
        }
        return buildReport(input, tally, matches, billedByCustomer.size);
      } catch (err) {
        throw toActivityFailure(err, reconcileFailureTypes.partnerCenterRefused);
      }
    },
  };
}

/** Workflows proxy these (import type only). */
export type BillingActivities = ReturnType<typeof createBillingActivities>;
