import type { Subscription } from '../../partner-center';
import type {
  ApplyChangeInput,
  ApplyChangeOutcome,
  AwaitChangeInput,
  ChangeTarget,
  SubscriptionRef,
  SubscriptionView,
} from '../../workflows/subscription/types';
import { checkChange, isInEffect, refusalFailure } from '../../workflows/subscription/rules';
import { internalFailureTypes } from '../../workflows/common/failure-types';
import { notYet } from '../common/failures';
import { changeOptions } from '../common/request-ids';
import { classifyChangeError } from './change-failures';
import type { SubscriptionActivityDeps } from './deps';
import { readSubscription, toView } from './view';

/**
 * A change of the subscription's own fields: read, change (full body, If-Match, stable MS-RequestId), follow a 202.
 */

/** The subscription before the change: what the rules are checked against and the result reports. */
export async function readSubscriptionForChange(
  deps: SubscriptionActivityDeps,
  ref: SubscriptionRef,
): Promise<SubscriptionView> {
  try {
    return toView(await readSubscription(deps, ref));
  } catch (err) {
    throw classifyChangeError(err);
  }
}

/**
 * Re-reads (fresh etag), re-checks the rules on what it read, and PATCHes the full resource with only
 * the change applied. Every attempt uses the same MS-RequestId; a retry whose earlier PATCH took effect
 * finds the change in effect and sends nothing. 409/800082 → SubscriptionBusy, retried with backoff.
 */
export async function applySubscriptionChange(
  deps: SubscriptionActivityDeps,
  input: ApplyChangeInput,
): Promise<ApplyChangeOutcome> {
  try {
    const subscription = await readSubscription(deps, input);
    const view = toView(subscription);
    const verdict = checkChange(view, input.change);
    if (verdict.kind === 'in-effect') return { completion: 'already-in-effect', subscription: view };
    if (verdict.kind === 'refused') throw refusalFailure(verdict.refusal);
    const update = await deps.partnerCenter.updateSubscription(
      input.customerId,
      withChange(subscription, verdict.target),
      changeOptions('change'),
    );
    if (update.kind === 'accepted')
      return { completion: 'accepted', location: update.location, target: verdict.target };
    return { completion: 'immediate', subscription: toView(update.subscription) };
  } catch (err) {
    throw classifyChangeError(err);
  }
}

/** One poll after a 202: done once the subscription shows the change; until then a BENIGN "not yet". */
export async function awaitSubscriptionChange(
  deps: SubscriptionActivityDeps,
  input: AwaitChangeInput,
): Promise<SubscriptionView> {
  let view: SubscriptionView;
  try {
    view = toView(await readSubscription(deps, input));
  } catch (err) {
    throw classifyChangeError(err);
  }
  if (!isInEffect(view, input.target)) {
    throw notYet(
      internalFailureTypes.subscriptionNotReady,
      `Accepted change of subscription ${view.id} has not landed yet`,
    );
  }
  return view;
}

/**
 * The full resource as read, with only the target's fields changed: everything else (auto-renew, scheduled
 * instructions, unknown fields, the etag that becomes If-Match) goes back as read, because Partner Center
 * resets what a PATCH omits.
 */
export function withChange(subscription: Subscription, target: ChangeTarget): Subscription {
  let body: Subscription = { ...subscription };
  if (target.quantity !== undefined) body.quantity = target.quantity;
  if (target.friendlyName !== undefined) body.friendlyName = target.friendlyName;
  if (target.status !== undefined) body.status = target.status;
  if (target.autoRenewEnabled === false) {
    // Scheduled instructions apply at a renewal that will no longer happen; Partner Center refuses them without auto-renew.
    const { scheduledNextTermInstructions: _dropped, ...rest } = body;
    body = { ...rest, autoRenewEnabled: false };
  } else if (target.autoRenewEnabled === true) {
    body.autoRenewEnabled = true;
  }
  const next = target.scheduledNextTerm;
  if (next !== undefined) {
    const [productId = '', skuId = '', availabilityId = ''] = next.catalogItemId.split(':');
    const previous = subscription.scheduledNextTermInstructions;
    body.scheduledNextTermInstructions = {
      ...previous,
      product: {
        ...previous?.product,
        productId,
        skuId,
        availabilityId,
        billingCycle: next.billingCycle,
        termDuration: next.termDuration,
      },
      quantity: next.quantity,
    };
  }
  return body;
}
