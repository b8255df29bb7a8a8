import type { Subscription } from '../../partner-center';
import type { ListedSubscription } from './lifecycle-types';
import type { SubscriptionView } from './types';

/**
 * Partner Center's subscription as the workflows record it: pure, shared by the activities that read one and by
 * adoption, which hands a lifecycle the subscription it listed. Workflow code never imports it (it takes views).
 */

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

/** The subscription as adoption listed it, reduced to what its lifecycle uses (the input stays small). */
export function listedSubscription(s: Subscription, listedAt: Date = new Date()): ListedSubscription {
  const {
    refundableQuantity: _refundable,
    refundOptions: _refunds,
    cancellationAllowedUntilDate: _until,
    ...listed
  } = toView(s, listedAt);
  return listed;
}
