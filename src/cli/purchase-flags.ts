import { readFileSync } from 'node:fs';
import { validatePurchaseRequest, type PurchaseRequest } from '../client';
import { UsageError } from './errors';
import { Problems, type Values } from './flags';

// `pcw purchase`'s request from its flags or --file; flags.ts keeps which flags each command takes and the Problems
// they share.

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
export function readRequestFile(file: string): unknown {
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
