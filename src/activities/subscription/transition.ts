import { ApplicationFailure } from '@temporalio/common';
import type { Transition, TransitionEligibility } from '../../partner-center';
import type {
  AwaitTransitionInput,
  CompletedTransition,
  ReadEligibilityInput,
  StartedTransition,
  StartTransitionInput,
  TransitionEligibilityRead,
  TransitionEligibilityView,
} from '../../workflows/subscription/types';
import { internalFailureTypes } from '../../workflows/common/failure-types';
import { subscriptionFailureTypes } from '../../workflows/subscription/failures';
import { notYet } from '../common/failures';
import { changeOptions, readOptions } from '../common/request-ids';
import { classifyChangeError } from './change-failures';
import type { SubscriptionActivityDeps } from './deps';
import { transitionProgress } from './transition-progress';
import { readSubscription, toView } from './view';

/** Transitions and trial conversions: read the eligibilities, post once, follow the events. */

/** The targets the subscription may move to, and the transitions it already has (so a retried post can find its own). */
export async function readTransitionEligibility(
  deps: SubscriptionActivityDeps,
  input: ReadEligibilityInput,
): Promise<TransitionEligibilityRead> {
  const pc = deps.partnerCenter;
  try {
    const [eligibilities, transitions] = await Promise.all([
      pc.listTransitionEligibilities(input.customerId, input.subscriptionId, input.eligibilityType, readOptions()),
      pc.listTransitions(input.customerId, input.subscriptionId, readOptions()),
    ]);
    return {
      eligibilities: eligibilities.map(toEligibilityView),
      existingTransitionIds: transitions.flatMap((t) => idOf(t) ?? []),
    };
  } catch (err) {
    throw classifyChangeError(err);
  }
}

/**
 * Posts the transition once: an attempt first looks for a transition to the same target that did not
 * exist before the run (an earlier attempt's whose answer was lost) and then posts nothing; the post
 * itself carries the same MS-RequestId on every attempt.
 */
export async function startTransition(
  deps: SubscriptionActivityDeps,
  input: StartTransitionInput,
): Promise<StartedTransition> {
  const pc = deps.partnerCenter;
  try {
    const earlier = ownTransition(
      await pc.listTransitions(input.customerId, input.subscriptionId, readOptions()),
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
      changeOptions('transition'),
    );
    return { ...withId(posted), found: false };
  } catch (err) {
    throw classifyChangeError(err);
  }
}

/**
 * One poll of the transition: done when its status, or else every step's latest event, says Completed (then both
 * subscriptions are read), a non-retryable ChangeRejected when it Failed, else a BENIGN "not yet" (transition-progress.ts).
 */
export async function awaitTransition(
  deps: SubscriptionActivityDeps,
  input: AwaitTransitionInput,
): Promise<CompletedTransition> {
  try {
    const transition = ownTransition(
      await deps.partnerCenter.listTransitions(input.customerId, input.subscriptionId, readOptions()),
      input,
    );
    const events = (transition?.events ?? []).map((e) => ({
      ...(e.name !== undefined ? { name: e.name } : {}),
      status: e.status,
      ...(e.timestamp !== undefined ? { timestamp: e.timestamp } : {}),
    }));
    const progress = transition === undefined ? undefined : transitionProgress(transition);
    if (progress?.state === 'failed') {
      throw ApplicationFailure.create({
        type: subscriptionFailureTypes.changeRejected,
        message: `Partner Center failed the transition of subscription ${input.subscriptionId} to ${input.plan.toCatalogItemId}: ${progress.failedSteps.join(', ')} failed`,
        details: [{ code: 'TransitionFailed', events }],
        nonRetryable: true,
      });
    }
    if (transition === undefined || progress?.state !== 'completed') {
      throw notYet(
        internalFailureTypes.subscriptionNotReady,
        `Transition of subscription ${input.subscriptionId} to ${input.plan.toCatalogItemId} has not completed yet`,
      );
    }
    const toSubscriptionId = transition.toSubscriptionId ?? input.plan.toSubscriptionId;
    const [source, target] = await Promise.all([
      readSubscription(deps, input),
      toSubscriptionId !== undefined
        ? readSubscription(deps, { customerId: input.customerId, subscriptionId: toSubscriptionId })
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
