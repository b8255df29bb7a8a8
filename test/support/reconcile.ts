import type { ReconcileInput } from '../../src/workflows/billing/types';

/** Reconciling November 2026 (the current period, in USD) as of the 25th at noon. */
export const novemberReconcileInput: ReconcileInput = {
  period: 'current',
  currency: 'USD',
  periodStart: '2026-11-01T00:00:00.000Z',
  periodEnd: '2026-12-01T00:00:00.000Z',
  asOf: '2026-11-25T12:00:00.000Z',
};
