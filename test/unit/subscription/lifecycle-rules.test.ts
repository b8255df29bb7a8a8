import type { SubscriptionView } from '../../../src/workflows/subscription/types';
import type { WorkerSettings } from '../../../src/workflows/common/settings';
import {
  describeLifecycle,
  leadTimeMs,
  leadTimeProblem,
  planNextTerm,
  reviewAt,
  reviewKind,
  siblingOf,
  termEndsAt,
  withReview,
} from '../../../src/workflows/subscription/lifecycle-rules';
import { parseLeadTime } from '../../../src/workflows/subscription/lead-time';
import {
  validateRenewalPolicy,
  type LicenceUsage,
  type LifecycleState,
  type RenewalReview,
  type ValidRenewalPolicy,
} from '../../../src/workflows/subscription/lifecycle-types';

/** The renewal rules of subscriptionLifecycle: pure functions of recorded values. */

const DAY = 86_400_000;
const settings: WorkerSettings = { orderPollIntervalMs: 1000, orderVisibilityDeadlineMs: 60_000, approvalTimeoutMs: 1 };

function view(overrides: Partial<SubscriptionView> = {}): SubscriptionView {
  return {
    id: 'a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d',
    catalogItemId: 'CFQ7TTC0LH18:0001:BASIC',
    quantity: 10,
    status: 'active',
    autoRenewEnabled: true,
    termDuration: 'P1Y',
    billingCycle: 'monthly',
    commitmentEndDate: '2027-02-28T00:00:00Z',
    refundOptions: [],
    readAt: '2027-02-01T12:00:00.000Z',
    ...overrides,
  };
}

function policy(given: Record<string, unknown> = {}): ValidRenewalPolicy {
  const validation = validateRenewalPolicy(given);
  if (!validation.ok) throw new Error(JSON.stringify(validation.problems));
  return validation.request;
}

function usage(assigned: number, siblings: LicenceUsage['siblings'] = []): LicenceUsage {
  const total = 10 + siblings.reduce((sum, s) => sum + s.seats, 0);
  return { skuId: 'sku-1', assigned, total, siblings, readAt: '2027-02-14T00:00:00Z' };
}

const RENEWS = Date.parse('2027-03-01T00:00:00Z');

describe('lead time', () => {
  it.each([
    ['P14D', 14 * DAY],
    ['14d', 14 * DAY],
    ['P2W', 14 * DAY],
    ['PT36H', 36 * 3_600_000],
    ['P1DT12H', 36 * 3_600_000],
    ['PT2S', 2000],
    ['90s', 90_000],
  ])('%s is %d ms', (text, ms) => expect(parseLeadTime(text)).toBe(ms));

  it.each(['P', 'PT', 'P1Y', 'P1M', '14 days', '', 'P1DT'])('%s is refused', (text) =>
    expect(parseLeadTime(text)).toBeUndefined(),
  );

  it('defaults to RENEWAL_REVIEW_LEAD, then to 14 days for settings recorded before it', () => {
    expect(leadTimeMs(policy({ leadTime: 'P3D' }), settings)).toBe(3 * DAY);
    expect(leadTimeMs(policy(), { ...settings, renewalReviewLeadMs: 7 * DAY })).toBe(7 * DAY);
    expect(leadTimeMs(policy(), settings)).toBe(14 * DAY);
  });

  it.each([
    ['P1M', 'P28D', 'P29D'],
    ['P1Y', 'P365D', 'P366D'],
    ['P3Y', 'P1095D', 'P1096D'],
  ])('on a %s term, %s is taken and %s (longer than the term) refused', (termDuration, longest, tooLong) => {
    const term = view({ termDuration });
    expect(leadTimeProblem(policy({ leadTime: longest }), term, settings)).toBeUndefined();
    expect(leadTimeProblem(policy({ leadTime: tooLong }), term, settings)).toEqual({
      field: 'leadTime',
      problem: `must not be longer than the subscription's term ${termDuration} (got ${tooLong})`,
    });
  });

  it('longer than the term is refused, naming leadTime', () => {
    expect(leadTimeProblem(policy({ leadTime: 'P400D' }), view(), settings)?.field).toBe('leadTime');
    expect(leadTimeProblem(policy({ leadTime: 'P30D' }), view({ termDuration: 'P1M' }), settings)?.field).toBe(
      'leadTime',
    );
    expect(leadTimeProblem(policy({ leadTime: 'P300D' }), view(), settings)).toBeUndefined();
  });
});

