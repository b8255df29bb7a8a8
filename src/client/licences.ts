import type { Client, WorkflowHandle } from '@temporalio/client';
import {
  describeLicenceRequest,
  licenceStatusQuery,
  licenceWorkflowId,
  validateLicenceRequest,
  type LicenceRequest,
  type LicenceStatus,
  type LicenceWorkflow,
} from '../workflows/licence/api';
import { taskPriority } from '../workflows/common/priority';
import { startingSearchAttributes, startOnce, type StartOnceHandle } from './start-once';

/** Everything callers of assignLicences rely on: its id, schemas, status query and failure types. */
export * from '../workflows/licence/api';

export type LicenceHandle = WorkflowHandle<LicenceWorkflow>;

export interface StartLicenceAssignmentOptions {
  /** Contract default `partner-center`. */
  taskQueue?: string;
}

/**
 * Starts `assignLicences` for `request`, or attaches to the assignment already started for its requestId — running
 * or closed — so an upstream retry never assigns twice (`newlyStarted` tells which).
 */
export async function startLicenceAssignment(
  client: Client,
  request: LicenceRequest,
  options: StartLicenceAssignmentOptions = {},
): Promise<StartOnceHandle<LicenceWorkflow>> {
  // As for purchases: a valid request is sent normalised, an invalid one as given for the workflow to refuse.
  const validation = validateLicenceRequest(request);
  const valid = validation.ok ? validation.request : undefined;
  return startOnce<LicenceWorkflow>(client, 'assignLicences', {
    workflowId: licenceWorkflowId(request.requestId),
    taskQueue: options.taskQueue,
    priority: taskPriority('batch', valid?.customerId),
    args: [valid ?? request],
    typedSearchAttributes: startingSearchAttributes(
      valid && { customerId: valid.customerId, subscriptionIds: [valid.subscriptionId] },
    ),
    staticSummary: valid
      ? `Licences of subscription ${valid.subscriptionId} (customer ${valid.customerId}): ${describeLicenceRequest(valid)}`
      : `Licence request ${request.requestId}`,
  });
}

/** The assignment of `requestId`: its handle, for `result()` or `getLicenceAssignmentStatus`. */
export function getLicenceAssignment(client: Client, requestId: string): LicenceHandle {
  return client.workflow.getHandle<LicenceWorkflow>(licenceWorkflowId(requestId));
}

/** The `status` query of the assignment of `requestId`. */
export function getLicenceAssignmentStatus(client: Client, requestId: string): Promise<LicenceStatus> {
  return getLicenceAssignment(client, requestId).query(licenceStatusQuery);
}
