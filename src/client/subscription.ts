import type { Client, WorkflowHandle } from '@temporalio/client';
import {
  subscriptionChangeStatusQuery,
  subscriptionChangeWorkflowId,
  describeSubscriptionChange,
  validateSubscriptionChangeRequest,
  type SubscriptionChangeStatus,
  type SubscriptionChangeRequest,
} from '../workflows/subscription/api';
import type { SubscriptionChangeWorkflow } from '../workflows/subscription/api';
import { taskPriority } from '../workflows/common/priority';
import { startingSearchAttributes, startOnce, type StartOnceHandle } from './start-once';

/** Everything callers of changeSubscription rely on: its id, schemas, status query and failure types. */
export * from '../workflows/subscription/api';

export type SubscriptionChangeHandle = WorkflowHandle<SubscriptionChangeWorkflow>;

export interface StartSubscriptionChangeOptions {
  /** Contract default `partner-center`. */
  taskQueue?: string;
}

/**
 * Starts `changeSubscription` for `request`, or attaches to the change already started for its requestId —
 * running or closed — so an upstream retry never changes the subscription twice (`newlyStarted` tells which).
 */
export async function startSubscriptionChange(
  client: Client,
  request: SubscriptionChangeRequest,
  options: StartSubscriptionChangeOptions = {},
): Promise<StartOnceHandle<SubscriptionChangeWorkflow>> {
  // As for purchases: a valid request is sent normalised, an invalid one as given for the workflow to refuse.
  const validation = validateSubscriptionChangeRequest(request);
  const valid = validation.ok ? validation.request : undefined;
  return startOnce<SubscriptionChangeWorkflow>(client, 'changeSubscription', {
    workflowId: subscriptionChangeWorkflowId(request.requestId),
    taskQueue: options.taskQueue,
    priority: taskPriority('buying', valid?.customerId),
    args: [valid ?? request],
    typedSearchAttributes: startingSearchAttributes(
      valid && { customerId: valid.customerId, subscriptionIds: [valid.subscriptionId] },
    ),
    staticSummary: valid
      ? `Change subscription ${valid.subscriptionId} of customer ${valid.customerId}: ${describeSubscriptionChange(valid.change)}`
      : `Subscription change request ${request.requestId}`,
    staticDetails: valid ? `\`\`\`json\n${JSON.stringify(valid.change, null, 2)}\n\`\`\`` : undefined,
  });
}

/** The change of `requestId`: its handle, for `result()` or `getSubscriptionChangeStatus`. */
export function getSubscriptionChange(client: Client, requestId: string): SubscriptionChangeHandle {
  return client.workflow.getHandle<SubscriptionChangeWorkflow>(subscriptionChangeWorkflowId(requestId));
}

/** The `status` query of the change of `requestId`. */
export function getSubscriptionChangeStatus(client: Client, requestId: string): Promise<SubscriptionChangeStatus> {
  return getSubscriptionChange(client, requestId).query(subscriptionChangeStatusQuery);
}