describe('the policy', () => {
  it('fills its defaults', () => {
    expect(policy()).toEqual({ review: 'propose', headroom: 0, includeMonthly: false });
  });

  it.each([
    [{ minSeat: 3 }, 'minSeat'],
    [{ minSeats: -1 }, 'minSeats'],
    [{ headroom: 1.5 }, 'headroom'],
    [{ review: 'sometimes' }, 'review'],
    [{ leadTime: 'two weeks' }, 'leadTime'],
  ])('%j is refused naming %s', (given, field) => {
    const validation = validateRenewalPolicy(given);
    expect(validation.ok).toBe(false);
    if (!validation.ok) expect(validation.problems.map((p) => p.field)).toEqual([field]);
  });
});

describe('review time and scope', () => {
  it('reviews at commitmentEndDate − leadTime; the term ends the day after its last day', () => {
    expect(reviewAt(view(), 14 * DAY)).toBe(Date.parse('2027-02-14T00:00:00Z'));
    expect(termEndsAt(view())).toBe(RENEWS);
    expect(reviewAt(view({ commitmentEndDate: undefined }), DAY)).toBeUndefined();
  });

  it.each<[string, Partial<SubscriptionView>, Record<string, unknown>, string]>([
    ['an annual term that renews', {}, {}, 'review'],
    ['a triennial term', { termDuration: 'P3Y' }, {}, 'review'],
    ['a monthly term', { termDuration: 'P1M' }, {}, 'none'],
    ['a monthly term with includeMonthly', { termDuration: 'P1M' }, { includeMonthly: true }, 'review'],
    ['auto-renew off', { autoRenewEnabled: false }, {}, 'expiring'],
    ['review off', {}, { review: 'off' }, 'none'],
    ['a trial', { isTrial: true }, {}, 'none'],
  ])('%s: %s', (_name, overrides, given, kind) => {
    expect(reviewKind(view(overrides), policy(given))).toBe(kind);
  });
});

describe('the next term plan', () => {
  it('plans the seats assigned, with the headroom', () => {
    expect(planNextTerm(view(), usage(6), policy(), RENEWS)).toEqual({ quantity: 6, reason: '6 assigned' });
    expect(planNextTerm(view(), usage(6), policy({ headroom: 2 }), RENEWS)?.quantity).toBe(8);
  });

  it('never plans below minSeats or 1', () => {
    expect(planNextTerm(view(), usage(3), policy({ minSeats: 5 }), RENEWS)).toEqual({
      quantity: 5,
      reason: '3 assigned; raised to minSeats 5',
    });
    expect(planNextTerm(view(), usage(0), policy(), RENEWS)?.quantity).toBe(1);
  });

  it("never plans below the catalog SKU's minimum, whichever floor is highest", () => {
    const withMinimum = (assigned: number, minimum: number) => ({ ...usage(assigned), skuMinimumQuantity: minimum });
    expect(planNextTerm(view(), withMinimum(2, 5), policy(), RENEWS)).toEqual({
      quantity: 5,
      reason: "2 assigned; raised to the SKU's minimum 5",
    });
    expect(planNextTerm(view(), withMinimum(2, 5), policy({ minSeats: 7 }), RENEWS)?.quantity).toBe(7);
    expect(planNextTerm(view(), withMinimum(6, 5), policy(), RENEWS)).toEqual({ quantity: 6, reason: '6 assigned' });
    // A minimum at or above the seats held: nothing to cut.
    expect(planNextTerm(view(), withMinimum(2, 10), policy(), RENEWS)).toBeUndefined();
  });

  it('plans nothing when it would not lower the quantity', () => {
    expect(planNextTerm(view(), usage(10), policy(), RENEWS)).toBeUndefined();
    expect(planNextTerm(view(), usage(9), policy({ headroom: 1 }), RENEWS)).toBeUndefined();
    expect(planNextTerm(view({ quantity: 1 }), usage(0), policy(), RENEWS)).toBeUndefined();
  });

  it('counts the other subscriptions of the SKU: the reduction lands on the one that renews first', () => {
    // 12 assigned over 10 + 5 seats; the other subscription renews later and keeps its 5: 7 here.
    const later = { subscriptionId: 'other', seats: 5, renewsAt: '2027-06-01T00:00:00Z', nextTermSeats: 5 };
    expect(planNextTerm(view(), usage(12, [later]), policy(), RENEWS)).toEqual({
      quantity: 7,
      reason: '12 assigned - 5 on 1 other subscription of the SKU',
    });
    // The other renews first with 2 seats scheduled: it carries 2 then, so 10 stay needed here: nothing to cut.
    const earlier = {
      subscriptionId: 'other',
      seats: 5,
      renewsAt: '2027-02-20T00:00:00Z',
      nextTermSeats: 2,
      nextTermSettled: true,
    };
    expect(planNextTerm(view(), usage(12, [earlier]), policy(), RENEWS)).toBeUndefined();
    // An earlier one that expires carries nothing at our renewal: every assigned seat stays here.
    const expiring = { ...earlier, nextTermSeats: 0 };
    expect(planNextTerm(view(), usage(8, [expiring]), policy(), RENEWS)?.quantity).toBe(8);
  });

  it('leaves the cut to the subscription of the SKU that renews first while its next term is open, ids breaking ties', () => {
    // Two subscriptions of 10 seats renewing together, 15 seats assigned: reviewed at once, each must not assume the
    // other keeps 10 (both would plan 5, 10 seats for 15 users). Only the one first in (renewal, id) order cuts.
    const ours = view({ id: 'bbbb' });
    const twin = { subscriptionId: 'aaaa', seats: 10, renewsAt: new Date(RENEWS).toISOString(), nextTermSeats: 10 };
    expect(planNextTerm(ours, usage(15, [twin]), policy(), RENEWS)).toBeUndefined();
    const first = view({ id: 'aaaa' });
    const otherTwin = { ...twin, subscriptionId: 'bbbb' };
    expect(planNextTerm(first, usage(15, [otherTwin]), policy(), RENEWS)?.quantity).toBe(5);
    // Once the first one's next term is decided (scheduled), the next may cut from what it leaves.
    const decided = { ...twin, nextTermSeats: 5, nextTermSettled: true };
    expect(planNextTerm(ours, usage(12, [decided]), policy(), RENEWS)?.quantity).toBe(7);
  });
});

