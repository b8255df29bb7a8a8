import {
  createCatalogResolver,
  createPartnerCenterClient,
  createTokenProvider,
  type OneTimeInvoiceLineItem,
  type PartnerCenterClient,
  type Subscription,
} from '../../../src/partner-center';
import { startSandbox, type Sandbox } from 'partner-center-sandbox';
import { sandboxTokenOptions } from '../../../src/sandbox-settings';

/** The sandbox billing the reconciliation tests rely on: recurring cycle charges and the charge-seeding control routes. */

const DAY_MS = 24 * 3_600_000;
let sandbox: Sandbox;
let pc: PartnerCenterClient;
let us: string;
let gb: string;

beforeAll(async () => {
  sandbox = await startSandbox({ orderCompletionDelayMs: 0, orderListDelayMs: 0 });
  [us, gb] = sandbox.customerIds as [string, string];
  pc = createPartnerCenterClient({
    baseUrl: sandbox.baseUrl,
    tokens: createTokenProvider(sandboxTokenOptions(sandbox)),
  });
});
afterAll(async () => {
  await sandbox?.close();
});
beforeEach(async () => {
  await sandbox.control.reset();
});

async function buy(quantity: number, billingCycle: 'monthly' | 'annual'): Promise<Subscription> {
  const offer = await createCatalogResolver(pc, {}).resolve({
    productId: 'CFQ7TTC0LH18',
    skuId: '0001',
    termDuration: 'P1Y',
    billingCycle,
    country: 'US',
    segment: 'commercial',
  });
  const cart = await pc.createCart(us, {
    lineItems: [{ id: 0, catalogItemId: offer.catalogItemId, quantity, termDuration: 'P1Y', billingCycle }],
  });
  const [order] = (await pc.checkoutCart(us, cart.id)).orders;
  const [subscription] = await pc.listSubscriptionsByOrder(us, order!.id);
  return subscription!;
}

async function unbilled(...periods: Array<'current' | 'previous'>): Promise<OneTimeInvoiceLineItem[]> {
  const lines: OneTimeInvoiceLineItem[] = [];
  for (const period of periods)
    for await (const line of pc.unbilledReconciliationLineItems({ currencyCode: 'USD', period })) lines.push(line);
  return lines;
}

describe('sandbox billing for reconciliation', () => {
  it('charges a year billed monthly again at its monthly anniversary (cycleCharge), a year billed annually not', async () => {
    const monthly = await buy(5, 'monthly');
    const annual = await buy(3, 'annual');
    await sandbox.control.advanceClock(40 * DAY_MS);
    // The first anniversary is 28–31 days after the purchase: in the sandbox's current or previous month.
    const cycles = (await unbilled('current', 'previous')).filter((l) => l.chargeType === 'cycleCharge');
    expect(cycles).toEqual([expect.objectContaining({ subscriptionId: monthly.id, quantity: 5, customerId: us })]);
    expect(cycles.some((l) => l.subscriptionId === annual.id)).toBe(false);
    const due = new Date(Date.parse(monthly.effectiveStartDate!));
    due.setUTCMonth(due.getUTCMonth() + 1);
    expect(cycles[0]!.chargeStartDate!.slice(0, 10)).toBe(due.toISOString().slice(0, 10));
  });

  it('seeds a charge (also billed to another customer) and drops a subscription’s charges', async () => {
    const s = await buy(4, 'monthly');
    await sandbox.control.addCharge({ subscriptionId: s.id, chargeType: 'addQuantity', quantity: 2 });
    await sandbox.control.addCharge({ subscriptionId: s.id, chargeType: 'new', quantity: 4, customerId: gb });
    const lines = await unbilled('current');
    expect(lines.map((l) => [l.customerId, l.chargeType, l.quantity])).toEqual([
      [us, 'new', 4],
      [us, 'addQuantity', 2],
      [gb, 'new', 4],
    ]);
    expect(lines.every((l) => l.subscriptionId === s.id)).toBe(true);

    expect(await sandbox.control.dropCharges(s.id.toUpperCase())).toBe(3);
    expect(await unbilled('current')).toEqual([]);
    await expect(
      sandbox.control.addCharge({ subscriptionId: 'no-such-subscription', chargeType: 'new', quantity: 1 }),
    ).rejects.toThrow(/404/);
    await expect(
      sandbox.control.addCharge({
        subscriptionId: s.id,
        chargeType: 'new',
        quantity: 1,
        customerId: 'no-such-customer',
      }),
    ).rejects.toThrow(/404/);
  });
});
