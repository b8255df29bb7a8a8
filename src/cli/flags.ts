import type { parseArgs } from 'node:util';
import type { Validation } from '../client';
import { UsageError } from './errors';

/** Every flag of every command (`node:util` parseArgs rejects any other, naming it). */
export const OPTIONS = {
  json: { type: 'boolean' },
  verbose: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  customer: { type: 'string' },
  'request-id': { type: 'string' },
  'catalog-item-id': { type: 'string' },
  product: { type: 'string' },
  sku: { type: 'string' },
  quantity: { type: 'string' },
  term: { type: 'string' },
  billing: { type: 'string' },
  country: { type: 'string' },
  segment: { type: 'string' },
  currency: { type: 'string' },
  'friendly-name': { type: 'string' },
  'no-auto-renew': { type: 'boolean' },
  'require-approval': { type: 'boolean' },
  wait: { type: 'boolean' },
  subscription: { type: 'string' },
  'auto-renew': { type: 'string' },
  cancel: { type: 'boolean' },
  'schedule-next-term': { type: 'boolean' },
  'transition-to': { type: 'string' },
  'transition-type': { type: 'string' },
  timing: { type: 'string' },
  into: { type: 'string' },
  'convert-trial': { type: 'boolean' },
  suspend: { type: 'boolean' },
  reactivate: { type: 'boolean' },
  period: { type: 'string' },
  schedule: { type: 'string' },
  'schedule-id': { type: 'string' },
  'billing-delay-hours': { type: 'string' },
  file: { type: 'string' },
  promotion: { type: 'string' },
  'on-ineligible-promotion': { type: 'string' },
  'attestation-accepted': { type: 'boolean' },
  'partner-on-record-attestation-accepted': { type: 'boolean' },
  'custom-term-end-date': { type: 'string' },
  'align-with': { type: 'string' },
  'agreement-first-name': { type: 'string' },
  'agreement-last-name': { type: 'string' },
  'agreement-email': { type: 'string' },
  'agreement-phone': { type: 'string' },
  by: { type: 'string' },
  reason: { type: 'string' },
  step: { type: 'string' },
  limit: { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  origin: { type: 'string' },
  invoice: { type: 'string' },
  source: { type: 'string' },
  out: { type: 'string' },
  offset: { type: 'string' },
  all: { type: 'boolean' },
  review: { type: 'string' },
  'lead-time': { type: 'string' },
  'min-seats': { type: 'string' },
  headroom: { type: 'string' },
  'include-monthly': { type: 'boolean' },
  url: { type: 'string' },
  events: { type: 'string' },
  user: { type: 'string', multiple: true },
  market: { type: 'string' },
  type: { type: 'string' },
} as const;

export type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];
type Flag = keyof typeof OPTIONS;

const REQUEST_FLAGS: Flag[] = [
  'customer',
  'request-id',
  'catalog-item-id',
  'product',
  'sku',
  'quantity',
  'term',
  'billing',
  'country',
  'segment',
  'currency',
  'friendly-name',
  'no-auto-renew',
  'require-approval',
  'promotion',
  'on-ineligible-promotion',
  'attestation-accepted',
  'partner-on-record-attestation-accepted',
  'custom-term-end-date',
  'align-with',
  'agreement-first-name',
  'agreement-last-name',
  'agreement-email',
  'agreement-phone',
];

/** The flags each command takes besides --json, --verbose and --help: any other is a usage error, not silently ignored. */
const COMMAND_FLAGS: Record<string, readonly Flag[]> = {
  purchase: [...REQUEST_FLAGS, 'file', 'wait'],
  quote: ['file'],
  offers: ['market'],
  change: [
    'customer',
    'subscription',
    'request-id',
    'quantity',
    'auto-renew',
    'friendly-name',
    'cancel',
    'schedule-next-term',
    'term',
    'billing',
    'catalog-item-id',
    'transition-to',
    'transition-type',
    'timing',
    'into',
    'convert-trial',
    'suspend',
    'reactivate',
    'wait',
  ],
  reconcile: [
    'request-id',
    'currency',
    'period',
    'invoice',
    'source',
    'customer',
    'billing-delay-hours',
    'wait',
    'schedule',
    'schedule-id',
  ],
  onboard: ['file', 'wait'],
  invoices: ['limit', 'offset', 'out'],
  'pc-webhooks': ['url', 'events'],
  subscriptions: ['customer', 'all', 'review', 'lead-time', 'min-seats', 'headroom', 'include-monthly', 'by', 'reason'],
  licences: ['customer', 'subscription', 'request-id', 'user', 'file', 'wait'],
  status: [],
  watch: [],
  approve: ['by'],
  reject: ['by', 'reason'],
  cancel: ['reason'],
  list: ['customer', 'step', 'limit'],
  schedules: [],
  doctor: [],
  'codec-server': ['port', 'host', 'origin'],
  activities: ['type', 'reason'],
};