describe('another subscription of the SKU, as the review reads it', () => {
  it('carries its seats, when it renews and what its next term keeps', () => {
    const renewsAt = new Date(termEndsAt(view())!).toISOString();
    expect(siblingOf(view())).toEqual({
      subscriptionId: view().id,
      seats: 10,
      renewsAt,
      nextTermSeats: 10,
      nextTermSettled: false,
    });
    const scheduled = view({ scheduledNextTerm: { catalogItemId: 'CFQ7TTC0LH18:0001:BASIC', quantity: 4 } });
    expect(siblingOf(scheduled)).toMatchObject({ nextTermSeats: 4, nextTermSettled: true });
    expect(siblingOf(view({ autoRenewEnabled: false }))).toMatchObject({ nextTermSeats: 0, nextTermSettled: true });
    expect(siblingOf(view({ commitmentEndDate: undefined }))).not.toHaveProperty('renewsAt');
  });
});

describe('the UI sentence', () => {
  const state = (overrides: Partial<LifecycleState>): LifecycleState => ({
    customerId: 'c',
    subscriptionId: 's',
    subscription: view(),
    policy: policy(),
    step: 'awaiting-renewal-approval',
    renewsAt: '2027-03-01T00:00:00.000Z',
    reviews: [],
    updatedAt: '2027-02-14T00:00:00Z',
    ...overrides,
  });

  it('says when it renews, its seats and the plan', () => {
    const plan = {
      quantity: 6,
      currentQuantity: 10,
      assigned: 6,
      renewsAt: '2027-03-01T00:00:00.000Z',
      status: 'proposed' as const,
      reason: '6 assigned',
      attempts: 0,
    };
    expect(describeLifecycle(state({ plan, usage: usage(6) }))).toBe(
      'renews 2027-03-01 · 10 seats, 6 assigned · plan: 6 next term, awaiting approval',
    );
  });

  it('says a review found nothing to cut, and when an expiring subscription ends', () => {
    const review: RenewalReview = {
      reviewedAt: '2027-02-14T00:00:00Z',
      renewsAt: '2027-03-01T00:00:00.000Z',
      outcome: 'nothing-to-cut',
      currentQuantity: 10,
      assigned: 10,
      note: '10 assigned',
    };
    expect(describeLifecycle(state({ reviews: [review], usage: usage(10) }))).toBe(
      'renews 2027-03-01 · 10 seats, 10 assigned · reviewed: nothing to cut',
    );
    expect(describeLifecycle(state({ subscription: view({ autoRenewEnabled: false }) }))).toBe(
      'expires 2027-03-01 · 10 seats',
    );
  });

  it("names the offer's end of sale when the review found it on the list", () => {
    expect(describeLifecycle(state({ endOfSale: { date: '2027-04-01T00:00:00.000Z' } }))).toBe(
      'renews 2027-03-01 · 10 seats · end of sale 2027-04-01',
    );
  });

  it('keeps the last ten reviews', () => {
    const review = (n: number): RenewalReview => ({
      reviewedAt: `r${n}`,
      renewsAt: 'x',
      outcome: 'expiring',
      currentQuantity: 1,
      note: '',
    });
    const reviews = Array.from({ length: 10 }, (_, n) => review(n));
    expect(withReview(reviews, review(10)).map((r) => r.reviewedAt)).toEqual(
      Array.from({ length: 10 }, (_, n) => `r${n + 1}`),
    );
  });
});
