import { ApplicationFailure } from '@temporalio/common';
import { isPartnerCenterError, type PartnerCenterClient, type Subscription } from '../../partner-center';
import { internalFailureTypes } from '../../workflows/common/failure-types';
import { purchaseFailureTypes } from '../../workflows/purchase/failures';
import type {
  CancelSubscriptionInput,
  ProvisionSubscriptionInput,
  SubscriptionCancellation,
  SubscriptionSummary,
} from '../../workflows/purchase/types';
import { notYet, toActivityFailure } from '../common/failures';
import { changeOptions, readOptions } from '../common/request-ids';
import type { PurchaseActivityDeps } from './deps';

/** The subscriptions a purchase bought: provisioned and set up as asked, or cancelled on request. */

/**
 * One poll: the subscription is active (and, with App+User tokens, provisioned); then asked-for
 * auto-renew and friendly name are applied with a full-body PATCH.
 */
export async function provisionSubscription(
  deps: Pick<PurchaseActivityDeps, 'partnerCenter' | 'tokenMode'>,
  input: ProvisionSubscriptionInput,
): Promise<SubscriptionSummary> {
  const pc = deps.partnerCenter;
  try {
    const subscription = await readSubscriptionWhenReady(pc, input.customerId, input.subscriptionId, readOptions());
    if (subscription.status !== 'active') {
      throw ApplicationFailure.create({
        type: purchaseFailureTypes.provisioningFailed,
        message: `Subscription ${subscription.id} is ${subscription.status}`,
        details: [{ subscriptionId: subscription.id, status: subscription.status }],
        nonRetryable: true,
      });
    }
    if (deps.tokenMode === 'app+user') await checkProvisioned(pc, input, subscription);
    return toSubscriptionSummary(await applyAskedSettings(pc, input, subscription));
  } catch (err) {
    throw toActivityFailure(err, purchaseFailureTypes.provisioningFailed);
  }
}

/** Partner Center's provisioning of the subscription (App+User only): failed ends the purchase, unfinished is "not yet". */
async function checkProvisioned(
  pc: PartnerCenterClient,
  input: ProvisionSubscriptionInput,
  subscription: Subscription,
): Promise<void> {
  const provisioning = await pc.getSubscriptionProvisioningStatus(
    input.customerId,
    input.subscriptionId,
    readOptions(),
  );
  if (provisioning.status === 'failed') {
    throw ApplicationFailure.create({
      type: purchaseFailureTypes.provisioningFailed,
      message: `Provisioning of subscription ${subscription.id} failed`,
      details: [{ subscriptionId: subscription.id, provisioningStatus: provisioning.status }],
      nonRetryable: true,
    });
  }
  if (provisioning.status !== 'success') {
    throw notYet(
      internalFailureTypes.subscriptionNotReady,
      `Subscription ${subscription.id} provisioning is ${provisioning.status}`,
    );
  }
}

/** The asked-for auto-renew and friendly name, applied with a full-body PATCH unless already so. */
async function applyAskedSettings(
  pc: PartnerCenterClient,
  input: ProvisionSubscriptionInput,
  subscription: Subscription,
): Promise<Subscription> {
  const wantsName = input.friendlyName !== undefined && input.friendlyName !== subscription.friendlyName;
  if (subscription.autoRenewEnabled === input.autoRenew && !wantsName) return subscription;
  const changed = {
    ...subscription,
    autoRenewEnabled: input.autoRenew,
    ...(wantsName ? { friendlyName: input.friendlyName } : {}),
  };
  const update = await pc.updateSubscription(input.customerId, changed, {
    ...changeOptions('apply-settings'),
    ...etagOf(subscription),
  });
  if (update.kind === 'accepted') {
    throw notYet(
      internalFailureTypes.subscriptionNotReady,
      `Change of subscription ${subscription.id} accepted, waiting for it to apply`,
    );
  }
  return update.subscription;
}

/**
 * Cancels a subscription this purchase bought (full-body PATCH `status: deleted`). Partner Center
 * decides the 168-hour window; its refusal is reported, not thrown, so the other subscriptions proceed.
 */
