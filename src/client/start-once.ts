import { WorkflowExecutionAlreadyStartedError, type Client, type WorkflowHandle, type WorkflowStartOptions } from '@temporalio/client';
import type { Workflow } from '@temporalio/common';
import { DEFAULT_TASK_QUEUE } from '../config';

export type StartOnceOptions<T extends Workflow> = Omit<WorkflowStartOptions<T>, 'taskQueue' | 'workflowIdConflictPolicy' | 'workflowIdReusePolicy'> & {
  /** Contract default `partner-center`. */
  taskQueue?: string;
};

/**
 * Starts `workflowType` as `options.workflowId`, or returns the run already there — running (conflict policy
 * USE_EXISTING) or closed (reuse policy REJECT_DUPLICATE) — so an upstream retry never acts twice.
 */
export async function startOnce<T extends Workflow>(client: Client, workflowType: string, options: StartOnceOptions<T>): Promise<WorkflowHandle<T>> {
  try {
    return await client.workflow.start<T>(workflowType, {
      ...options,
      taskQueue: options.taskQueue ?? DEFAULT_TASK_QUEUE,
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    } as WorkflowStartOptions<T>);
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return client.workflow.getHandle<T>(options.workflowId);
    throw err;
  }
}
