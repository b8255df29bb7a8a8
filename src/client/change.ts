import type { Client, WorkflowHandle } from '@temporalio/client';
import {
  changeStatusQuery,
  changeWorkflowId,
  describeChange,
  validateChangeRequest,
  type ChangeStatus,
  type SubscriptionChangeRequest,
} from '../workflows/subscription/api';
import type { ChangeWorkflow } from '../workflows/subscription/api';
import { PcCustomerId, PcStep, PcSubscriptionIds } from '../workflows/common/search-attributes';
import { startOnce, type StartOnceHandle } from './start-once';

/** Everything callers of changeSubscription rely on: its id, schemas, status query and failure types. */
export * from '../workflows/subscription/api';

export type ChangeHandle = WorkflowHandle<ChangeWorkflow>;

export interface StartChangeOptions {
  /** Contract default `partner-center`. */
  taskQueue?: string;
}

/**
 * Starts `changeSubscription` for `request`, or attaches to the change already started for its requestId —
 * running or closed — so an upstream retry never changes the subscription twice (`newlyStarted` tells which).
 */
export async function startChange(
  client: Client,
  request: SubscriptionChangeRequest,
  options: StartChangeOptions = {},
): Promise<StartOnceHandle<ChangeWorkflow>> {
  // As for purchases: a valid request is sent normalised, an invalid one as given for the workflow to refuse.
  const validation = validateChangeRequest(request);
  const valid = validation.ok ? validation.request : undefined;
  return startOnce<ChangeWorkflow>(client, 'changeSubscription', {
    workflowId: changeWorkflowId(request.requestId),
    taskQueue: options.taskQueue,
    args: [valid ?? request],
    typedSearchAttributes: valid
      ? [
          { key: PcCustomerId, value: valid.customerId },
          { key: PcSubscriptionIds, value: [valid.subscriptionId] },
          { key: PcStep, value: 'validating' },
        ]
      : [{ key: PcStep, value: 'validating' }],
    staticSummary: valid
      ? `Change subscription ${valid.subscriptionId} of customer ${valid.customerId}: ${describeChange(valid.change)}`
      : `Subscription change request ${request.requestId}`,
    staticDetails: valid ? `\`\`\`json\n${JSON.stringify(valid.change, null, 2)}\n\`\`\`` : undefined,
  });
}

/** The change of `requestId`: its handle, for `result()` or `getChangeStatus`. */
export function getChange(client: Client, requestId: string): ChangeHandle {
  return client.workflow.getHandle<ChangeWorkflow>(changeWorkflowId(requestId));
}

/** The `status` query of the change of `requestId`. */
export function getChangeStatus(client: Client, requestId: string): Promise<ChangeStatus> {
  return getChange(client, requestId).query(changeStatusQuery);
}
