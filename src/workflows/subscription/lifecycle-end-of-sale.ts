import { ActivityFailure, patched, proxyActivities } from '@temporalio/workflow';
import type { PriceActivities } from '../../activities';
import { partnerCenterCall } from '../common/activity-options';
import type { EndOfSaleLookup } from './lifecycle-types';
import type { SubscriptionView } from './types';

/** Runs whose reviews started before issue 27 reviewed without the end-of-sale list. */
const END_OF_SALE_PATCH = 'lifecycle-review-reads-end-of-sale';

/** Two tries: the review goes on without the date rather than wait for the pricing host. */
const endOfSaleReads = proxyActivities<PriceActivities>({
  ...partnerCenterCall,
  retry: { ...partnerCenterCall.retry, maximumAttempts: 2 },
});

/**
 * Issue 27: the end-of-sale date of the subscription's offer in its customer's market, read at review time, as the
 * review records it: `{ endOfSale: { date } }`, nothing when the offer is not on the list, or `endOfSaleUnknown`
 * saying why it could not be read. Never fails the review.
 */
export async function endOfSaleAtReview(
  customerId: string,
  view: SubscriptionView,
): Promise<{ endOfSale?: { date: string }; endOfSaleUnknown?: string }> {
  if (!patched(END_OF_SALE_PATCH)) return {};
  let found: EndOfSaleLookup;
  try {
    found = await endOfSaleReads.readEndOfSale.executeWithOptions(
      { summary: `Read the end-of-sale list for ${view.catalogItemId}` },
      [{ customerId, catalogItemId: view.catalogItemId }],
    );
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    found = { unknown: err.cause?.message ?? err.message };
  }
  if (found.endOfSale !== undefined) return { endOfSale: { date: found.endOfSale.date } };
  return found.unknown !== undefined ? { endOfSaleUnknown: `end of sale unknown: ${found.unknown}` } : {};
}

/** The end-of-sale date of a review's findings, as a webhook payload carries it (nothing when there is none). */
export function endOfSaleOf(found: { endOfSale?: { date: string } }): { endOfSale?: { date: string } } {
  return found.endOfSale !== undefined ? { endOfSale: found.endOfSale } : {};
}
