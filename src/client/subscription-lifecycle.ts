import type { Client, WorkflowHandle } from '@temporalio/client';
import {
  approvePlanUpdate,
  lifecycleWorkflowId,
  rejectPlanUpdate,
  setPolicyUpdate,
  subscriptionChangedSignal,
  validateLifecycleInput,
  type ApprovePlanArgs,
  type LifecycleInput,
  type LifecycleState,
  type RejectPlanArgs,
  type RenewalPolicy,
  type SubscriptionLifecycleWorkflow,
} from '../workflows/subscription/api';
import { PcCustomerId, PcStep, PcSubscriptionIds } from '../workflows/common/search-attributes';
import { updateRun } from './run-updates';
import { runOf, viewRun, type RunView } from './runs';
import { taskPriority } from '../workflows/common/priority';
import { startOnce, type StartOnceHandle } from './start-once';

// A subscription's lifecycle (contract §3 subscriptionLifecycle): started once per subscription, steered by operators.

export type SubscriptionLifecycleHandle = WorkflowHandle<SubscriptionLifecycleWorkflow>;

/**
 * Starts `subscriptionLifecycle` for `input.subscriptionId`, or finds the one already there (running or ended), so
 * adopting a subscription twice, or a purchase and an adoption racing, never makes two (`newlyStarted` tells which).
 */
export function startSubscriptionLifecycle(
  client: Client,
  input: LifecycleInput,
  options: { taskQueue?: string } = {},
): Promise<StartOnceHandle<SubscriptionLifecycleWorkflow>> {
  // As for purchases: a valid input is sent normalised; an invalid one as given, for the workflow to name every field.
  const validation = validateLifecycleInput(input);
  const valid = validation.ok ? validation.request : undefined;
  return startOnce<SubscriptionLifecycleWorkflow>(client, 'subscriptionLifecycle', {
    workflowId: lifecycleWorkflowId(input.subscriptionId),
    taskQueue: options.taskQueue,
    priority: taskPriority('background', valid?.customerId),
    args: [valid ?? input],
    typedSearchAttributes: valid
      ? [
          { key: PcCustomerId, value: valid.customerId },
          { key: PcSubscriptionIds, value: [valid.subscriptionId] },
          { key: PcStep, value: 'reading' },
        ]
      : [{ key: PcStep, value: 'reading' }],
    staticSummary: `Lifecycle of subscription ${input.subscriptionId} of customer ${input.customerId}`,
  });
}

/** The lifecycle of `subscriptionId`, viewed as `pcw status` views a run: its state while it runs, its last state once ended. */
export function viewSubscriptionLifecycle(client: Client, subscriptionId: string): Promise<RunView> {
  return viewRun(client, lifecycleRun(client, subscriptionId));
}

/** Approves the plan awaiting approval: it is scheduled as the next term's quantity. Answers the new state. */
export function approveRenewalPlan(
  client: Client,
  subscriptionId: string,
  args: ApprovePlanArgs,
): Promise<LifecycleState> {
  return updateLifecycle(client, subscriptionId, 'approve-plan', (handle) =>
    handle.executeUpdate(approvePlanUpdate, { args: [args] }),
  );
}

/** Rejects the plan awaiting approval: the subscription renews as it is. Answers the new state. */
export function rejectRenewalPlan(
  client: Client,
  subscriptionId: string,
  args: RejectPlanArgs,
): Promise<LifecycleState> {
  return updateLifecycle(client, subscriptionId, 'reject-plan', (handle) =>
    handle.executeUpdate(rejectPlanUpdate, { args: [args] }),
  );
}

/** Replaces the renewal policy (refused, nothing changed, when a field breaks its rule). Answers the new state. */
export function setRenewalPolicy(
  client: Client,
  subscriptionId: string,
  policy: RenewalPolicy,
): Promise<LifecycleState> {
  return updateLifecycle(client, subscriptionId, 'set policy', (handle) =>
    handle.executeUpdate(setPolicyUpdate, { args: [policy] }),
  );
}

/** Tells the lifecycle its subscription changed outside it (`source` says who), so it re-reads it. */
export async function signalSubscriptionChanged(client: Client, subscriptionId: string, source: string): Promise<void> {
  await client.workflow.getHandle(lifecycleWorkflowId(subscriptionId)).signal(subscriptionChangedSignal, { source });
}

function lifecycleRun(client: Client, subscriptionId: string) {
  return runOf('lifecycle', lifecycleWorkflowId(subscriptionId), client);
}

function updateLifecycle<T>(
  client: Client,
  subscriptionId: string,
  update: string,
  send: (handle: WorkflowHandle) => Promise<T>,
): Promise<T> {
  return updateRun(client, lifecycleRun(client, subscriptionId), update, (run) => send(run.handle));
}