/** Refuses flags that `command` does not take (an unknown command is reported by the caller). */
export function checkFlagsOf(command: string | undefined, values: Values): void {
  const allowed = command === undefined ? undefined : COMMAND_FLAGS[command];
  if (allowed === undefined) return;
  const extra = (Object.keys(values) as Flag[]).filter(
    (flag) => !['json', 'verbose', 'help'].includes(flag) && !allowed.includes(flag),
  );
  if (extra.length > 0) throw new UsageError(extra.map((flag) => `--${flag} does not apply to \`pcw ${command}\``));
  if (command === 'purchase' && values.file !== undefined) {
    const withFile = REQUEST_FLAGS.filter((flag) => values[flag] !== undefined);
    if (withFile.length > 0)
      throw new UsageError(
        withFile.map((flag) => `--${flag} cannot be combined with --file (the file holds the whole request)`),
      );
  }
  if (command === 'reconcile' && values.schedule !== undefined && values.wait)
    throw new UsageError(['--wait does not apply to --schedule (the schedule starts the runs later)']);
}

/**
 * Collects every problem of one command line, so that the operator sees them all at once; `done()` throws
 * one UsageError (exit 2) listing them, before anything is sent to Temporal.
 */
export class Problems {
  private readonly list: string[] = [];
  /** Flags whose value the CLI already refused: the schema's own complaint about them would repeat it. */
  private readonly refused = new Set<string>();

  add(problem: string, flag?: string): void {
    this.list.push(problem);
    if (flag !== undefined) this.refused.add(flag);
  }

  /** The flag's value parsed as a whole number within `min..max`, or undefined (and a problem) when it is not one. */
  wholeNumber(values: Values, flag: Flag, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
    const text = values[flag];
    if (typeof text !== 'string') return undefined;
    const number = /^\s*-?\d+\s*$/.test(text) ? Number(text) : Number.NaN;
    if (!Number.isSafeInteger(number)) this.add(`--${flag} must be a whole number (got "${text}")`, flag);
    else if (number < min || number > max)
      this.add(
        `--${flag} must be ${max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `between ${min} and ${max}`} (got ${number})`,
        flag,
      );
    else return number;
    return undefined;
  }

  /** The flag's value as a number (fractions allowed), or undefined (and a problem) when it is not one. */
  number(values: Values, flag: Flag): number | undefined {
    const text = values[flag];
    if (typeof text !== 'string') return undefined;
    const number = text.trim() === '' ? Number.NaN : Number(text);
    if (Number.isFinite(number)) return number;
    this.add(`--${flag} must be a number (got "${text}")`, flag);
    return undefined;
  }

  /** An ISO 4217 currency code Node knows (`Intl.supportedValuesOf`), so `XYZ` is refused before the workflow sees it. */
  currency(values: Values): void {
    const code = values.currency;
    if (code === undefined || !/^[A-Za-z]{3}$/.test(code)) return; // the schema names a malformed one
    if (!Intl.supportedValuesOf('currency').includes(code.toUpperCase()))
      this.add(`--currency must be an ISO 4217 currency code such as USD or EUR (got "${code}")`, 'currency');
  }

  /**
   * Adds each problem the workflow's own validation found under its flag (`flagOf` maps a field path such as
   * `items[0].quantity` to `--quantity`); with `file`, under the file's name and field path.
   */
  validation(validation: Validation<unknown>, flagOf: (field: string) => string | undefined, file?: string): void {
    if (validation.ok) return;
    for (const { field, problem } of validation.problems) {
      const flag = file === undefined ? flagOf(field) : undefined;
      if (flag !== undefined && this.refused.has(flag.replace(/^--/, ''))) continue;
      this.add(file !== undefined ? `${file}: ${field} ${problem}` : `${flag ?? field} ${problem}`);
    }
  }

  done(): void {
    if (this.list.length > 0) throw new UsageError(this.list);
  }
}

/** `--by`, `--reason`… of approve / reject / cancel: all missing ones named at once. */
export function requiredFlags<F extends Flag>(values: Values, ...flags: F[]): Record<F, string> {
  const problems = new Problems();
  for (const flag of flags) {
    const value = values[flag];
    if (typeof value !== 'string' || value.trim() === '') problems.add(`--${flag} is required`, flag);
  }
  problems.done();
  return Object.fromEntries(flags.map((flag) => [flag, String(values[flag])])) as Record<F, string>;
}
