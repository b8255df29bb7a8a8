import type {
  SubscriptionView,
  TransitionChange,
  TransitionEligibilityRead,
  TransitionEligibilityView,
} from '../../../src/workflows/subscription/types';
import { checkChange, planTransition } from '../../../src/workflows/subscription/rules';

/** The rules of transitions, trial conversions, suspension and reactivation: pure functions of recorded values. */

const subscriptionId = 'a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d';
const intoId = 'b0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d';
const STANDARD_P1Y = 'CFQ7TTC0LDPB:0001:STDY';
const STANDARD_P1M = 'CFQ7TTC0LDPB:0001:STDM';
const PREMIUM_P1Y = 'CFQ7TTC0LCHC:0002:PREY';

function view(overrides: Partial<SubscriptionView> = {}): SubscriptionView {
  return {
    id: subscriptionId,
    catalogItemId: 'CFQ7TTC0LH18:0001:BASIC',
    quantity: 10,
    status: 'active',
    autoRenewEnabled: true,
    termDuration: 'P1Y',
    billingCycle: 'monthly',
    commitmentEndDate: '2027-01-09T00:00:00Z',
    refundOptions: [],
    readAt: '2026-03-01T12:00:00.000Z',
    ...overrides,
  };
}

const trial = (overrides: Partial<SubscriptionView> = {}) =>
  view({
    catalogItemId: 'CFQ7TTC0LDPB:0002:TRIAL',
    quantity: 25,
    isTrial: true,
    termDuration: 'P1M',
    billingCycle: 'none',
    ...overrides,
  });

function target(catalogItemId: string, overrides: Partial<TransitionEligibilityView> = {}): TransitionEligibilityView {
  return {
    catalogItemId,
    termDuration: catalogItemId.endsWith('M') ? 'P1M' : 'P1Y',
    types: [
      { transitionType: 'transition_only', isEligible: true, errors: [] },
      { transitionType: 'transition_with_license_transfer', isEligible: true, errors: [] },
    ],
    subscriptions: [],
    ...overrides,
  };
}

const read = (...eligibilities: TransitionEligibilityView[]): TransitionEligibilityRead => ({
  eligibilities,
  existingTransitionIds: [],
});
const upgrade = (extra: Partial<Extract<TransitionChange, { action: 'transition' }>> = {}): TransitionChange => ({
  action: 'transition',
  toCatalogItemId: STANDARD_P1Y,
  timing: 'immediate',
  ...extra,
});

