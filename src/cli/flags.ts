import { readFileSync } from 'node:fs';
import type { parseArgs } from 'node:util';
import {
  validateChangeRequest,
  validatePurchaseRequest,
  type PurchaseRequest,
  type SubscriptionChangeRequest,
  type Validation,
} from '../client';
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
  invoices: ['limit', 'offset', 'out'],
  status: [],
  watch: [],
  approve: ['by'],
  reject: ['by', 'reason'],
  cancel: ['reason'],
  list: ['customer', 'step', 'limit'],
  schedules: [],
  doctor: [],
  'codec-server': ['port', 'host', 'origin'],
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

// ---- purchase ----

const PURCHASE_FLAGS: Record<string, string> = {
  requestId: '--request-id',
  customerId: '--customer',
  country: '--country',
  segment: '--segment',
  currency: '--currency',
  'items[0].offer': '--catalog-item-id or --product with --sku',
  'items[0].offer.catalogItemId': '--catalog-item-id',
  'items[0].offer.productId': '--product',
  'items[0].offer.skuId': '--sku',
  'items[0].quantity': '--quantity',
  'items[0].termDuration': '--term',
  'items[0].billingCycle': '--billing',
  'items[0].friendlyName': '--friendly-name',
  'items[0].promotionId': '--promotion',
  'items[0].attestationAccepted': '--attestation-accepted',
  'items[0].partnerOnRecordAttestationAccepted': '--partner-on-record-attestation-accepted',
  'items[0].customTermEndDate': '--custom-term-end-date',
  'items[0].alignWith': '--align-with',
  'items[0].alignWith.subscriptionId': '--align-with',
  onIneligiblePromotion: '--on-ineligible-promotion',
  'agreement.firstName': '--agreement-first-name',
  'agreement.lastName': '--agreement-last-name',
  'agreement.email': '--agreement-email',
  'agreement.phoneNumber': '--agreement-phone',
};

/** `--agreement-*` as the request's `agreement` (absent when none of them is given). */
function agreementFromFlags(values: Values): Record<string, string> | undefined {
  const fields = {
    firstName: values['agreement-first-name'],
    lastName: values['agreement-last-name'],
    email: values['agreement-email'],
    phoneNumber: values['agreement-phone'],
  };
  const given = Object.entries(fields).filter((entry): entry is [string, string] => entry[1] !== undefined);
  return given.length === 0 ? undefined : Object.fromEntries(given);
}

/** The PurchaseRequest of `pcw purchase`, from `--file` or the flags, checked with the workflow's schema. */
export function purchaseRequestFromFlags(values: Values): PurchaseRequest {
  const problems = new Problems();
  if (values.file !== undefined) {
    const request = readRequestFile(values.file);
    problems.validation(validatePurchaseRequest(request), () => undefined, values.file);
    problems.done();
    return request as PurchaseRequest;
  }
  const quantity = values.quantity === undefined ? undefined : problems.wholeNumber(values, 'quantity', 1, 100_000);
  problems.currency(values);
  if (values['catalog-item-id'] === undefined) {
    for (const flag of ['product', 'sku'] as const) {
      if (values[flag] === undefined)
        problems.add(`--${flag} is required (or give --catalog-item-id instead of --product and --sku)`, flag);
    }
  }
  const offer =
    values['catalog-item-id'] !== undefined
      ? { catalogItemId: values['catalog-item-id'] }
      : { productId: values.product, skuId: values.sku };
  const request = {
    requestId: values['request-id'],
    customerId: values.customer,
    ...(values.country !== undefined ? { country: values.country } : {}),
    ...(values.segment !== undefined ? { segment: values.segment } : {}),
    ...(values.currency !== undefined ? { currency: values.currency } : {}),
    ...(values['require-approval'] ? { requireApproval: true } : {}),
    ...(agreementFromFlags(values) !== undefined ? { agreement: agreementFromFlags(values) } : {}),
    ...(values['on-ineligible-promotion'] !== undefined
      ? { onIneligiblePromotion: values['on-ineligible-promotion'] }
      : {}),
    items: [
      {
        offer,
        quantity,
        termDuration: values.term,
        billingCycle: values.billing,
        ...(values['no-auto-renew'] ? { autoRenew: false } : {}),
        ...(values['friendly-name'] !== undefined ? { friendlyName: values['friendly-name'] } : {}),
        ...(values.promotion !== undefined ? { promotionId: values.promotion } : {}),
        ...(values['attestation-accepted'] ? { attestationAccepted: true } : {}),
        ...(values['partner-on-record-attestation-accepted'] ? { partnerOnRecordAttestationAccepted: true } : {}),
        ...(values['custom-term-end-date'] !== undefined ? { customTermEndDate: values['custom-term-end-date'] } : {}),
        ...(values['align-with'] !== undefined
          ? {
              alignWith:
                values['align-with'] === 'calendarMonth' ? 'calendarMonth' : { subscriptionId: values['align-with'] },
            }
          : {}),
      },
    ],
  };
  problems.validation(validatePurchaseRequest(request), (field) => PURCHASE_FLAGS[field]);
  problems.done();
  return request as PurchaseRequest;
}

