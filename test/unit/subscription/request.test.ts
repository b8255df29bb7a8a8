import { validateLifecycleInput } from '../../../src/workflows/subscription/lifecycle-types';
import {
  subscriptionChangeWorkflowId,
  validateSubscriptionChangeRequest,
  type PatchChange,
  type SubscriptionChange,
  type SubscriptionView,
} from '../../../src/workflows/subscription/types';
import {
  cancellationWindowClosed,
  checkChange,
  describeSubscriptionChange,
  refundableSeats,
  refundOf,
  targetOf,
} from '../../../src/workflows/subscription/rules';

const customerId = '4f1b9c7e-2d3a-4c5b-8e6f-0a1b2c3d4e5f';
const subscriptionId = 'a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d';
const base = { requestId: 'req-1', customerId, subscriptionId };

describe('validateSubscriptionChangeRequest', () => {
  it.each<[string, SubscriptionChange]>([
    ['setQuantity', { action: 'setQuantity', quantity: 12 }],
    ['setAutoRenew', { action: 'setAutoRenew', enabled: false }],
    ['rename', { action: 'rename', friendlyName: 'Finance' }],
    ['cancel', { action: 'cancel' }],
    ['scheduleNextTerm with one field', { action: 'scheduleNextTerm', quantity: 3 }],
    [
      'scheduleNextTerm with every field',
      {
        action: 'scheduleNextTerm',
        termDuration: 'P3Y',
        billingCycle: 'annual',
        quantity: 3,
        catalogItemId: 'CFQ7TTC0LH18:0001:ABC',
      },
    ],
    ['transition', { action: 'transition', toCatalogItemId: 'CFQ7TTC0LDPB:0001:ABC', timing: 'immediate' }],
    [
      'transition with every field',
      {
        action: 'transition',
        toCatalogItemId: 'CFQ7TTC0LDPB:0001:ABC',
        quantity: 4,
        transitionType: 'transition_only',
        timing: 'immediate',
        toSubscriptionId: subscriptionId,
      },
    ],
    ['convertTrial', { action: 'convertTrial' }],
    [
      'convertTrial with every field',
      {
        action: 'convertTrial',
        toCatalogItemId: 'CFQ7TTC0LDPB:0001:ABC',
        quantity: 30,
        termDuration: 'P3Y',
        billingCycle: 'annual',
      },
    ],
    ['suspend', { action: 'suspend' }],
    ['reactivate', { action: 'reactivate' }],
  ])('accepts %s', (_name, change) => {
    const validation = validateSubscriptionChangeRequest({ ...base, change });
    expect(validation).toEqual({ ok: true, request: { ...base, change } });
  });

  it('trims the friendly name', () => {
    const validation = validateSubscriptionChangeRequest({
      ...base,
      change: { action: 'rename', friendlyName: '  Sales  ' },
    });
    expect(validation.ok && validation.request.change).toEqual({ action: 'rename', friendlyName: 'Sales' });
  });

  it.each<[string, unknown, string[]]>([
    ['a missing change', { ...base }, ['change']],
    ['an unknown action', { ...base, change: { action: 'upgrade' } }, ['change.action']],
    ['a fractional quantity', { ...base, change: { action: 'setQuantity', quantity: 2.5 } }, ['change.quantity']],
    ['a zero quantity', { ...base, change: { action: 'setQuantity', quantity: 0 } }, ['change.quantity']],
    ['a non-boolean enabled', { ...base, change: { action: 'setAutoRenew', enabled: 'yes' } }, ['change.enabled']],
    ['a blank friendly name', { ...base, change: { action: 'rename', friendlyName: '   ' } }, ['change.friendlyName']],
    [
      'a friendly name over 128 characters',
      { ...base, change: { action: 'rename', friendlyName: 'x'.repeat(129) } },
      ['change.friendlyName'],
    ],
    ['a field of another action', { ...base, change: { action: 'cancel', quantity: 3 } }, ['change.quantity']],
    ['an empty scheduled change', { ...base, change: { action: 'scheduleNextTerm' } }, ['change']],
    [
      'an unknown term',
      { ...base, change: { action: 'scheduleNextTerm', termDuration: 'P2Y' } },
      ['change.termDuration'],
    ],
    [
      'a malformed catalog item id',
      { ...base, change: { action: 'scheduleNextTerm', catalogItemId: 'CFQ7TTC0LH18' } },
      ['change.catalogItemId'],
    ],
    ['a transition without its target', { ...base, change: { action: 'transition' } }, ['change.toCatalogItemId']],
    [
      'a malformed transition target',
      { ...base, change: { action: 'transition', toCatalogItemId: 'CFQ7TTC0LDPB:0001' } },
      ['change.toCatalogItemId'],
    ],
    [
      'an unknown transition type and timing',
      {
        ...base,
        change: { action: 'transition', toCatalogItemId: 'P:S:A', transitionType: 'upgrade', timing: 'later' },
      },
      ['change.transitionType', 'change.timing'],
    ],
    [
      'a transition into a subscription that is not a GUID',
      { ...base, change: { action: 'transition', toCatalogItemId: 'P:S:A', toSubscriptionId: 'x' } },
      ['change.toSubscriptionId'],
    ],
    [
      'a scheduled transition into an existing subscription',
      {
        ...base,
        change: {
          action: 'transition',
          toCatalogItemId: 'P:S:A',
          timing: 'scheduled',
          toSubscriptionId: subscriptionId,
        },
      },
      ['change.toSubscriptionId'],
    ],
    [
      'a zero-seat transition',
      { ...base, change: { action: 'transition', toCatalogItemId: 'P:S:A', quantity: 0 } },
      ['change.quantity'],
    ],
    [
      'a conversion with an unknown term, billing cycle and a fractional quantity',
      { ...base, change: { action: 'convertTrial', termDuration: 'P2Y', billingCycle: 'weekly', quantity: 25.5 } },
      ['change.termDuration', 'change.billingCycle', 'change.quantity'],
    ],
    ['a field on suspend', { ...base, change: { action: 'suspend', reason: 'unpaid' } }, ['change.reason']],
    ['a field on reactivate', { ...base, change: { action: 'reactivate', quantity: 2 } }, ['change.quantity']],
    [
      'every bad top-level field at once',
      { requestId: 'has space', customerId: 'nope', subscriptionId: 'nope', change: { action: 'cancel' }, extra: 1 },
      ['requestId', 'customerId', 'subscriptionId', 'extra'],
    ],
    ['not an object', 42, ['request']],
  ])('refuses %s, naming the field', (_name, input, fields) => {
    const validation = validateSubscriptionChangeRequest(input);
    expect(validation.ok).toBe(false);
    if (validation.ok) return;
    expect(validation.problems.map((p) => p.field).sort()).toEqual([...fields].sort());
    for (const problem of validation.problems) expect(problem.problem).not.toBe('');
  });
});