describe('planTransition', () => {
  it('plans the whole subscription with licence transfer by default', () => {
    expect(planTransition(view(), read(target(STANDARD_P1Y)), upgrade())).toMatchObject({
      kind: 'allowed',
      plan: { toCatalogItemId: STANDARD_P1Y, quantity: 10, transitionType: 'transition_with_license_transfer' },
    });
  });

  it('keeps the requested type, seats and target subscription', () => {
    const into = { subscriptionId: intoId, isEligible: true, errors: [] };
    const verdict = planTransition(
      view(),
      read(target(STANDARD_P1Y, { subscriptions: [into] })),
      upgrade({ quantity: 3, transitionType: 'transition_only', toSubscriptionId: intoId }),
    );
    expect(verdict).toMatchObject({
      kind: 'allowed',
      plan: { quantity: 3, transitionType: 'transition_only', toSubscriptionId: intoId },
    });
  });

  it('collects every source and target reason into one TransitionNotEligible', () => {
    const sourceErrors = [{ code: 5, description: 'The subscription is not active.' }];
    const verdict = planTransition(
      view(),
      read(
        target(STANDARD_P1Y, {
          types: [
            { transitionType: 'transition_only', isEligible: false, errors: sourceErrors },
            { transitionType: 'transition_with_license_transfer', isEligible: false, errors: sourceErrors },
          ],
          subscriptions: [
            {
              subscriptionId: intoId,
              isEligible: false,
              errors: [
                { code: 2, description: 'within cancellation window' },
                { code: 3, description: 'shorter term' },
              ],
            },
          ],
        }),
      ),
      upgrade({ toSubscriptionId: intoId }),
    );
    expect(verdict.kind).toBe('refused');
    if (verdict.kind !== 'refused') return;
    expect(verdict.refusal.type).toBe('TransitionNotEligible');
    expect(verdict.refusal.details.reasons).toEqual([
      { side: 'source', code: 5, description: 'The subscription is not active.' },
      { side: 'target', code: 2, description: 'within cancellation window' },
      { side: 'target', code: 3, description: 'shorter term' },
    ]);
    expect(verdict.refusal.message).toMatch(/source 5 .*target 2 .*target 3/);
  });

  it.each<[string, SubscriptionView, TransitionEligibilityRead, TransitionChange, string, unknown]>([
    [
      'a target that is not offered',
      view(),
      read(target(PREMIUM_P1Y)),
      upgrade(),
      'TransitionNotEligible',
      'NotATarget',
    ],
    [
      'a target subscription that is not a candidate',
      view(),
      read(target(STANDARD_P1Y)),
      upgrade({ toSubscriptionId: intoId }),
      'TransitionNotEligible',
      'NotACandidate',
    ],
    [
      'more seats than the subscription has',
      view(),
      read(target(STANDARD_P1Y)),
      upgrade({ quantity: 11 }),
      'ChangeRejected',
      'NotEnoughSeats',
    ],
    [
      'a paid subscription as a trial',
      view(),
      read(target(STANDARD_P1Y)),
      { action: 'convertTrial' },
      'ChangeRejected',
      'NotATrial',
    ],
    [
      'fewer seats than the trial has',
      trial(),
      read(target(STANDARD_P1Y)),
      { action: 'convertTrial', quantity: 24 },
      'ChangeRejected',
      'TrialMinimumSeats',
    ],
  ])('refuses %s', (_name, subscription, eligibilities, change, type, code) => {
    const verdict = planTransition(subscription, eligibilities, change);
    expect(verdict.kind).toBe('refused');
    if (verdict.kind !== 'refused') return;
    expect(verdict.refusal.type).toBe(type);
    const { reasons, code: refusalCode } = verdict.refusal.details as {
      reasons?: Array<{ code: unknown }>;
      code?: unknown;
    };
    expect(refusalCode ?? reasons?.[0]?.code).toBe(code);
  });

  it("converts a trial into its product's paid offer of the default term, billed monthly", () => {
    expect(
      planTransition(trial(), read(target(PREMIUM_P1Y), target(STANDARD_P1M), target(STANDARD_P1Y)), {
        action: 'convertTrial',
      }),
    ).toMatchObject({
      kind: 'allowed',
      plan: { toCatalogItemId: STANDARD_P1Y, quantity: 25, termDuration: 'P1Y', billingCycle: 'monthly' },
    });
    expect(
      planTransition(trial(), read(target(STANDARD_P1M), target(STANDARD_P1Y)), {
        action: 'convertTrial',
        termDuration: 'P1M',
        quantity: 40,
      }),
    ).toMatchObject({ kind: 'allowed', plan: { toCatalogItemId: STANDARD_P1M, quantity: 40, termDuration: 'P1M' } });
  });
});

describe('checkChange: suspend and reactivate', () => {
  it('suspends an active subscription and finds a suspended one already suspended', () => {
    expect(checkChange(view(), { action: 'suspend' })).toEqual({ kind: 'allowed', target: { status: 'suspended' } });
    expect(checkChange(view({ status: 'suspended' }), { action: 'suspend' })).toEqual({ kind: 'in-effect' });
  });

  it('reactivates a suspended subscription before its term ends; an active one is already active', () => {
    expect(checkChange(view({ status: 'suspended' }), { action: 'reactivate' })).toEqual({
      kind: 'allowed',
      target: { status: 'active' },
    });
    expect(checkChange(view(), { action: 'reactivate' })).toEqual({ kind: 'in-effect' });
  });

  it.each<[string, Partial<SubscriptionView>, string]>([
    ['after the last day of the term', { status: 'suspended', readAt: '2027-01-10T00:00:00.000Z' }, 'TermEnded'],
    ['once Partner Center disabled it', { status: 'disabled' }, 'TermEnded'],
    ['a cancelled subscription', { status: 'deleted' }, 'SubscriptionNotSuspended'],
  ])('refuses to reactivate %s, naming the rule (and the date)', (_name, overrides, code) => {
    const verdict = checkChange(view(overrides), { action: 'reactivate' });
    expect(verdict.kind).toBe('refused');
    if (verdict.kind !== 'refused') return;
    expect(verdict.refusal.type).toBe('ChangeRejected');
    expect(verdict.refusal.details.code).toBe(code);
    if (code === 'TermEnded') expect(verdict.refusal.message).toContain('its term ended on 2027-01-09');
  });

  it('still reactivates on the last day of the term', () => {
    expect(
      checkChange(view({ status: 'suspended', readAt: '2027-01-09T23:59:00.000Z' }), { action: 'reactivate' }).kind,
    ).toBe('allowed');
  });

  it('lets a suspended subscription be cancelled inside the window, and nothing else', () => {
    const suspended = view({ status: 'suspended', cancellationAllowedUntilDate: '2026-03-05T00:00:00.000Z' });
    expect(checkChange(suspended, { action: 'cancel' })).toEqual({ kind: 'allowed', target: { status: 'deleted' } });
    expect(checkChange(suspended, { action: 'setQuantity', quantity: 3 }).kind).toBe('refused');
  });
});
