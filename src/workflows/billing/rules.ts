import { detailLines } from '../common/details';
import type { ReconcilePeriod, ReconcileReport, ValidReconcileRequest } from './types';

/** Workflow-side decisions of `reconcileBilling`: which period a run covers, and what the UI shows of it. */

/** [start, end) of the UTC calendar month `period` names, seen from `now` (Partner Center's new-commerce billing periods). */
export function periodBounds(period: ReconcilePeriod, now: Date): { periodStart: string; periodEnd: string } {
  const year = now.getUTCFullYear();
  const month = now.getUTCMonth() - (period === 'previous' ? 1 : 0);
  return {
    periodStart: new Date(Date.UTC(year, month, 1)).toISOString(),
    periodEnd: new Date(Date.UTC(year, month + 1, 1)).toISOString(),
  };
}

/** One line for the Temporal UI's static summary and the schedule's runs. */
export function describeReconcileRequest(request: ValidReconcileRequest): string {
  const who = request.customerId !== undefined ? `customer ${request.customerId}` : 'every customer';
  if (request.invoiceId !== undefined)
    return `Reconcile invoice ${request.invoiceId} (billed, Microsoft Graph) for ${who}`;
  return `Reconcile unbilled ${request.currency} charges (${request.period} period${request.source === 'v1' ? ', v1 line items' : ''}) for ${who}`;
}

/** The workflow's current details in the Temporal UI: one short line per fact. */
export function describeReconcileProgress(step: string, report?: ReconcileReport, error?: string): string {
  return detailLines([
    ['Step', step],
    ['Period', report && `${report.periodStart} – ${report.periodEnd} (${report.currency})`],
    ['Source', report?.source && `${report.source}${report.invoiceId ? `, invoice ${report.invoiceId}` : ''}`],
    ['Lines', report && `${report.lines}, ${report.billedAmount} ${report.currency} before tax`],
    [
      'Matched',
      report && `${report.matched} of ${report.subscriptions} subscription(s), ${report.customers} customer(s)`,
    ],
    [
      'Findings',
      report &&
        `${report.totals.unexpectedCharges} unexpected, ${report.totals.missingCharges} missing, ${report.totals.quantityMismatches} quantity mismatches`,
    ],
    ['Not verifiable', report && report.unverified > 0 ? `${report.unverified} subscription(s)` : undefined],
    ['Error', error],
  ]);
}
