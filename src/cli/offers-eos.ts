import type { PartnerCenterSettings } from '../config';
import type { PartnerCenterClient, PriceSheetClient } from '../partner-center';
import { connectPartnerCenter } from '../partner-center-connection';
import { UsageError } from './errors';
import type { Values } from './flags';
import { table, type Output } from './output';

/** A subscription whose offer is on the end-of-sale list: it renews only until that date (and only with auto-renew on). */
export interface EndOfSaleSubscription {
  customerId: string;
  subscriptionId: string;
  offerId: string;
  friendlyName?: string;
  status: string;
  autoRenewEnabled?: boolean;
  commitmentEndDate?: string;
}

export interface EndOfSaleOffer {
  productId: string;
  skuId: string;
  /** The day the offer leaves the catalog. */
  endOfSaleDate: string;
  subscriptions: EndOfSaleSubscription[];
}

/**
 * `pcw offers eos [--market US]`: the market's end-of-sale offers (the `licensebasedeos` price sheet) with their dates,
 * and every subscription of every customer that carries one, with its auto-renew state: the renewals that will stop.
 * Partner Center only (paged customers, then each one's subscriptions), no Temporal.
 */
export function planOffers(
  args: string[],
  values: Values,
): (settings: PartnerCenterSettings, out: Output) => Promise<void> {
  if (args.length !== 1 || args[0] !== 'eos') throw new UsageError(['offers takes one subcommand: eos']);
  const market = values.market ?? 'US';
  if (!/^[A-Za-z]{2}$/.test(market))
    throw new UsageError([`--market must be an ISO 3166-1 alpha-2 code (got "${market}")`]);
  return async (settings, out) => {
    const { client, prices } = connectPartnerCenter(settings);
    const offers = await endOfSaleOffers(client, prices, market.toUpperCase());
    out.emit({ market: market.toUpperCase(), offers }, describeOffers(market.toUpperCase(), offers));
  };
}

export async function endOfSaleOffers(
  pc: PartnerCenterClient,
  prices: PriceSheetClient,
  market: string,
): Promise<EndOfSaleOffer[]> {
  const sheet = await prices.sheet({ market, view: 'licensebasedeos' });
  const offers = new Map<string, EndOfSaleOffer>(
    sheet
      .offers()
      .map(({ productId, skuId, row }) => [
        `${productId}:${skuId}`.toUpperCase(),
        { productId, skuId, endOfSaleDate: row.effectiveEndDate ?? '', subscriptions: [] },
      ]),
  );
  if (offers.size === 0) return [];
  for await (const customer of pc.listCustomers()) {
    for (const subscription of await pc.listSubscriptions(customer.id)) {
      const offer = offers.get(subscription.offerId.split(':').slice(0, 2).join(':').toUpperCase());
      if (offer === undefined) continue;
      offer.subscriptions.push({
        customerId: customer.id,
        subscriptionId: subscription.id,
        offerId: subscription.offerId,
        ...(subscription.friendlyName !== undefined ? { friendlyName: subscription.friendlyName } : {}),
        status: String(subscription.status),
        ...(subscription.autoRenewEnabled !== undefined ? { autoRenewEnabled: subscription.autoRenewEnabled } : {}),
        ...(subscription.commitmentEndDate !== undefined ? { commitmentEndDate: subscription.commitmentEndDate } : {}),
      });
    }
  }
  return [...offers.values()];
}

function describeOffers(market: string, offers: EndOfSaleOffer[]): string {
  if (offers.length === 0) return `no offer of ${market} is on the end-of-sale list`;
  return offers
    .map((offer) => {
      const head = `${offer.productId}:${offer.skuId} (${market}) ends sale on ${offer.endOfSaleDate.slice(0, 10)}: ${offer.subscriptions.length} subscription(s)`;
      if (offer.subscriptions.length === 0) return head;
      const rows = offer.subscriptions.map((s) => [
        s.customerId,
        s.subscriptionId,
        s.status,
        s.autoRenewEnabled === false ? 'off' : 'on',
        s.commitmentEndDate?.slice(0, 10) ?? '',
      ]);
      return `${head}\n${table(['customer', 'subscription', 'status', 'auto-renew', 'term ends'], rows)}`;
    })
    .join('\n\n');
}
