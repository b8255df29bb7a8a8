import type { Client, WorkflowHandle } from '@temporalio/client';
import {
  cancelOnboardingUpdate,
  onboardStatusQuery,
  onboardWorkflowId,
  validateOnboardRequest,
  type OnboardCancelAcknowledgement,
  type OnboardRequest,
  type OnboardStatus,
  type OnboardWorkflow,
} from '../workflows/customer/api';
import { taskPriority } from '../workflows/common/priority';
import { startingSearchAttributes, startOnce, type StartOnceHandle } from './start-once';

/** Everything callers of onboardCustomer rely on: its id, schemas, messages and failure types. */
export * from '../workflows/customer/api';

export type OnboardingHandle = WorkflowHandle<OnboardWorkflow>;

export interface StartOnboardingOptions {
  /** Contract default `partner-center`. */
  taskQueue?: string;
}

/**
 * Starts `onboardCustomer` for `request`, or attaches to the onboarding already started for its requestId — running
 * or closed — so an upstream retry never creates a customer twice (`newlyStarted` tells which). As for purchases, a
 * valid request is sent normalised and an invalid one as given, for the workflow to refuse naming every problem.
 */
export async function startOnboarding(
  client: Client,
  request: OnboardRequest,
  options: StartOnboardingOptions = {},
): Promise<StartOnceHandle<OnboardWorkflow>> {
  const validation = validateOnboardRequest(request);
  const valid = validation.ok ? validation.request : undefined;
  const tenantId = valid?.customer.existingTenantId;
  const who = valid?.customer.create ? `${valid.customer.create.domainPrefix}.onmicrosoft.com` : `tenant ${tenantId}`;
  return startOnce<OnboardWorkflow>(client, 'onboardCustomer', {
    workflowId: onboardWorkflowId(request.requestId),
    taskQueue: options.taskQueue,
    args: [valid ?? request],
    typedSearchAttributes: startingSearchAttributes({ customerId: tenantId }),
    priority: taskPriority('buying', tenantId),
    staticSummary: valid ? `Onboard ${who}` : `Onboarding request ${request.requestId}`,
  });
}

/** The onboarding of `requestId`: its handle, for `result()`, `cancel` or its status. */
export function getOnboarding(client: Client, requestId: string): OnboardingHandle {
  return client.workflow.getHandle<OnboardWorkflow>(onboardWorkflowId(requestId));
}

/** The `status` query of the onboarding of `requestId`. */
export function getOnboardingStatus(client: Client, requestId: string): Promise<OnboardStatus> {
  return getOnboarding(client, requestId).query(onboardStatusQuery);
}

/** Cancels the onboarding of `requestId`: what exists stays, and the answer says what that is. */
export function cancelOnboarding(
  client: Client,
  requestId: string,
  reason: string,
): Promise<OnboardCancelAcknowledgement> {
  return getOnboarding(client, requestId).executeUpdate(cancelOnboardingUpdate, { args: [{ reason }] });
}
