import type { ReconcileFinding, ReconcileInput, ReconcileReport } from '../../workflows/billing/types';
import type { CustomerMatch } from './customer-match';
import type { BillingTally } from './seat-model';

/** Findings listed per kind; the report's `totals` count all of them. Keeps a report far below history limits. */
export const MAX_LISTED_FINDINGS = 50;

/** The report: totals of every finding, the largest (by amount at stake) listed up to MAX_LISTED_FINDINGS per kind. */
export function buildReport(
  input: ReconcileInput,
  tally: BillingTally,
  matches: readonly CustomerMatch[],
  customers: number,
): ReconcileReport {
  const all = (kind: 'unexpectedCharges' | 'missingCharges' | 'quantityMismatches' | 'unverified') =>
    matches.flatMap((m) => m[kind]);
  const listed = (findings: ReconcileFinding[]) => [...findings].sort(byAmountAtStake).slice(0, MAX_LISTED_FINDINGS);
  const unexpectedCharges = all('unexpectedCharges');
  const missingCharges = all('missingCharges');
  const quantityMismatches = all('quantityMismatches');
  const unverified = all('unverified');
  return {
    period: input.period,
    currency: input.currency,
    ...(input.customerId !== undefined ? { customerId: input.customerId } : {}),
    periodStart: input.periodStart.slice(0, 10),
    periodEnd: input.periodEnd.slice(0, 10),
    lines: tally.lines,
    matched: matches.reduce((sum, m) => sum + m.matched, 0),
    unexpectedCharges: listed(unexpectedCharges),
    missingCharges: listed(missingCharges),
    quantityMismatches: listed(quantityMismatches),
    unverifiedCharges: listed(unverified),
    totals: {
      unexpectedCharges: unexpectedCharges.length,
      missingCharges: missingCharges.length,
      quantityMismatches: quantityMismatches.length,
    },
    customers,
    subscriptions: tally.bySubscription.size,
    unverified: unverified.length,
    billedAmount: tally.amount,
    chargeTypes: tally.chargeTypes,
  };
}

function amountAtStake(f: ReconcileFinding): number {
  return Math.abs(f.billedAmount - (f.expectedAmount ?? 0));
}

function byAmountAtStake(a: ReconcileFinding, b: ReconcileFinding): number {
  return amountAtStake(b) - amountAtStake(a) || a.subscriptionId.localeCompare(b.subscriptionId);
}
