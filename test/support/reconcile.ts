import type { CatalogResolver, PartnerCenterClient, Subscription } from '../../src/partner-center';
import type { ReconcileInput } from '../../src/workflows/billing/types';
import type { offers } from '../integration/purchase/harness';

/** Reconciling November 2026 (the current period, in USD) as of the 25th at noon. */
export const novemberReconcileInput: ReconcileInput = {
  period: 'current',
  currency: 'USD',
  periodStart: '2026-11-01T00:00:00.000Z',
  periodEnd: '2026-12-01T00:00:00.000Z',
  asOf: '2026-11-25T12:00:00.000Z',
};

export type Offer = (typeof offers)[keyof typeof offers];

/** Buys `items` for a customer in one cart (one year billed monthly, `country`'s catalog); the subscriptions in item order. */
export async function buySubscriptions(
  pc: PartnerCenterClient,
  catalog: CatalogResolver,
  customerId: string,
  items: Array<[Offer, number]>,
  country = 'US',
): Promise<Subscription[]> {
  const lineItems = await Promise.all(
    items.map(async ([offer, quantity], id) => {
      const resolved = await catalog.resolve({
        ...offer,
        termDuration: 'P1Y',
        billingCycle: 'monthly',
        country,
        segment: 'commercial',
      });
      return {
        id,
        catalogItemId: resolved.catalogItemId,
        quantity,
        termDuration: 'P1Y' as const,
        billingCycle: 'monthly' as const,
      };
    }),
  );
  const cart = await pc.createCart(customerId, { lineItems });
  const checkout = await pc.checkoutCart(customerId, cart.id);
  const subscriptions = (
    await Promise.all(checkout.orders.map((o) => pc.listSubscriptionsByOrder(customerId, o.id)))
  ).flat();
  return lineItems.map((line) => {
    const found = subscriptions.find((s) => s.offerId === line.catalogItemId);
    if (found === undefined) throw new Error(`no subscription for ${line.catalogItemId}`);
    return found;
  });
}

/** Reads the subscription and sends it back with `change` (its etag included). */
export async function updateSubscription(
  pc: PartnerCenterClient,
  customerId: string,
  subscription: Subscription,
  change: Partial<Subscription>,
): Promise<void> {
  const current = await pc.getSubscription(customerId, subscription.id);
  await pc.updateSubscription(customerId, { ...current, ...change });
}