const readAt = '2026-01-10T12:00:00.000Z';
function view(overrides: Partial<SubscriptionView> = {}): SubscriptionView {
  return {
    id: subscriptionId,
    catalogItemId: 'CFQ7TTC0LH18:0001:AVAIL1',
    quantity: 10,
    status: 'active',
    autoRenewEnabled: true,
    friendlyName: 'Sales',
    termDuration: 'P1Y',
    billingCycle: 'monthly',
    cancellationAllowedUntilDate: '2026-01-15T12:00:00.000Z',
    refundableQuantity: {
      totalQuantity: 10,
      details: [{ quantity: 10, allowedUntilDateTime: '2026-01-15T12:00:00.000Z' }],
    },
    refundOptions: [
      { type: 'Full', expiresAt: '2026-01-09T12:00:00.000Z' },
      { type: 'Partial', expiresAt: '2026-01-15T12:00:00.000Z' },
    ],
    readAt,
    ...overrides,
  };
}

const refusedType = (v: SubscriptionView, change: PatchChange) => {
  const verdict = checkChange(v, change);
  return verdict.kind === 'refused' ? verdict.refusal.type : verdict.kind;
};

describe('checkChange: new-commerce rules before any PATCH', () => {
  it('allows a seat increase at any time, even after the window', () => {
    const closed = view({
      cancellationAllowedUntilDate: '2026-01-01T00:00:00Z',
      refundableQuantity: { totalQuantity: 0, details: [] },
    });
    expect(checkChange(closed, { action: 'setQuantity', quantity: 15 })).toEqual({
      kind: 'allowed',
      target: { quantity: 15 },
    });
  });

  it('allows a reduction of refundable seats, refuses more than are refundable', () => {
    const partly = view({
      refundableQuantity: {
        totalQuantity: 3,
        details: [{ quantity: 3, allowedUntilDateTime: '2026-01-15T12:00:00Z' }],
      },
    });
    expect(refusedType(partly, { action: 'setQuantity', quantity: 7 })).toBe('allowed');
    expect(refusedType(partly, { action: 'setQuantity', quantity: 6 })).toBe('OutsideCancellationWindow');
  });

  it('counts only refundable batches whose deadline has not passed when read', () => {
    const mixed = view({
      refundableQuantity: {
        totalQuantity: 10,
        details: [
          { quantity: 6, allowedUntilDateTime: '2026-01-10T11:59:59Z' },
          { quantity: 4, allowedUntilDateTime: '2026-01-12T00:00:00Z' },
        ],
      },
    });
    expect(refundableSeats(mixed)).toBe(4);
    expect(refusedType(mixed, { action: 'setQuantity', quantity: 5 })).toBe('OutsideCancellationWindow');
  });

  it('refuses a reduction and a cancellation once no seat is refundable (the server clock decides, not ours)', () => {
    const closedByServer = view({ refundableQuantity: { totalQuantity: 0, details: [] } });
    expect(cancellationWindowClosed(closedByServer)).toBe(true);
    expect(refusedType(closedByServer, { action: 'setQuantity', quantity: 9 })).toBe('OutsideCancellationWindow');
    expect(refusedType(closedByServer, { action: 'cancel' })).toBe('OutsideCancellationWindow');
  });

  it('refuses a cancellation after cancellationAllowedUntilDate', () => {
    const late = view({ cancellationAllowedUntilDate: '2026-01-10T11:00:00Z' });
    const verdict = checkChange(late, { action: 'cancel' });
    expect(verdict).toMatchObject({
      kind: 'refused',
      refusal: { type: 'OutsideCancellationWindow', details: { cancellationAllowedUntilDate: '2026-01-10T11:00:00Z' } },
    });
  });

  it('leaves the decision to Partner Center when it reports no window data', () => {
    const unknown = view({ cancellationAllowedUntilDate: undefined, refundableQuantity: undefined });
    expect(refundableSeats(unknown)).toBeUndefined();
    expect(refusedType(unknown, { action: 'setQuantity', quantity: 1 })).toBe('allowed');
    expect(refusedType(unknown, { action: 'cancel' })).toBe('allowed');
  });

  it.each(['suspended', 'expired', 'disabled', 'pending'])('refuses any change of a %s subscription', (status) => {
    const verdict = checkChange(view({ status }), { action: 'rename', friendlyName: 'x' });
    expect(verdict).toMatchObject({
      kind: 'refused',
      refusal: { type: 'ChangeRejected', details: { code: 'SubscriptionNotActive', status } },
    });
  });

  it('refuses changes of a deleted subscription but finds a cancellation already in effect', () => {
    expect(refusedType(view({ status: 'deleted' }), { action: 'setQuantity', quantity: 11 })).toBe('ChangeRejected');
    expect(checkChange(view({ status: 'deleted' }), { action: 'cancel' })).toEqual({ kind: 'in-effect' });
  });

  it('refuses scheduled next-term changes without auto-renew', () => {
    const verdict = checkChange(view({ autoRenewEnabled: false }), { action: 'scheduleNextTerm', quantity: 5 });
    expect(verdict).toMatchObject({
      kind: 'refused',
      refusal: { type: 'ChangeRejected', details: { code: 'AutoRenewRequired' } },
    });
  });

  it('needs the catalog item id of the new availability for a different term', () => {
    const verdict = checkChange(view(), { action: 'scheduleNextTerm', termDuration: 'P3Y' });
    expect(verdict).toMatchObject({ kind: 'refused', refusal: { type: 'InvalidChangeRequest' } });
    expect(refusedType(view(), { action: 'scheduleNextTerm', termDuration: 'P1Y', quantity: 4 })).toBe('allowed');
    expect(
      refusedType(view(), {
        action: 'scheduleNextTerm',
        termDuration: 'P3Y',
        catalogItemId: 'CFQ7TTC0LH18:0001:AVAIL3',
      }),
    ).toBe('allowed');
  });

  it.each<[string, PatchChange]>([
    ['same quantity', { action: 'setQuantity', quantity: 10 }],
    ['same auto-renew', { action: 'setAutoRenew', enabled: true }],
    ['same name', { action: 'rename', friendlyName: 'Sales' }],
  ])('finds a change already in effect (%s): nothing to send', (_name, change) => {
    expect(checkChange(view(), change)).toEqual({ kind: 'in-effect' });
  });
});

