import type { Client } from '@temporalio/client';
import {
  InvalidReconcileRequestError,
  billingReconciliationScheduleId,
  scheduleBillingReconciliation,
  type ReconcileRequest,
} from '../../../src/client/billing';
import { validateReconcileRequest } from '../../../src/workflows/billing/types';

const customerId = '4F1B9C7E-2D3A-4C5B-8E6F-0A1B2C3D4E5F';

describe('validateReconcileRequest', () => {
  it('accepts a request and normalises currency and customer id', () => {
    expect(validateReconcileRequest({ period: 'previous', currency: 'usd', customerId })).toEqual({
      ok: true,
      request: { period: 'previous', currency: 'USD', customerId: customerId.toLowerCase() },
    });
    expect(validateReconcileRequest({ period: 'current', currency: 'EUR' })).toEqual({
      ok: true,
      request: { period: 'current', currency: 'EUR' },
    });
  });

  it.each([
    [
      'every bad field at once',
      { period: 'last', currency: 'dollars', customerId: 'contoso' },
      ['period', 'currency', 'customerId'],
    ],
    ['missing fields', {}, ['period', 'currency']],
    ['unknown fields', { period: 'current', currency: 'USD', customer: customerId, extra: 1 }, ['customer', 'extra']],
    ['wrong types', { period: 1, currency: null }, ['period', 'currency']],
    ['not an object', 'current', ['request']],
  ])('%s', (_name, input, fields) => {
    const validation = validateReconcileRequest(input);
    expect(validation.ok).toBe(false);
    if (validation.ok) return;
    expect(validation.problems.map((p) => p.field).sort()).toEqual([...fields].sort());
    for (const problem of validation.problems) expect(problem.problem.length).toBeGreaterThan(0);
  });

  it('accepts a billing delay of 0 to 168 hours, fractions too, and leaves it out when not given', () => {
    for (const billingDelayHours of [0, 0.5, 24, 168]) {
      expect(validateReconcileRequest({ period: 'current', currency: 'USD', billingDelayHours })).toEqual({
        ok: true,
        request: { period: 'current', currency: 'USD', billingDelayHours },
      });
    }
  });

  it.each([-1, 168.5, 1000, Number.NaN, '24'])(
    'refuses a billing delay of %p hours, naming the field',
    (billingDelayHours) => {
      const validation = validateReconcileRequest({ period: 'current', currency: 'USD', billingDelayHours });
      expect(validation).toEqual({
        ok: false,
        problems: [{ field: 'billingDelayHours', problem: expect.any(String) }],
      });
    },
  );

  it('says what a good value looks like, and which value was given', () => {
    const validation = validateReconcileRequest({ period: 'current', currency: 'dollars' });
    expect(validation).toEqual({
      ok: false,
      problems: [{ field: 'currency', problem: 'must be an ISO 4217 code such as USD (got "dollars")' }],
    });
    expect(validateReconcileRequest({ period: 'current', currency: 'USD', billingDelayHours: 200 })).toEqual({
      ok: false,
      problems: [{ field: 'billingDelayHours', problem: 'must be at most 168 hours (7 days) (got 200)' }],
    });
    expect(validateReconcileRequest({ currency: 'USD', period: 'soon' })).toEqual({
      ok: false,
      problems: [{ field: 'period', problem: 'must be one of current, previous (got "soon")' }],
    });
    expect(validateReconcileRequest({ period: 'current' })).toEqual({
      ok: false,
      problems: [
        {
          field: 'currency',
          problem: 'is required (an ISO 4217 code such as USD) unless invoiceId names a billed invoice',
        },
      ],
    });
  });
});

describe('scheduleBillingReconciliation', () => {
  it('refuses an invalid request before talking to Temporal, naming every bad field', async () => {
    const untouchable = new Proxy({} as Client, {
      get: () => {
        throw new Error('Temporal was contacted');
      },
    });
    const attempt = scheduleBillingReconciliation(untouchable, {
      cron: '0 6 * * *',
      request: { period: 'monthly', currency: 'US' } as unknown as ReconcileRequest,
    });
    await expect(attempt).rejects.toBeInstanceOf(InvalidReconcileRequestError);
    await expect(attempt).rejects.toMatchObject({
      problems: [expect.objectContaining({ field: 'period' }), expect.objectContaining({ field: 'currency' })],
    });
  });

  it('names one schedule per kind of reconciliation', () => {
    expect(billingReconciliationScheduleId({ period: 'current', currency: 'USD' })).toBe('reconcile-USD-current-all');
    expect(
      billingReconciliationScheduleId({ period: 'previous', currency: 'EUR', customerId: customerId.toLowerCase() }),
    ).toBe(`reconcile-EUR-previous-${customerId.toLowerCase()}`);
  });
});
