import {
  WorkflowExecutionAlreadyStartedError,
  type Client,
  type WorkflowHandle,
  type WorkflowStartOptions,
} from '@temporalio/client';
import type { SearchAttributePair, Workflow } from '@temporalio/common';
import { DEFAULT_TASK_QUEUE } from '../settings/values';
import { PcCustomerId, PcStep, PcSubscriptionIds } from '../workflows/common/search-attributes';

export type StartOnceOptions<T extends Workflow> = Omit<
  WorkflowStartOptions<T>,
  'taskQueue' | 'workflowIdConflictPolicy' | 'workflowIdReusePolicy'
> & {
  /** Contract default `partner-center`. */
  taskQueue?: string;
};

/** A handle that also says whether this call started the workflow or found the run already there. */
export type StartOnceHandle<T extends Workflow> = WorkflowHandle<T> & {
  /** true: this call started the run; false: it attached to the run already there (running or closed). */
  readonly newlyStarted: boolean;
};

/**
 * Starts `workflowType` as `options.workflowId`, or returns the run already there — running or closed
 * (reuse policy REJECT_DUPLICATE) — so an upstream retry never acts twice. The conflict policy is FAIL, not
 * USE_EXISTING, so that the server tells a running duplicate apart from a new start (`newlyStarted`).
 */
export async function startOnce<T extends Workflow>(
  client: Client,
  workflowType: string,
  options: StartOnceOptions<T>,
): Promise<StartOnceHandle<T>> {
  try {
    const handle = await client.workflow.start<T>(workflowType, {
      ...options,
      taskQueue: options.taskQueue ?? DEFAULT_TASK_QUEUE,
      workflowIdConflictPolicy: 'FAIL',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    } as WorkflowStartOptions<T>);
    return Object.assign(handle, { newlyStarted: true });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError)
      return Object.assign(client.workflow.getHandle<T>(options.workflowId), { newlyStarted: false });
    throw err;
  }
}

/**
 * A new run's search attributes: step `validating`, plus the customer and subscriptions its request names once it is
 * valid — only well-formed values become search attributes (an invalid request is refused by the run itself).
 */
export function startingSearchAttributes(
  known: { customerId?: string; subscriptionIds?: string[] } = {},
): SearchAttributePair[] {
  return [
    ...(known.customerId !== undefined ? [{ key: PcCustomerId, value: known.customerId }] : []),
    ...(known.subscriptionIds !== undefined ? [{ key: PcSubscriptionIds, value: known.subscriptionIds }] : []),
    { key: PcStep, value: 'validating' },
  ];
}
