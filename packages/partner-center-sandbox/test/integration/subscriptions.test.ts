import type { Sandbox } from '../../src';
import { api, catalogItemFor, sandboxForFile, type PartnerTokens } from './helpers';

type Json = Record<string, unknown>;
type Subscription = Json & {
  id: string;
  quantity: number;
  status: string;
  autoRenewEnabled: boolean;
  attributes: { etag: string };
};

const HOUR = 3_600_000;
let sandbox: Sandbox;
let tokens: PartnerTokens;
let customer: string;

sandboxForFile(
  { seed: 31, orderCompletionDelayMs: 0, orderListDelayMs: 0 },
  (started) => ({ sandbox, tokens, customer } = started),
);

/** Buys `quantity` seats of Business Basic and returns the subscription once the order completed. */
async function purchase(
  quantity = 10,
  term = 'P1Y',
  billingCycle = 'monthly',
  productId = 'CFQ7TTC0LH18',
  skuId = '0001',
): Promise<Subscription> {
  const catalogItemId = await catalogItemFor(sandbox, tokens.appOnly, productId, skuId, term);
  const cart = await api<{ id: string }>(sandbox, tokens.appOnly, 'POST', `/customers/${customer}/carts`, {
    lineItems: [{ id: 0, catalogItemId, quantity, termDuration: term, billingCycle }],
  });
  const placed = await api<{ orders: Array<{ id: string }> }>(
    sandbox,
    tokens.appOnly,
    'POST',
    `/customers/${customer}/carts/${cart.body.id}/checkout`,
  );
  const order = await api<{ lineItems: Array<{ subscriptionId: string }> }>(
    sandbox,
    tokens.appOnly,
    'GET',
    `/customers/${customer}/orders/${placed.body.orders[0].id}`,
  );
  return get(order.body.lineItems[0].subscriptionId);
}

async function get(id: string): Promise<Subscription> {
  const response = await api<Subscription>(
    sandbox,
    tokens.appOnly,
    'GET',
    `/customers/${customer}/subscriptions/${id}`,
  );
  expect(response.status).toBe(200);
  return response.body;
}

const patch = (s: Subscription, changes: Json, headers: Record<string, string> = {}) =>
  api<Subscription & { code?: number; description?: string }>(
    sandbox,
    tokens.appOnly,
    'PATCH',
    `/customers/${customer}/subscriptions/${s.id}`,
    { ...s, ...changes },
    headers,
  );

type ReconLine = {
  chargeType: string;
  subscriptionId: string;
  quantity: number;
  subtotal: number;
  chargeStartDate: string;
};

/** Unbilled line items of the previous and the current month (advancing the clock can cross a month end). */
async function unbilled(): Promise<ReconLine[]> {
  const lines: ReconLine[] = [];
  for (const period of ['previous', 'current']) {
    const page = await api<{ items: ReconLine[] }>(
      sandbox,
      tokens.appOnly,
      'GET',
      `/invoices/unbilled/lineitems?provider=onetime&invoicelineitemtype=billinglineitems&currencycode=USD&period=${period}`,
    );
    lines.push(...page.body.items);
  }
  return lines;
}

