import type { Client, WorkflowHandle } from '@temporalio/client';
import { changeStatusQuery, changeWorkflowId, describeChange, SubscriptionChangeRequestSchema, type ChangeStatus, type SubscriptionChangeRequest } from '../workflows/subscription/api';
import type { ChangeWorkflow } from '../workflows/subscription/api';
import { PcCustomerId, PcStep, PcSubscriptionIds } from '../workflows/common/search-attributes';
import { startOnce, type StartOnceHandle } from './start-once';

export { changeStatusQuery } from '../workflows/subscription/api';
export { changeFailureTypes, type ChangeFailureType } from '../workflows/subscription/api';
export {
  ChangeStatusSchema,
  changeWorkflowId,
  describeChange,
  SubscriptionChangeRequestSchema,
  SubscriptionChangeResultSchema,
  SubscriptionChangeSchema,
  validateChangeRequest,
  type ChangeCompletion,
  type ChangeStatus,
  type ChangeStep,
  type SubscriptionChange,
  type SubscriptionChangeRequest,
  type SubscriptionChangeResult,
  type SubscriptionView,
} from '../workflows/subscription/api';

export type ChangeHandle = WorkflowHandle<ChangeWorkflow>;

export interface StartChangeOptions {
  /** Contract default `partner-center`. */
  taskQueue?: string;
}

/**
 * Starts `changeSubscription` for `request`, or attaches to the change already started for its requestId —
 * running or closed — so an upstream retry never changes the subscription twice (`newlyStarted` tells which).
 */
export async function startChange(client: Client, request: SubscriptionChangeRequest, options: StartChangeOptions = {}): Promise<StartOnceHandle<ChangeWorkflow>> {
  // Only well-formed values become search attributes; the workflow itself names every bad field.
  const parsed = SubscriptionChangeRequestSchema.safeParse(request);
  return startOnce<ChangeWorkflow>(client, 'changeSubscription', {
    workflowId: changeWorkflowId(request.requestId),
    taskQueue: options.taskQueue,
    args: [request],
    typedSearchAttributes: parsed.success
      ? [
          { key: PcCustomerId, value: parsed.data.customerId },
          { key: PcSubscriptionIds, value: [parsed.data.subscriptionId] },
          { key: PcStep, value: 'validating' },
        ]
      : [{ key: PcStep, value: 'validating' }],
    staticSummary: parsed.success
      ? `Change subscription ${parsed.data.subscriptionId} of customer ${parsed.data.customerId}: ${describeChange(parsed.data.change)}`
      : `Subscription change request ${request.requestId}`,
    staticDetails: parsed.success ? `\`\`\`json\n${JSON.stringify(parsed.data.change, null, 2)}\n\`\`\`` : undefined,
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
