import { ApplicationFailure } from '@temporalio/common';
import { cancellationSignal } from '@temporalio/activity';
import {
  isPartnerCenterError,
  type PartnerCenterClient,
  type Subscription,
  type Transition,
  type TransitionEligibility,
} from '../../partner-center';
import {
  type ApplyChangeInput,
  type ApplyChangeOutcome,
  type AwaitChangeInput,
  type AwaitTransitionInput,
  type ChangeTarget,
  type CompletedTransition,
  type ReadEligibilityInput,
  type StartedTransition,
  type StartTransitionInput,
  type SubscriptionRef,
  type SubscriptionView,
  type TransitionEligibilityRead,
  type TransitionEligibilityView,
} from '../../workflows/subscription/types';
import { checkChange, isInEffect, refusalFailure } from '../../workflows/subscription/rules';
import { internalFailureTypes } from '../../workflows/common/failure-types';
import { changeFailureTypes } from '../../workflows/subscription/failures';
import { notYet, toActivityFailure } from '../common/failures';
import { runCorrelationId, stableRequestId } from '../common/request-ids';

export interface SubscriptionActivityDeps {
  partnerCenter: PartnerCenterClient;
}

/** Partner Center's refusals for a closed refundable window: cancellation (900213, 900117) and seat reduction (900214, 900257, 800090). */
const WINDOW_CLOSED_CODES: ReadonlySet<number> = new Set([900213, 900117, 900214, 900257, 800090]);
/** Partner Center's transition refusals: not eligible (900258), a target subscription that cannot take the seats (900260). */
const TRANSITION_NOT_ELIGIBLE_CODES: ReadonlySet<number> = new Set([900258, 900260]);

/**
 * Activities of `changeSubscription`: read, change (full body, If-Match, stable MS-RequestId), follow a 202;
 * for transitions and trial conversions read the eligibilities, post once, follow the events.
 */
