import type { Subscription } from '../../partner-center';
import type { SubscriptionRef, SubscriptionView } from '../../workflows/subscription/types';
import { readOptions } from '../common/request-ids';
import type { SubscriptionActivityDeps } from './deps';

/** The subscription as it is now; a read gets a fresh MS-RequestId per attempt (a poll must never get a replayed answer). */
export async function readSubscription(deps: SubscriptionActivityDeps, ref: SubscriptionRef): Promise<Subscription> {
  return deps.partnerCenter.getSubscription(ref.customerId, ref.subscriptionId, readOptions());
}

/** The subscription as the workflow records it (no links, no etag: those are not the workflow's business). */
export function toView(s: Subscription, readAt: Date = new Date()): SubscriptionView {
  const next = s.scheduledNextTermInstructions;
  return {
    id: s.id,
    catalogItemId: s.offerId,
    quantity: s.quantity,
    status: s.status,
    autoRenewEnabled: s.autoRenewEnabled ?? false,
    ...(s.friendlyName !== undefined ? { friendlyName: s.friendlyName } : {}),
    termDuration: s.termDuration ?? '',
    billingCycle: s.billingCycle ?? '',
    ...(s.isTrial !== undefined ? { isTrial: s.isTrial } : {}),
    ...(s.commitmentEndDate !== undefined ? { commitmentEndDate: s.commitmentEndDate } : {}),
    ...(s.cancellationAllowedUntilDate !== undefined
      ? { cancellationAllowedUntilDate: s.cancellationAllowedUntilDate }
      : {}),
    ...(next !== undefined
      ? {
          scheduledNextTerm: {
            catalogItemId: `${next.product.productId}:${next.product.skuId}:${next.product.availabilityId}`,
            ...(next.product.termDuration !== undefined ? { termDuration: next.product.termDuration } : {}),
            ...(next.product.billingCycle !== undefined ? { billingCycle: next.product.billingCycle } : {}),
            quantity: next.quantity,
            ...(next.customTermEndDate !== undefined ? { customTermEndDate: next.customTermEndDate } : {}),
          },
        }
      : {}),
    ...(s.refundableQuantity !== undefined
      ? {
          refundableQuantity: {
            totalQuantity: s.refundableQuantity.totalQuantity,
            details: s.refundableQuantity.details.map((d) => ({
              quantity: d.quantity,
              allowedUntilDateTime: d.allowedUntilDateTime,
            })),
          },
        }
      : {}),
    refundOptions: (s.refundOptions ?? []).map((o) => ({
      type: o.type,
      ...(o.expiresAt !== undefined ? { expiresAt: o.expiresAt } : {}),
    })),
    readAt: readAt.toISOString(),
  };
}