export async function cancelPurchasedSubscription(
  deps: Pick<PurchaseActivityDeps, 'partnerCenter'>,
  input: CancelSubscriptionInput,
): Promise<{ cancellation: SubscriptionCancellation; subscription: SubscriptionSummary }> {
  const pc = deps.partnerCenter;
  try {
    const subscription = await pc.getSubscription(input.customerId, input.subscriptionId, readOptions());
    const window = subscription.cancellationAllowedUntilDate;
    if (subscription.status === 'deleted') {
      return {
        cancellation: { subscriptionId: subscription.id, outcome: 'cancelled', detail: 'already cancelled' },
        subscription: toSubscriptionSummary(subscription),
      };
    }
    try {
      const update = await pc.updateSubscription(
        input.customerId,
        { ...subscription, status: 'deleted' },
        { ...changeOptions('cancel'), ...etagOf(subscription) },
      );
      const after = update.kind === 'updated' ? update.subscription : { ...subscription, status: 'deleted' };
      const refund = refundDescription(subscription);
      return {
        cancellation: {
          subscriptionId: subscription.id,
          outcome: 'cancelled',
          detail: `cancelled${window !== undefined ? ` within the window (allowed until ${window})` : ''}${refund}`,
        },
        subscription: toSubscriptionSummary(after),
      };
    } catch (err) {
      // A refused credential ends the purchase (Unauthorized, MfaRequired); only Partner Center's refusal of this cancel is reported.
      if (!isPartnerCenterError(err) || err.retryable || err.kind === 'unauthorized' || err.kind === 'mfa-required')
        throw err;
      return {
        cancellation: {
          subscriptionId: subscription.id,
          outcome: 'not-cancelled',
          detail: `Partner Center refused: ${err.code ?? err.status ?? ''} ${err.description}`.trim(),
        },
        subscription: toSubscriptionSummary(subscription),
      };
    }
  } catch (err) {
    throw toActivityFailure(err, purchaseFailureTypes.provisioningFailed);
  }
}

/** Subscriptions appear a little after their order completes: not found / pending are "not yet". */
async function readSubscriptionWhenReady(
  pc: PartnerCenterClient,
  customerId: string,
  subscriptionId: string,
  options: { correlationId: string; signal: AbortSignal },
): Promise<Subscription> {
  let subscription: Subscription;
  try {
    subscription = await pc.getSubscription(customerId, subscriptionId, options);
  } catch (err) {
    if (isPartnerCenterError(err) && err.kind === 'not-found') {
      throw notYet(internalFailureTypes.subscriptionNotReady, `Subscription ${subscriptionId} is not visible yet`);
    }
    throw err;
  }
  if (subscription.status === 'pending' || subscription.status === 'none') {
    throw notYet(internalFailureTypes.subscriptionNotReady, `Subscription ${subscriptionId} is ${subscription.status}`);
  }
  return subscription;
}

function etagOf(subscription: Subscription): { etag?: string } {
  const etag = subscription.attributes?.etag;
  return etag === undefined ? {} : { etag };
}

function refundDescription(subscription: Subscription): string {
  const options = subscription.refundOptions ?? [];
  if (options.length === 0) return '';
  return `; refund options: ${options.map((o) => `${o.type}${o.expiresAt !== undefined ? ` until ${o.expiresAt}` : ''}`).join(', ')}`;
}

function toSubscriptionSummary(s: Subscription): SubscriptionSummary {
  return {
    id: s.id,
    catalogItemId: s.offerId,
    quantity: s.quantity,
    status: s.status,
    termDuration: s.termDuration ?? '',
    billingCycle: s.billingCycle ?? '',
    autoRenewEnabled: s.autoRenewEnabled ?? false,
    ...(s.commitmentEndDate !== undefined ? { commitmentEndDate: s.commitmentEndDate } : {}),
    ...(s.cancellationAllowedUntilDate !== undefined
      ? { cancellationAllowedUntilDate: s.cancellationAllowedUntilDate }
      : {}),
    ...(s.isTrial === true ? { isTrial: true as const } : {}),
  };
}
