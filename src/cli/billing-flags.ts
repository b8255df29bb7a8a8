import { CronExpressionParser } from 'cron-parser';
import { validateReconcileRequest, validateReconcileRequestId, type ReconcileRequest } from '../client';
import { Problems, type Values } from './flags';

// `pcw reconcile`'s request from its flags; flags.ts keeps which flags each command takes and the Problems they share.

const RECONCILE_FLAGS: Record<string, string> = {
  invoiceId: '--invoice',
  source: '--source',
  period: '--period',
  currency: '--currency',
  customerId: '--customer',
  billingDelayHours: '--billing-delay-hours',
};

/**
 * The ReconcileRequest of `pcw reconcile`, checked with the workflow's schema, and its idempotency key
 * (`--request-id`, under a purchase's requestId rule); `--schedule` must be a cron Temporal runs.
 */
export function billingReconciliationFromFlags(values: Values): { request: ReconcileRequest; requestId?: string } {
  const problems = new Problems();
  const billingDelayHours = problems.number(values, 'billing-delay-hours');
  problems.currency(values);
  const requestId = values['request-id'];
  if (values.schedule !== undefined) {
    const problem = cronProblem(values.schedule);
    if (problem !== undefined) problems.add(`--schedule ${problem}`, 'schedule');
    // Temporal names each scheduled run after the schedule and its time.
    if (requestId !== undefined) problems.add('--request-id does not apply to --schedule', 'request-id');
  } else if (values['schedule-id'] !== undefined) {
    problems.add('--schedule-id needs --schedule', 'schedule-id');
  }
  if (requestId !== undefined) problems.validation(validateReconcileRequestId(requestId), () => '--request-id');
  // A billed invoice (--invoice) has its own period and currency: any given is passed on for the schema to refuse.
  const request = {
    ...(values.invoice !== undefined
      ? { invoiceId: values.invoice, ...(values.period !== undefined ? { period: values.period } : {}) }
      : { period: values.period ?? 'current' }),
    ...(values.currency !== undefined || values.invoice === undefined ? { currency: values.currency } : {}),
    ...(values.source !== undefined ? { source: values.source } : {}),
    ...(values.customer !== undefined ? { customerId: values.customer } : {}),
    ...(billingDelayHours !== undefined ? { billingDelayHours } : {}),
  };
  problems.validation(validateReconcileRequest(request), (field) => RECONCILE_FLAGS[field]);
  problems.done();
  return { request: request as ReconcileRequest, ...(requestId !== undefined ? { requestId } : {}) };
}

/** The macros Temporal's cron accepts besides five fields (`@every` aside, which is not cron). */
const CRON_MACROS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];

/**
 * Why `cron` is not a standard five-field cron expression (or macro) Temporal runs, or undefined.
 * cron-parser checks each field's values and ranges (names such as MON and JAN included).
 */
export function cronProblem(cron: string): string | undefined {
  const expression = cron.trim();
  if (expression.startsWith('@')) {
    return CRON_MACROS.includes(expression)
      ? undefined
      : `must be a five-field cron expression or one of ${CRON_MACROS.join(', ')} (got "${cron}")`;
  }
  const fields = expression.split(/\s+/).filter((f) => f !== '');
  if (fields.length !== 5)
    return `must be a five-field cron expression "minute hour day-of-month month day-of-week", e.g. "0 6 * * *" (got "${cron}", ${fields.length} field${fields.length === 1 ? '' : 's'})`;
  try {
    CronExpressionParser.parse(expression, { strict: false });
    return undefined;
  } catch (error) {
    return `is not a valid cron expression: ${(error as Error).message} (got "${cron}")`;
  }
}