export function createSubscriptionActivities(deps: SubscriptionActivityDeps) {
  const { partnerCenter: pc } = deps;
  /** A read gets a fresh MS-RequestId per attempt (a poll must never get a replayed answer). */
  const reading = () => ({ correlationId: runCorrelationId(), signal: cancellationSignal() });

  async function read(ref: SubscriptionRef): Promise<Subscription> {
    return pc.getSubscription(ref.customerId, ref.subscriptionId, reading());
  }

  return {
    /** The subscription before the change: what the rules are checked against and the result reports. */
    async readSubscriptionForChange(ref: SubscriptionRef): Promise<SubscriptionView> {
      try {
        return toView(await read(ref));
      } catch (err) {
        throw classifyChangeError(err);
      }
    },

    /**
     * Re-reads (fresh etag), re-checks the rules on what it read, and PATCHes the full resource with only
     * the change applied. Every attempt uses the same MS-RequestId; a retry whose earlier PATCH took effect
     * finds the change in effect and sends nothing. 409/800082 → SubscriptionBusy, retried with backoff.
     */
    async applySubscriptionChange(input: ApplyChangeInput): Promise<ApplyChangeOutcome> {
      try {
        const subscription = await read(input);
        const view = toView(subscription);
        const verdict = checkChange(view, input.change);
        if (verdict.kind === 'in-effect') return { completion: 'already-in-effect', subscription: view };
        if (verdict.kind === 'refused') throw refusalFailure(verdict.refusal);
        const update = await pc.updateSubscription(input.customerId, withChange(subscription, verdict.target), {
          requestId: stableRequestId('change'),
          correlationId: runCorrelationId(),
          signal: cancellationSignal(),
        });
        if (update.kind === 'accepted')
          return { completion: 'accepted', location: update.location, target: verdict.target };
        return { completion: 'immediate', subscription: toView(update.subscription) };
      } catch (err) {
        throw classifyChangeError(err);
      }
    },

    /** The targets the subscription may move to, and the transitions it already has (so a retried post can find its own). */
    async readTransitionEligibility(input: ReadEligibilityInput): Promise<TransitionEligibilityRead> {
      try {
        const [eligibilities, transitions] = await Promise.all([
          pc.listTransitionEligibilities(input.customerId, input.subscriptionId, input.eligibilityType, reading()),
          pc.listTransitions(input.customerId, input.subscriptionId, reading()),
        ]);
        return {
          eligibilities: eligibilities.map(toEligibilityView),
          existingTransitionIds: transitions.flatMap((t) => idOf(t) ?? []),
        };
      } catch (err) {
        throw classifyChangeError(err);
      }
    },

    /**
     * Posts the transition once: an attempt first looks for a transition to the same target that did not
     * exist before the run (an earlier attempt's whose answer was lost) and then posts nothing; the post
     * itself carries the same MS-RequestId on every attempt.
     */
    async startTransition(input: StartTransitionInput): Promise<StartedTransition> {
      try {
        const earlier = ownTransition(
          await pc.listTransitions(input.customerId, input.subscriptionId, reading()),
          input,
        );
        if (earlier !== undefined) return { ...withId(earlier), found: true };
        const { plan } = input;
        const posted = await pc.createTransition(
          input.customerId,
          input.subscriptionId,
          {
            fromSubscriptionId: input.subscriptionId,
            toCatalogItemId: plan.toCatalogItemId,
            quantity: plan.quantity,
            transitionType: plan.transitionType,
            ...(plan.toSubscriptionId !== undefined ? { toSubscriptionId: plan.toSubscriptionId } : {}),
            ...(plan.termDuration !== undefined ? { termDuration: plan.termDuration } : {}),
            ...(plan.billingCycle !== undefined ? { billingCycle: plan.billingCycle } : {}),
          },
          { requestId: stableRequestId('transition'), correlationId: runCorrelationId(), signal: cancellationSignal() },
        );
        return { ...withId(posted), found: false };
      } catch (err) {
        throw classifyChangeError(err);
      }
    },

    /**
     * One poll of the transition's events: done when every event is Completed (then both subscriptions are
     * read), a non-retryable ChangeRejected when one Failed, else a BENIGN "not yet".
     */
    async awaitTransition(input: AwaitTransitionInput): Promise<CompletedTransition> {
      try {
        const transition = ownTransition(
          await pc.listTransitions(input.customerId, input.subscriptionId, reading()),
          input,
        );
        const events = (transition?.events ?? []).map((e) => ({
          ...(e.name !== undefined ? { name: e.name } : {}),
          status: e.status,
          ...(e.timestamp !== undefined ? { timestamp: e.timestamp } : {}),
        }));
        const failed = events.filter((e) => e.status === 'Failed');
        if (failed.length > 0) {
          throw ApplicationFailure.create({
            type: changeFailureTypes.changeRejected,
            message: `Partner Center failed the transition of subscription ${input.subscriptionId} to ${input.plan.toCatalogItemId}: ${failed
              .map((e) => e.name ?? 'event')
              .join(', ')} failed`,
            details: [{ code: 'TransitionFailed', events }],
            nonRetryable: true,
          });
        }
        // An unknown event status counts as not done yet.
        if (transition === undefined || events.length === 0 || events.some((e) => e.status !== 'Completed')) {
          throw notYet(
            internalFailureTypes.subscriptionNotReady,
            `Transition of subscription ${input.subscriptionId} to ${input.plan.toCatalogItemId} has not completed yet`,
          );
        }
        const toSubscriptionId = transition.toSubscriptionId ?? input.plan.toSubscriptionId;
        const [source, target] = await Promise.all([
          read(input),
          toSubscriptionId !== undefined
            ? read({ customerId: input.customerId, subscriptionId: toSubscriptionId })
            : Promise.resolve(undefined),
        ]);
        const transitionId = idOf(transition);
        return {
          source: toView(source),
          outcome: {
            ...(transitionId !== undefined ? { transitionId } : {}),
            toCatalogItemId: transition.toCatalogItemId,
            quantity: transition.quantity ?? input.plan.quantity,
            transitionType: input.plan.transitionType,
            events,
            ...(target !== undefined ? { target: toView(target) } : {}),
          },
        };
      } catch (err) {
        throw classifyChangeError(err);
      }
    },

    /** One poll after a 202: done once the subscription shows the change; until then a BENIGN "not yet". */
    async awaitSubscriptionChange(input: AwaitChangeInput): Promise<SubscriptionView> {
      let view: SubscriptionView;
      try {
        view = toView(await read(input));
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
    },
  };
}

/** A transition's id: `id`, or `operationId` where Partner Center names it so. */
function idOf(t: Transition): string | undefined {
  return t.id ?? t.operationId;
}

function withId(t: Transition): { transitionId?: string } {
  const id = idOf(t);
  return id === undefined ? {} : { transitionId: id };
}

/**
 * This run's transition among the subscription's: by id once known, else the one to the same target that
 * did not exist before the run.
 */
function ownTransition(
  transitions: readonly Transition[],
  input: { plan: { toCatalogItemId: string }; transitionId?: string; existingTransitionIds: readonly string[] },
): Transition | undefined {
  if (input.transitionId !== undefined) return transitions.find((t) => idOf(t) === input.transitionId);
  const target = input.plan.toCatalogItemId.toUpperCase();
  return transitions.find((t) => {
    const id = idOf(t);
    return (
      t.toCatalogItemId.toUpperCase() === target && (id === undefined || !input.existingTransitionIds.includes(id))
    );
  });
}

function toEligibilityView(e: TransitionEligibility): TransitionEligibilityView {
  const errors = (list: ReadonlyArray<{ code: number | string; description?: string }>) =>
    list.map((x) => ({ code: x.code, ...(x.description !== undefined ? { description: x.description } : {}) }));
  return {
    catalogItemId: e.catalogItemId,
    ...(e.title !== undefined ? { title: e.title } : {}),
    ...(e.termDuration !== undefined ? { termDuration: e.termDuration } : {}),
    types: e.eligibilities.map((t) => ({
      transitionType: t.transitionType,
      isEligible: t.isEligible,
      errors: errors(t.errors),
    })),
    subscriptions: e.subscriptionEligibilities.map((s) => ({
      subscriptionId: s.subscriptionId,
      isEligible: s.isEligible,
      errors: errors(s.errors),
    })),
  };
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

/**
 * Partner Center failures of a change: busy (409/800082) → SubscriptionBusy, retryable; a stale etag (412)
 * → retryable (the next attempt re-reads); a closed window → OutsideCancellationWindow; other refusals →
 * ChangeRejected with the code. Our own failures pass through.
 */
function classifyChangeError(err: unknown): unknown {
  if (!isPartnerCenterError(err)) return err;
  const details = [{ status: err.status, code: err.code, description: err.description, requestId: err.requestId }];
  if (err.kind === 'conflict' && err.retryable) {
    return ApplicationFailure.create({ type: changeFailureTypes.subscriptionBusy, message: err.message, details });
  }
  if (err.status === 412) {
    return ApplicationFailure.create({ type: internalFailureTypes.partnerCenter, message: err.message, details });
  }
  if (err.kind === 'business' && TRANSITION_NOT_ELIGIBLE_CODES.has(Number(err.code))) {
    return ApplicationFailure.create({
      type: changeFailureTypes.transitionNotEligible,
      message: err.message,
      details,
      nonRetryable: true,
    });
  }
  if (err.kind === 'business' && WINDOW_CLOSED_CODES.has(Number(err.code))) {
    return ApplicationFailure.create({
      type: changeFailureTypes.outsideCancellationWindow,
      message: err.message,
      details,
      nonRetryable: true,
    });
  }
  return toActivityFailure(err, changeFailureTypes.changeRejected);
}