describe('subscription changes', () => {
  test('seats can be added any time and removed only within 168 hours of being added', async () => {
    const s = await purchase(10);
    const added = await patch(s, { quantity: 15 });
    expect(added.status).toBe(200);
    expect(added.body.quantity).toBe(15);
    expect(added.body.attributes.etag).not.toBe(s.attributes.etag);
    expect((await patch(added.body, { quantity: 12 })).body.quantity).toBe(12);

    await sandbox.control.advanceClock(169 * HOUR);
    const late = await patch(await get(s.id), { quantity: 11 });
    expect(late.status).toBe(400);
    expect(late.body.code).toBe(900214);
    const more = await patch(await get(s.id), { quantity: 14 });
    expect(more.status).toBe(200);
    // Only the two seats added just now are refundable.
    expect(more.body.refundableQuantity).toMatchObject({ totalQuantity: 2 });
    const tooMany = await patch(more.body, { quantity: 11 });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.code).toBe(800090);
    expect((await patch(more.body, { quantity: 12 })).status).toBe(200);
    expect((await unbilled()).map((l) => l.chargeType)).toEqual([
      'new',
      'addQuantity',
      'removeQuantity',
      'addQuantity',
      'removeQuantity',
    ]);
  });

  test('cancellation works inside the 168-hour window and is refused after it', async () => {
    const early = await purchase(3);
    const cancelled = await patch(early, { status: 'deleted' });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('deleted');
    const credit = (await unbilled()).find((l) => l.chargeType === 'cancelImmediate');
    expect(credit).toMatchObject({ subscriptionId: early.id, quantity: 3 });
    expect(credit!.subtotal).toBeLessThan(0);
    const again = await patch(cancelled.body, { status: 'active' });
    expect(again.status).toBe(400);
    expect(again.body.code).toBe(900279);

    const late = await purchase(3);
    await sandbox.control.advanceClock(168 * HOUR + 60_000);
    const refused = await patch(await get(late.id), { status: 'deleted' });
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe(900213);
    expect(refused.body.description).toContain('168-hour');
    expect((await get(late.id)).status).toBe('active');
  });

  test('PATCH has full-body semantics: an omitted autoRenewEnabled turns auto-renew off', async () => {
    const s = await purchase(4);
    expect(s.autoRenewEnabled).toBe(true);
    const minimal = await api<Subscription>(
      sandbox,
      tokens.appOnly,
      'PATCH',
      `/customers/${customer}/subscriptions/${s.id}`,
      { quantity: 4, friendlyName: 'renamed' },
    );
    expect(minimal.status).toBe(200);
    expect(minimal.body).toMatchObject({ autoRenewEnabled: false, friendlyName: 'renamed' });
  });

  test('scheduled next-term instructions require auto-renew and apply at renewal', async () => {
    const s = await purchase(5, 'P1M', 'monthly');
    const annual = (await catalogItemFor(sandbox, tokens.appOnly, 'CFQ7TTC0LH18', '0001', 'P1Y')).split(':');
    const instructions = {
      product: {
        productId: annual[0],
        skuId: annual[1],
        availabilityId: annual[2],
        termDuration: 'P1Y',
        billingCycle: 'Annual',
      },
      quantity: 7,
    };
    const refused = await patch(s, { autoRenewEnabled: false, scheduledNextTermInstructions: instructions });
    expect(refused.status).toBe(400);
    expect(refused.body.description).toContain('scheduledNextTermInstructions');
    const accepted = await patch(s, { autoRenewEnabled: true, scheduledNextTermInstructions: instructions });
    expect(accepted.status).toBe(200);
    expect(accepted.body.scheduledNextTermInstructions).toMatchObject({
      quantity: 7,
      product: { termDuration: 'P1Y', billingCycle: 'annual' },
    });
    await sandbox.control.advanceClock(32 * 24 * HOUR);
    const renewed = await get(s.id);
    expect(renewed).toMatchObject({ status: 'active', quantity: 7, termDuration: 'P1Y', billingCycle: 'annual' });
    expect(renewed.scheduledNextTermInstructions).toBeUndefined();
    expect((await unbilled()).map((l) => l.chargeType)).toContain('renew');
  });

  test('without auto-renew a subscription expires at the end of its term and cannot be changed', async () => {
    const s = await purchase(2, 'P1M', 'monthly');
    const off = await patch(s, { autoRenewEnabled: false });
    expect(off.body.autoRenewEnabled).toBe(false);
    await sandbox.control.advanceClock(32 * 24 * HOUR);
    expect((await get(s.id)).status).toBe('expired');
    expect((await patch(await get(s.id), { quantity: 3 })).body.code).toBe(900279);
  });

  test('a long-running PATCH answers 202 + Location, refuses further changes with 409/800082, then lands', async () => {
    const s = await purchase(6);
    await sandbox.control.setDelays({ patchAcceptedMs: 10_000 });
    const accepted = await patch(s, { quantity: 8, autoRenewEnabled: true });
    expect(accepted.status).toBe(202);
    expect(accepted.headers.get('location')).toBe(`/customers/${customer}/subscriptions/${s.id}`);
    const busy = await patch(s, { quantity: 9, autoRenewEnabled: true });
    expect(busy.status).toBe(409);
    expect(busy.body.code).toBe(800082);
    expect(
      (
        await api<Json>(
          sandbox,
          tokens.appUser,
          'GET',
          `/customers/${customer}/subscriptions/${s.id}/provisioningstatus`,
        )
      ).body.status,
    ).toBe('pending');
    expect((await get(s.id)).quantity).toBe(6);
    await sandbox.control.advanceClock(10_000);
    expect((await get(s.id)).quantity).toBe(8);
  });

  test('a stale If-Match etag is refused with 412; the current one is accepted', async () => {
    const s = await purchase(2);
    const changed = await patch(s, { quantity: 3, autoRenewEnabled: true });
    const stale = await patch(changed.body, { quantity: 4 }, { 'If-Match': `"${s.attributes.etag}"` });
    expect(stale.status).toBe(412);
    expect(stale.body.code).toBe(2055);
    expect(
      (await patch(changed.body, { quantity: 4 }, { 'If-Match': `"${changed.body.attributes.etag}"` })).status,
    ).toBe(200);
  });

  test('quantity outside the SKU range is refused with 2002; suspended subscriptions cannot change seats', async () => {
    const s = await purchase(2);
    const tooMany = await patch(s, { quantity: 301 });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.code).toBe(2002);
    expect(tooMany.body.description).toContain("'quantity'");
    const suspended = await patch(s, { status: 'suspended', autoRenewEnabled: true });
    expect(suspended.body.status).toBe('suspended');
    expect((await patch(suspended.body, { quantity: 3 })).body.code).toBe(2001);
    expect((await patch(suspended.body, { status: 'active' })).body.status).toBe('active');
  });

  test('provisioning status can be forced through the control API and is App+User only', async () => {
    const s = await purchase(1);
    await sandbox.control.setProvisioningStatus(s.id, 'failed');
    const path = `/customers/${customer}/subscriptions/${s.id}/provisioningstatus`;
    expect((await api<Json>(sandbox, tokens.appUser, 'GET', path)).body).toMatchObject({
      status: 'failed',
      quantity: 1,
    });
    expect((await api<Json>(sandbox, tokens.appOnly, 'GET', path)).status).toBe(403);
  });

  test('a trial with auto-renew converts to the paid offer at day 30', async () => {
    const trial = await purchase(25, 'P1M', 'none', 'CFQ7TTC0LDPB', '0002');
    expect(trial).toMatchObject({ isTrial: true, quantity: 25, billingCycle: 'none' });
    await sandbox.control.advanceClock(32 * 24 * HOUR);
    const converted = await get(trial.id);
    expect(converted).toMatchObject({
      isTrial: false,
      status: 'active',
      termDuration: 'P1Y',
      billingCycle: 'monthly',
      quantity: 25,
    });
    expect(converted.offerId).toMatch(/^CFQ7TTC0LDPB:0001:/);
  });
});
