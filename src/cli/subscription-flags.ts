import { validateSubscriptionChangeRequest, type SubscriptionChangeRequest } from '../client';
import { Problems, type Values } from './flags';

// `pcw change`'s request from its flags; flags.ts keeps which flags each command takes and the Problems they share.

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

type ChangeMode = (typeof CHANGE_MODES)[number];
type Change = Record<string, unknown>;

/** The SubscriptionChangeRequest of `pcw change`: exactly one change, checked with the workflow's schema. */
export function subscriptionChangeFromFlags(values: Values): SubscriptionChangeRequest {
  const problems = new Problems();
  const quantity = values.quantity === undefined ? undefined : problems.wholeNumber(values, 'quantity', 1, 100_000);
  const modes = CHANGE_MODES.filter((flag) => values[flag] !== undefined);
  const singles = singleFieldChanges(values, quantity, modes.length > 0, problems);
  let change: Change | undefined;
  if (modes.length + singles.length !== 1) {
    problems.add(
      'give exactly one of --quantity, --auto-renew, --friendly-name, --cancel, --schedule-next-term, ' +
        '--transition-to, --convert-trial, --suspend, --reactivate',
      'schedule-next-term',
    );
  } else {
    change = modes.length > 0 ? severalFieldChange(modes[0], values, quantity) : singles[0];
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
  problems.validation(validateSubscriptionChangeRequest(request), (field) =>
    // A trial conversion names its paid offer with --catalog-item-id.
    field === 'change.toCatalogItemId' && modes[0] === 'convert-trial' ? '--catalog-item-id' : CHANGE_FLAGS[field],
  );
  problems.done();
  return request as SubscriptionChangeRequest;
}

/** Every change of one field the flags ask for (--quantity is one only when no mode takes it as its seats). */
function singleFieldChanges(
  values: Values,
  quantity: number | undefined,
  withMode: boolean,
  problems: Problems,
): Change[] {
  return [
    ...(!withMode && values.quantity !== undefined ? [{ action: 'setQuantity', quantity }] : []),
    ...(values['auto-renew'] !== undefined
      ? [{ action: 'setAutoRenew', enabled: onOff(values['auto-renew'], problems) }]
      : []),
    ...(values['friendly-name'] !== undefined ? [{ action: 'rename', friendlyName: values['friendly-name'] }] : []),
    ...(values.cancel ? [{ action: 'cancel' }] : []),
    ...(values.suspend ? [{ action: 'suspend' }] : []),
    ...(values.reactivate ? [{ action: 'reactivate' }] : []),
  ];
}

/** The change a mode flag chooses, its other fields from --quantity, --term, --billing, --catalog-item-id… */
function severalFieldChange(mode: ChangeMode, values: Values, quantity: number | undefined): Change {
  const term = values.term !== undefined ? { termDuration: values.term } : {};
  const billing = values.billing !== undefined ? { billingCycle: values.billing } : {};
  const seats = quantity !== undefined ? { quantity } : {};
  const catalogItemId = values['catalog-item-id'];
  switch (mode) {
    case 'schedule-next-term':
      return {
        action: 'scheduleNextTerm',
        ...term,
        ...billing,
        ...seats,
        ...(catalogItemId !== undefined ? { catalogItemId } : {}),
      };
    case 'transition-to':
      return {
        action: 'transition',
        toCatalogItemId: values['transition-to'],
        ...seats,
        ...(values['transition-type'] !== undefined ? { transitionType: values['transition-type'] } : {}),
        ...(values.timing !== undefined ? { timing: values.timing } : {}),
        ...(values.into !== undefined ? { toSubscriptionId: values.into } : {}),
      };
    case 'convert-trial':
      return {
        action: 'convertTrial',
        ...(catalogItemId !== undefined ? { toCatalogItemId: catalogItemId } : {}),
        ...seats,
        ...term,
        ...billing,
      };
  }
}

function onOff(value: string, problems: Problems): boolean | undefined {
  if (value === 'on' || value === 'true') return true;
  if (value === 'off' || value === 'false') return false;
  problems.add(`--auto-renew must be on or off (got "${value}")`, 'auto-renew');
  return undefined;
}