describe('targetOf: scheduled instructions', () => {
  it('fills what the request leaves out from the subscription', () => {
    expect(targetOf(view(), { action: 'scheduleNextTerm', quantity: 4 })).toEqual({
      scheduledNextTerm: {
        catalogItemId: 'CFQ7TTC0LH18:0001:AVAIL1',
        termDuration: 'P1Y',
        billingCycle: 'monthly',
        quantity: 4,
      },
    });
  });

  it('merges over instructions already scheduled, and sees them in effect', () => {
    const scheduled = view({
      scheduledNextTerm: {
        catalogItemId: 'CFQ7TTC0LH18:0001:AVAIL1',
        termDuration: 'P1Y',
        billingCycle: 'annual',
        quantity: 20,
      },
    });
    expect(targetOf(scheduled, { action: 'scheduleNextTerm', quantity: 25 }).scheduledNextTerm).toMatchObject({
      billingCycle: 'annual',
      quantity: 25,
    });
    expect(checkChange(scheduled, { action: 'scheduleNextTerm', billingCycle: 'annual' })).toEqual({
      kind: 'in-effect',
    });
  });
});

describe('refundOf', () => {
  it('reports the seats removed by a reduction and the refund policy read before it', () => {
    const before = view();
    expect(refundOf(before, { action: 'setQuantity', quantity: 6 })).toEqual({
      seatsRemoved: 4,
      refundableBefore: before.refundableQuantity,
      refundOptions: before.refundOptions,
    });
  });

  it('reports every seat for a cancellation and nothing for an increase or rename', () => {
    expect(refundOf(view(), { action: 'cancel' })?.seatsRemoved).toBe(10);
    expect(refundOf(view(), { action: 'setQuantity', quantity: 11 })).toBeUndefined();
    expect(refundOf(view(), { action: 'rename', friendlyName: 'x' })).toBeUndefined();
  });
});

