import type { Sandbox } from 'partner-center-sandbox';
import { createPartnerCenterClient, createTokenProvider } from '../../src/partner-center';
import { sandboxTokenOptions } from '../../src/sandbox-settings';
import type { ReconcileReport } from '../../src/workflows/billing/types';

/**
 * A generated Graph export that bills the sandbox's own subscriptions (`generatedForWorld`), so a reconciliation of
 * it matches its lines with real orders and subscriptions: one subscription left out (a missing charge), one billed
 * a seat too many (a quantity mismatch), and two subscriptions nobody has (unexpected charges, one per customer of
 * the first two). Every line moves seats or money, so a line lost or counted twice changes the report.
 */

const OFFERS = [
  { productId: 'CFQ7TTC0LH18', skuId: '0001' },
  { productId: 'CFQ7TTC0LCHC', skuId: '0002' },
  { productId: 'CFQ7TTC0LF8Q', skuId: '0001' },
  { productId: 'CFQ7TTC0LFLX', skuId: '0002' },
];
/** Subscriptions that do not exist, billed to the partner's first customers in turn. */
const UNKNOWN = 2;

export interface WorldExport {
  invoiceId: string;
  lines: number;
  /** The first customer's subscriptions, in the order bought; the export bills all but `leftOut`. */
  subscriptions: Array<{ id: string; quantity: number }>;
  leftOut: { id: string; quantity: number };
  extraSeat: { id: string; quantity: number };
}

/** Buys `count` subscriptions for the first customer (its orders listed at once) and bills them in a `lines`-line export. */
export async function createWorldExport(sandbox: Sandbox, lines: number, count = 12): Promise<WorldExport> {
  await sandbox.control.setDelays({ orderListMs: 0 });
  const subscriptions: WorldExport['subscriptions'] = [];
  for (let i = 0; i < count; i += 1) {
    const quantity = 3 + 2 * i;
    const offer = OFFERS[i % OFFERS.length]!;
    const { id } = await sandbox.control.seedSubscription({ customerId: sandbox.customerIds[0]!, ...offer, quantity });
    subscriptions.push({ id, quantity });
  }
  const [leftOut, extraSeat] = [subscriptions[3]!, subscriptions[7]!];
  const invoice = await sandbox.control.createInvoice({
    generatedLines: lines,
    generatedForWorld: { leaveOut: [leftOut.id], extraSeat: [extraSeat.id], unknown: UNKNOWN },
  });
  return { invoiceId: invoice.id, lines, subscriptions, leftOut, extraSeat };
}

/**
 * The report of the export: every line once, each subscription matched but the three deliberate mismatches, found
 * exactly, and the billed amount the orders' prices make (plus what the unknown subscriptions were charged).
 */
export async function expectWorldReport(report: ReconcileReport, world: WorldExport, sandbox: Sandbox): Promise<void> {
  const { leftOut, extraSeat } = world;
  const billed = world.subscriptions.filter((s) => s.id !== leftOut.id);
  expect(report.lines).toBe(world.lines);
  expect(report.subscriptions).toBe(billed.length + UNKNOWN);
  expect(report.matched).toBe(billed.length - 1);
  expect(report.totals).toEqual({ unexpectedCharges: UNKNOWN, missingCharges: 1, quantityMismatches: 1 });
  expect(report.unverified).toBe(0);
  expect(report.missingCharges).toEqual([
    expect.objectContaining({
      subscriptionId: leftOut.id,
      chargeTypes: ['new'],
      billedQuantity: 0,
      expectedQuantity: leftOut.quantity,
    }),
  ]);
  expect(report.quantityMismatches).toEqual([
    expect.objectContaining({
      subscriptionId: extraSeat.id,
      billedQuantity: extraSeat.quantity + 1,
      expectedQuantity: extraSeat.quantity,
    }),
  ]);
  const unexpected = [...report.unexpectedCharges].sort((a, b) => a.customerId.localeCompare(b.customerId));
  expect(unexpected.map((f) => [f.customerId, f.billedQuantity])).toEqual(
    sandbox.customerIds
      .slice(0, UNKNOWN)
      .map((id) => [id.toLowerCase(), 1])
      .sort(([a], [b]) => String(a).localeCompare(String(b))),
  );
  // One term-start line per subscription billed, and the seats of every line netting to what each was billed.
  expect(report.chargeTypes.new?.lines).toBe(billed.length + UNKNOWN);
  const netSeats = Object.values(report.chargeTypes).reduce((sum, t) => sum + t.quantity, 0);
  expect(netSeats).toBe(billed.reduce((sum, s) => sum + s.quantity, 0) + 1 + UNKNOWN);
  const prices = await unitPrices(sandbox);
  const expectedAmount =
    billed.reduce((sum, s) => sum + prices.get(s.id)! * s.quantity, 0) +
    prices.get(extraSeat.id)! +
    unexpected.reduce((sum, f) => sum + f.billedAmount, 0);
  expect(report.billedAmount).toBeCloseTo(expectedAmount, 2);
}

/** Each subscription of the first customer at its unit price, from its order. */
async function unitPrices(sandbox: Sandbox): Promise<Map<string, number>> {
  const pc = createPartnerCenterClient({
    baseUrl: sandbox.baseUrl,
    tokens: createTokenProvider(sandboxTokenOptions(sandbox)),
  });
  const orders = await pc.listOrders(sandbox.customerIds[0]!);
  return new Map(
    orders.flatMap((o) =>
      o.lineItems.flatMap((l) =>
        l.subscriptionId !== undefined && l.pricing?.price !== undefined ? [[l.subscriptionId, l.pricing.price]] : [],
      ),
    ),
  );
}