/** A request file as JSON; an unreadable or malformed file is a usage error naming it. */
function readRequestFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError([
      `--file ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    ]);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError([`--file ${file} is not valid JSON (${(error as Error).message})`]);
  }
}

// ---- change ----

const CHANGE_FLAGS: Record<string, string> = {
  requestId: '--request-id',
  customerId: '--customer',
  subscriptionId: '--subscription',
  'change.quantity': '--quantity',
  'change.enabled': '--auto-renew',
  'change.friendlyName': '--friendly-name',
  'change.termDuration': '--term',
  'change.billingCycle': '--billing',
  'change.catalogItemId': '--catalog-item-id',
  'change.toCatalogItemId': '--transition-to',
  'change.transitionType': '--transition-type',
  'change.timing': '--timing',
  'change.toSubscriptionId': '--into',
  change: '--schedule-next-term',
};

/** Flags that choose a change of several fields; the other fields come from --quantity, --term, --billing… */
const CHANGE_MODES = ['schedule-next-term', 'transition-to', 'convert-trial'] as const;

/** The SubscriptionChangeRequest of `pcw change`: exactly one change, checked with the workflow's schema. */
export function changeRequestFromFlags(values: Values): SubscriptionChangeRequest {
  const problems = new Problems();
  const quantity = values.quantity === undefined ? undefined : problems.wholeNumber(values, 'quantity', 1, 100_000);
  let change: Record<string, unknown> | undefined;
  const modes = CHANGE_MODES.filter((flag) => values[flag] !== undefined);
  const term = values.term !== undefined ? { termDuration: values.term } : {};
  const billing = values.billing !== undefined ? { billingCycle: values.billing } : {};
  const seats = quantity !== undefined ? { quantity } : {};
  const catalogItemId = values['catalog-item-id'];
  const singles = [
    ...(modes.length === 0 && values.quantity !== undefined ? [{ action: 'setQuantity', quantity }] : []),
    ...(values['auto-renew'] !== undefined
      ? [{ action: 'setAutoRenew', enabled: onOff(values['auto-renew'], problems) }]
      : []),
    ...(values['friendly-name'] !== undefined ? [{ action: 'rename', friendlyName: values['friendly-name'] }] : []),
    ...(values.cancel ? [{ action: 'cancel' }] : []),
    ...(values.suspend ? [{ action: 'suspend' }] : []),
    ...(values.reactivate ? [{ action: 'reactivate' }] : []),
  ];
  if (modes.length + singles.length !== 1) {
    problems.add(
      'give exactly one of --quantity, --auto-renew, --friendly-name, --cancel, --schedule-next-term, ' +
        '--transition-to, --convert-trial, --suspend, --reactivate',
      'schedule-next-term',
    );
  } else if (modes[0] === 'schedule-next-term') {
    change = {
      action: 'scheduleNextTerm',
      ...term,
      ...billing,
      ...seats,
      ...(catalogItemId !== undefined ? { catalogItemId } : {}),
    };
  } else if (modes[0] === 'transition-to') {
    change = {
      action: 'transition',
      toCatalogItemId: values['transition-to'],
      ...seats,
      ...(values['transition-type'] !== undefined ? { transitionType: values['transition-type'] } : {}),
      ...(values.timing !== undefined ? { timing: values.timing } : {}),
      ...(values.into !== undefined ? { toSubscriptionId: values.into } : {}),
    };
  } else if (modes[0] === 'convert-trial') {
    change = {
      action: 'convertTrial',
      ...(catalogItemId !== undefined ? { toCatalogItemId: catalogItemId } : {}),
      ...seats,
      ...term,
      ...billing,
    };
  } else {
    change = singles[0];
  }
  const ignored = (['transition-type', 'timing', 'into'] as const).filter(
    (flag) => values[flag] !== undefined && modes[0] !== 'transition-to',
  );
  for (const flag of ignored) problems.add(`--${flag} applies only with --transition-to`, flag);
  const request = {
    requestId: values['request-id'],
    customerId: values.customer,
    subscriptionId: values.subscription,
    change,
  };
  problems.validation(validateChangeRequest(request), (field) =>
    // A trial conversion names its paid offer with --catalog-item-id.
    field === 'change.toCatalogItemId' && modes[0] === 'convert-trial' ? '--catalog-item-id' : CHANGE_FLAGS[field],
  );
  problems.done();
  return request as SubscriptionChangeRequest;
}

function onOff(value: string, problems: Problems): boolean | undefined {
  if (value === 'on' || value === 'true') return true;
  if (value === 'off' || value === 'false') return false;
  problems.add(`--auto-renew must be on or off (got "${value}")`, 'auto-renew');
  return undefined;
}

// ---- other commands ----

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
