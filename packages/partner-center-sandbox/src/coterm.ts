import { DAY_MS, isoTimestamp } from './clock';
import { badRequest } from './errors';
import { collection, looseEnum, queryValue } from './http';
import { termEndOf } from './lifecycle';
import { customerOf, type Route } from './router';
import type { TermDuration } from './catalog';
import type { World } from './state';

/** Co-terminosity (reference §6.8): the end dates a new subscription may be given instead of its term's natural
 * end — a calendar month end, or the end date of an active non-trial subscription of the customer — within the
 * first term. A cart line with another date gets 10017; a trial line with one gets 10016. */

export interface AllowedEndDate {
  type: 'calendarMonthAligned' | 'subscriptionAligned';
  /** Midnight UTC of the last day. */
  at: number;
  subscriptionIds: string[];
}

const lastDayOfMonth = (year: number, month: number) => Date.UTC(year, month + 1, 0);

export function allowedCustomTermEndDates(
  world: World,
  customerId: string,
  termDuration: TermDuration,
  start: number,
  targetSubscriptionId?: string,
): AllowedEndDate[] {
  const naturalEnd = termEndOf(start, termDuration);
  const today = Math.floor(start / DAY_MS) * DAY_MS;
  const allowed: AllowedEndDate[] = [];
  const first = new Date(start);
  for (let m = 0; ; m += 1) {
    const at = lastDayOfMonth(first.getUTCFullYear(), first.getUTCMonth() + m);
    if (at > naturalEnd) break;
    if (at >= today) allowed.push({ type: 'calendarMonthAligned', at, subscriptionIds: [] });
  }
  const bySubscription = new Map<number, string[]>();
  for (const s of world.subscriptions.values()) {
    if (s.customerId !== customerId || s.status !== 'active' || s.isTrial) continue;
    if (targetSubscriptionId !== undefined && s.id !== targetSubscriptionId.toLowerCase()) continue;
    if (s.commitmentEnd < today || s.commitmentEnd > naturalEnd) continue;
    // A one- or three-year term never aligns to a monthly subscription.
    if (termDuration !== 'P1M' && s.termDuration === 'P1M') continue;
    // A monthly term aligns to a 28th–30th only when that is the month's last day.
    const end = new Date(s.commitmentEnd);
    const day = end.getUTCDate();
    if (
      termDuration === 'P1M' &&
      day >= 28 &&
      day <= 30 &&
      s.commitmentEnd !== lastDayOfMonth(end.getUTCFullYear(), end.getUTCMonth())
    )
      continue;
    bySubscription.set(s.commitmentEnd, [...(bySubscription.get(s.commitmentEnd) ?? []), s.id]);
  }
  for (const [at, subscriptionIds] of [...bySubscription.entries()].sort(([a], [b]) => a - b))
    allowed.push({ type: 'subscriptionAligned', at, subscriptionIds });
  return allowed;
}

const termSchema = looseEnum(['P1M', 'P1Y', 'P3Y']);

export const cotermRoutes: Route[] = [
  {
    method: 'GET',
    template: '/v1/customers/{customerId}/subscriptions/customTermEndDates',
    handle: (ctx) => {
      const customer = customerOf(ctx);
      // queryValue ignores case and `_`, so the documented `term_duration` works as well as `termDuration`.
      const term = termSchema.safeParse(queryValue(ctx.url, 'termDuration'));
      if (!term.success) throw badRequest('termDuration', 'is a required query parameter: P1M, P1Y or P3Y');
      const startText = queryValue(ctx.url, 'termStartDate');
      const start = startText ? Date.parse(startText) : ctx.now;
      if (Number.isNaN(start)) throw badRequest('termStartDate', 'must be an ISO 8601 date');
      const target = queryValue(ctx.url, 'targetCotermSubscriptionId');
      const items = allowedCustomTermEndDates(ctx.runtime.world, customer.id, term.data, start, target).map((d) => ({
        allowedCustomTermEndDateType: d.type,
        allowedCustomTermEndDate: isoTimestamp(d.at),
        ...(d.subscriptionIds.length > 0 ? { cotermSubscriptionIds: d.subscriptionIds } : {}),
      }));
      return { status: 200, body: collection(items, `/customers/${customer.id}/subscriptions/customTermEndDates`) };
    },
  },
];
