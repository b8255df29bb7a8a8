import type { CustomTermEndDate } from '../../partner-center';
import { purchaseFailureTypes } from '../../workflows/purchase/failures';
import { invalidPurchaseRequest } from '../../workflows/purchase/rules';
import type {
  InvalidField,
  PrerequisiteOverlay,
  ResolveTermEndDatesInput,
  ResolvedItem,
} from '../../workflows/purchase/types';
import { toActivityFailure } from '../common/failures';
import { readOptions } from '../common/request-ids';
import type { PurchaseActivityDeps } from './deps';

/**
 * Checks each `customTermEndDate` against the dates Partner Center allows and resolves `alignWith` into one:
 * a subscription's end date, or (calendarMonth) the last month end within the first term.
 */
export async function resolveCustomTermEndDates(
  deps: Pick<PurchaseActivityDeps, 'partnerCenter'>,
  input: ResolveTermEndDatesInput,
): Promise<PrerequisiteOverlay['customTermEndDates']> {
  const resolved: PrerequisiteOverlay['customTermEndDates'] = [];
  const problems: InvalidField[] = [];
  try {
    for (const item of input.items) {
      if (item.customTermEndDate === undefined && item.alignWith === undefined) continue;
      const target = typeof item.alignWith === 'object' ? item.alignWith.subscriptionId : undefined;
      const allowed = await deps.partnerCenter.listCustomTermEndDates(
        input.customerId,
        {
          termDuration: item.termDuration,
          ...(target !== undefined ? { targetCotermSubscriptionId: target } : {}),
        },
        readOptions(),
      );
      const choice = chooseEndDate(item, allowed);
      if ('date' in choice) resolved.push({ item: item.item, customTermEndDate: choice.date });
      else problems.push(choice.problem);
    }
  } catch (err) {
    throw toActivityFailure(err, purchaseFailureTypes.invalidRequest);
  }
  if (problems.length > 0) throw invalidPurchaseRequest(problems);
  return resolved;
}

const dayOf = (date: string) => date.slice(0, 10);

function chooseEndDate(
  item: ResolvedItem,
  allowed: readonly CustomTermEndDate[],
): { date: string } | { problem: InvalidField } {
  const field = `items[${item.item}]`;
  const listed = (dates: readonly CustomTermEndDate[]) =>
    dates.length === 0 ? 'none' : dates.map((d) => dayOf(d.allowedCustomTermEndDate)).join(', ');
  if (item.customTermEndDate !== undefined) {
    const wanted = dayOf(item.customTermEndDate);
    return allowed.some((d) => dayOf(d.allowedCustomTermEndDate) === wanted)
      ? { date: wanted }
      : {
          problem: {
            field: `${field}.customTermEndDate`,
            problem: `must be a month end or an existing subscription's end date within the first ${item.termDuration} term (allowed: ${listed(allowed)})`,
          },
        };
  }
  if (item.alignWith === 'calendarMonth') {
    const monthEnds = allowed
      .filter((d) => d.allowedCustomTermEndDateType === 'calendarMonthAligned')
      .map((d) => dayOf(d.allowedCustomTermEndDate))
      .sort();
    const last = monthEnds.at(-1);
    return last !== undefined
      ? { date: last }
      : {
          problem: {
            field: `${field}.alignWith`,
            problem: `no calendar month end is allowed for a ${item.termDuration} term`,
          },
        };
  }
  const subscriptionId = typeof item.alignWith === 'object' ? item.alignWith.subscriptionId : '';
  const match = allowed.find(
    (d) =>
      d.allowedCustomTermEndDateType !== 'calendarMonthAligned' &&
      d.cotermSubscriptionIds.some((id) => id.toLowerCase() === subscriptionId.toLowerCase()),
  );
  return match !== undefined
    ? { date: dayOf(match.allowedCustomTermEndDate) }
    : {
        problem: {
          field: `${field}.alignWith.subscriptionId`,
          problem: `subscription ${subscriptionId} cannot be co-termed with: it must be an active, non-trial subscription of the customer ending within the first ${item.termDuration} term (and not monthly when the term is longer)`,
        },
      };
}
