import {
  approveRenewalPlan,
  rejectRenewalPlan,
  setRenewalPolicy,
  validateRenewalPolicy,
  viewSubscriptionLifecycle,
  type LifecycleState,
  type RenewalPolicy,
} from '../client';
import type { Action } from './action';
import { UsageError } from './errors';
import { Problems, requiredFlags, type Values } from './flags';
import { describeRun } from './runs';
import { planAdopt } from './subscriptions-adopt';

/**
 * `pcw subscriptions adopt|show|policy|approve-plan|reject-plan`: the lifecycle of each subscription (contract §3
 * subscriptionLifecycle). Every command line is checked before Temporal or Partner Center is contacted.
 */
export function planSubscriptions(args: string[], values: Values): Action {
  const [subcommand, ...rest] = args;
  switch (subcommand) {
    case 'adopt':
      if (rest.length > 0) throw new UsageError([`subscriptions adopt takes no arguments (got ${rest.join(' ')})`]);
      return planAdopt(values, policyFromFlags(values));
    case 'show':
      return planShow(subscriptionIdOf(subcommand, rest));
    case 'policy':
      return planPolicy(subscriptionIdOf(subcommand, rest), policyFromFlags(values) ?? {});
    case 'approve-plan':
    case 'reject-plan':
      return planDecision(subcommand, subscriptionIdOf(subcommand, rest), values);
    default:
      throw new UsageError([
        subcommand === undefined
          ? 'subscriptions needs a subcommand: adopt, show, policy, approve-plan or reject-plan'
          : `unknown subscriptions subcommand "${subcommand}" (adopt, show, policy, approve-plan or reject-plan)`,
      ]);
  }
}

function subscriptionIdOf(subcommand: string, rest: string[]): string {
  if (rest.length !== 1)
    throw new UsageError([
      `subscriptions ${subcommand} needs one SUBSCRIPTION_ID${rest.length > 1 ? ` (got ${rest.length})` : ''}`,
    ]);
  return rest[0];
}

/** The renewal policy the flags give (undefined when they give none), checked as the workflow checks it. */
function policyFromFlags(values: Values): RenewalPolicy | undefined {
  const problems = new Problems();
  const policy: Record<string, unknown> = {
    ...(values.review !== undefined ? { review: values.review } : {}),
    ...(values['lead-time'] !== undefined ? { leadTime: values['lead-time'] } : {}),
    ...(values['min-seats'] !== undefined ? { minSeats: problems.wholeNumber(values, 'min-seats', 0) } : {}),
    ...(values.headroom !== undefined ? { headroom: problems.wholeNumber(values, 'headroom', 0) } : {}),
    ...(values['include-monthly'] === true ? { includeMonthly: true } : {}),
  };
  const flagOf: Record<string, string> = {
    review: '--review',
    leadTime: '--lead-time',
    minSeats: '--min-seats',
    headroom: '--headroom',
    includeMonthly: '--include-monthly',
  };
  problems.validation(validateRenewalPolicy(policy), (field) => flagOf[field]);
  problems.done();
  return Object.keys(policy).length === 0 ? undefined : (policy as RenewalPolicy);
}

function planShow(subscriptionId: string): Action {
  return async ({ client, out }) => {
    const view = await viewSubscriptionLifecycle(client, subscriptionId);
    out.emit(view, describeRun(view));
  };
}

function planPolicy(subscriptionId: string, policy: RenewalPolicy): Action {
  return async ({ client, out }) => {
    const state = await setRenewalPolicy(client, subscriptionId, policy);
    out.emit(state, `lifecycle of ${subscriptionId}: policy ${describePolicy(state)}; ${state.step}`);
  };
}

function planDecision(command: 'approve-plan' | 'reject-plan', subscriptionId: string, values: Values): Action {
  const flags = requiredFlags(
    values,
    ...(command === 'approve-plan' ? (['by'] as const) : (['by', 'reason'] as const)),
  );
  return async ({ client, out }) => {
    const state =
      command === 'approve-plan'
        ? await approveRenewalPlan(client, subscriptionId, { by: flags.by })
        : await rejectRenewalPlan(client, subscriptionId, { by: flags.by, reason: flags.reason });
    const plan = state.plan;
    out.emit(
      state,
      `lifecycle of ${subscriptionId}: plan ${plan ? `${plan.currentQuantity} → ${plan.quantity} seats ${plan.status}` : 'none'} by ${flags.by}; ${state.step}`,
    );
  };
}

function describePolicy({ policy }: LifecycleState): string {
  return [
    `review ${policy.review}`,
    policy.leadTime !== undefined ? `lead time ${policy.leadTime}` : undefined,
    policy.minSeats !== undefined ? `at least ${policy.minSeats} seats` : undefined,
    policy.headroom ? `headroom ${policy.headroom}` : undefined,
    policy.includeMonthly ? 'monthly terms too' : undefined,
  ]
    .filter((part) => part !== undefined)
    .join(', ');
}