describe('names', () => {
  it('derives the workflow id from the request id', () => {
    expect(subscriptionChangeWorkflowId('abc-1')).toBe('change-abc-1');
  });

  it('describes each change for people', () => {
    expect(describeSubscriptionChange({ action: 'setQuantity', quantity: 3 })).toBe('set quantity to 3');
    expect(describeSubscriptionChange({ action: 'setAutoRenew', enabled: false })).toBe('disable auto-renew');
    expect(describeSubscriptionChange({ action: 'scheduleNextTerm', billingCycle: 'annual', quantity: 5 })).toBe(
      'at renewal: billed annual, 5 seats',
    );
  });
});

describe('validateLifecycleInput: the subscription as adoption listed it', () => {
  const subscriptionId = '6b1f4a3e-2c1d-4e5f-8a9b-0c1d2e3f4a5b';
  const listed = {
    id: subscriptionId,
    catalogItemId: 'CFQ7TTC0LH18:0001:CFQ7TTC02ZTA',
    quantity: 10,
    status: 'active',
    autoRenewEnabled: true,
    termDuration: 'P1Y',
    billingCycle: 'monthly',
    commitmentEndDate: '2027-12-01T00:00:00Z',
    readAt: '2026-12-07T10:00:00.000Z',
  };
  const input = { customerId: '1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b', subscriptionId };

  it('takes it when it is the subscription of the input', () => {
    const validation = validateLifecycleInput({ ...input, listed });
    expect(validation.ok && validation.request.listed).toEqual(listed);
  });

  it("refuses another subscription's, and fields the lifecycle does not use (the input stays small)", () => {
    const other = validateLifecycleInput({
      ...input,
      listed: { ...listed, id: '00000000-0000-4000-8000-000000000001' },
    });
    expect(other.ok ? [] : other.problems).toEqual([
      { field: 'listed.id', problem: 'must be the subscriptionId (got "00000000-0000-4000-8000-000000000001")' },
    ]);
    const extra = validateLifecycleInput({ ...input, listed: { ...listed, refundOptions: [] } });
    expect(extra.ok).toBe(false);
  });
});
