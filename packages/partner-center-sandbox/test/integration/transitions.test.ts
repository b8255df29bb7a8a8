import type { Sandbox } from '../../src';
import { api, catalogItemFor, sandboxForFile, type PartnerTokens } from './helpers';

/** Transitions and trial conversions at the HTTP level (docs/sandbox.md, Subscription lifecycle). */

type Json = Record<string, unknown>;
interface Eligibility {
  catalogItemId: string;
  termDuration: string;
  eligibilities: Array<{ isEligible: boolean; transitionType: string; errors: Array<{ code: number }> }>;
  subscriptionEligibilities: Array<{ subscriptionId: string; isEligible: boolean; errors: Array<{ code: number }> }>;
}
interface Transition {
  id: string;
  toSubscriptionId?: string;
  events: Array<{ name: string; status: string }>;
}

let sandbox: Sandbox;
let tokens: PartnerTokens;
let customer: string;
sandboxForFile({ seed: 41, orderCompletionDelayMs: 0, orderListDelayMs: 0 }, (started) => {
  ({ sandbox, tokens, customer } = started);
});

const BASIC = { productId: 'CFQ7TTC0LH18', skuId: '0001' };
const STANDARD = { productId: 'CFQ7TTC0LDPB', skuId: '0001' };
const path = (id: string, rest = '') => `/customers/${customer}/subscriptions/${id}${rest}`;
const call = <T>(method: string, url: string, body?: unknown) => api<T>(sandbox, tokens.appOnly, method, url, body);
const seed = async (offer: { productId: string; skuId: string }, quantity: number, termDuration?: 'P1M' | 'P1Y') =>
  (await sandbox.control.seedSubscription({ customerId: customer, ...offer, quantity, termDuration })).id;
const eligibilities = async (id: string, type = 'immediate') =>
  (await call<{ items: Eligibility[] }>('GET', path(id, `/transitionEligibilities?EligibilityType=${type}`))).body
    .items;

test('lists the upgrade targets with both types, and the subscriptions that could take the seats', async () => {
  const source = await seed(BASIC, 5, 'P1Y');
  const into = await seed(STANDARD, 1, 'P1M');
  const standardP1Y = await catalogItemFor(sandbox, tokens.appOnly, STANDARD.productId, STANDARD.skuId, 'P1Y');
  const items = await eligibilities(source);
  expect(new Set(items.map((i) => i.catalogItemId.split(':').slice(0, 2).join(':')))).toEqual(
    new Set(['CFQ7TTC0LDPB:0001', 'CFQ7TTC0LCHC:0002']),
  );
  const item = items.find((i) => i.catalogItemId === standardP1Y)!;
  expect(item.eligibilities.map((e) => [e.transitionType, e.isEligible])).toEqual([
    ['transition_only', true],
    ['transition_with_license_transfer', true],
  ]);
  expect(item.subscriptionEligibilities).toEqual([
    expect.objectContaining({ subscriptionId: into, isEligible: false, errors: expect.any(Array) }),
  ]);
  expect(item.subscriptionEligibilities[0]!.errors.map((e) => e.code)).toEqual([2, 3, 4]);
  // A month-long target would shorten the term (8); scheduled lists no subscriptions.
  const monthly = items.find((i) => i.catalogItemId.startsWith('CFQ7TTC0LDPB:0001') && i.termDuration === 'P1M')!;
  expect(monthly.eligibilities[0]!.errors.map((e) => e.code)).toEqual([8]);
  expect((await eligibilities(source, 'Scheduled')).every((i) => i.subscriptionEligibilities.length === 0)).toBe(true);
});

test('a transition (PascalCase body) starts, then completes when the order delay passes; the seats move', async () => {
  const source = await seed(BASIC, 5, 'P1Y');
  const standardP1Y = await catalogItemFor(sandbox, tokens.appOnly, STANDARD.productId, STANDARD.skuId, 'P1Y');
  await sandbox.control.setDelays({ orderCompletionMs: 60_000 });
  const posted = await call<Transition>('POST', path(source, '/transitions'), {
    ToCatalogItemId: standardP1Y,
    Quantity: 2,
    TransitionType: 'Transition_With_License_Transfer',
  });
  expect(posted.status).toBe(200);
  expect(posted.body.events.map((e) => `${e.name} ${e.status}`)).toEqual([
    'Conversion Started',
    'LicenseReassignment Started',
  ]);
  // In progress: the subscription is not eligible again (6).
  expect((await eligibilities(source)).every((i) => i.eligibilities[0]!.errors.some((e) => e.code === 6))).toBe(true);
  await sandbox.control.advanceClock(61_000);
  await sandbox.control.setDelays({ orderCompletionMs: 0 });
  const listed = await call<{ items: Transition[] }>(
    'GET',
    path(source, `/transitions?operation-id=${posted.body.id}`),
  );
  const [done] = listed.body.items;
  expect(done!.events.map((e) => e.status)).toEqual(['Completed', 'Completed']);
  expect((await call<Json>('GET', path(source))).body).toMatchObject({ quantity: 3, status: 'active' });
  expect((await call<Json>('GET', path(done!.toSubscriptionId!))).body).toMatchObject({
    offerId: standardP1Y,
    quantity: 2,
    termDuration: 'P1Y',
  });
});

test('refuses an ineligible target (900258) and a trial conversion below its seats (900259)', async () => {
  const source = await seed(BASIC, 5, 'P1Y');
  const e3 = await catalogItemFor(sandbox, tokens.appOnly, 'CFQ7TTC0LF8R', '0001', 'P1Y');
  const refused = await call<{ code: number }>('POST', path(source, '/transitions'), {
    toCatalogItemId: e3,
    quantity: 1,
    transitionType: 'transition_only',
  });
  expect([refused.status, refused.body.code]).toEqual([400, 900258]);

  const trial = await seed({ productId: 'CFQ7TTC0LDPB', skuId: '0002' }, 25);
  const paid = (await eligibilities(trial)).find((i) => i.catalogItemId.startsWith('CFQ7TTC0LDPB:0001'))!;
  const fewer = await call<{ code: number }>('POST', path(trial, '/transitions'), {
    toCatalogItemId: paid.catalogItemId,
    quantity: 10,
    transitionType: 'transition_only',
  });
  expect([fewer.status, fewer.body.code]).toEqual([400, 900259]);
});
