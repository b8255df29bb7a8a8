import type { SandboxCounters } from 'partner-center-sandbox';
import { line, offers, purchaseRequest, startRig, type PurchaseRig } from './harness';

/**
 * What a purchase that waits for its order costs Partner Center, counted by the sandbox rather than added up by
 * hand. The production poller (ORDER_POLL_INTERVAL 15 s, growing ×4 up to ORDER_POLL_MAX_INTERVAL 210 s) scaled down
 * a hundredfold, so a 15-minute wait takes 9 s: the schedule's shape, and so its number of reads, is the same.
 */
const SCALE = 100;
const FIFTEEN_MINUTES_MS = (15 * 60_000) / SCALE;

let rig: PurchaseRig;
beforeAll(async () => {
  rig = await startRig({ orderCompletionDelayMs: FIFTEEN_MINUTES_MS, orderListDelayMs: 0 });
});
afterAll(async () => {
  await rig?.close();
});

/** The requests of each route the sandbox saw after `before`, without those that did not change. */
function requestsSince(before: SandboxCounters, after: SandboxCounters): Record<string, number> {
  return Object.fromEntries(
    Object.entries(after.requests)
      .map(([route, count]) => [route, count - (before.requests[route] ?? 0)] as const)
      .filter(([, count]) => count > 0),
  );
}

test('a purchase whose order shows after 15 minutes makes at most 12 requests, as the sandbox counts them', async () => {
  const customerId = rig.sandbox.customerIds[0]!;
  await rig.withWorker(
    async ({ start }) => {
      // The catalog is read once per worker and cached: a first purchase reads it before counting starts.
      await (await start(purchaseRequest(customerId, [line(offers.businessBasic, 1)]))).result();
      const before = await rig.sandbox.control.counters();
      const result = await (await start(purchaseRequest(customerId, [line(offers.businessBasic, 2)]))).result();
      expect(result.status).toBe('completed');
      const requests = requestsSince(before, await rig.sandbox.control.counters());
      const orderReads = requests['GET /v1/customers/{customerId}/orders/{orderId}'] ?? 0;
      const total = Object.values(requests).reduce((sum, count) => sum + count, 0);
      console.log(`a 15-minute wait (scaled): ${orderReads} order reads, ${total} requests in all`, requests);
      // The production schedule reads at 0, 15, 75, 285, 495, 705 and 915 s: seven, the last one seeing the order.
      expect(orderReads).toBeGreaterThanOrEqual(6);
      expect(orderReads).toBeLessThanOrEqual(7);
      expect(total).toBeLessThanOrEqual(12);
    },
    { orderPollIntervalMs: 15_000 / SCALE, orderPollMaxIntervalMs: 210_000 / SCALE },
  );
});
