import { z } from 'zod';
import {
  ScheduleAlreadyRunning,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleHandle,
  type WorkflowHandle,
} from '@temporalio/client';
import { DEFAULT_TASK_QUEUE } from '../settings/values';
import type { BillingReconciliationWorkflow } from '../workflows/billing/api';
import {
  describeReconcileRequest,
  DEFAULT_BILLING_DELAY_HOURS,
  validateReconcileRequest,
  type ReconcileRequest,
  type ValidReconcileRequest,
  describeInvalid,
  type InvalidField,
} from '../workflows/billing/api';
import { PcCustomerId } from '../workflows/common/search-attributes';
import { PurchaseRequestSchema, validateWith, type Validation } from '../workflows/purchase/api';
import { taskPriority } from '../workflows/common/priority';
import { startOnce, type StartOnceHandle } from './start-once';

/** Everything callers of reconcileBilling rely on: its schemas, failure types and the run's description. */
export * from '../workflows/billing/api';

export type BillingReconciliationHandle = WorkflowHandle<BillingReconciliationWorkflow>;

export type StartBillingReconciliationOptions = {
  /** Contract default `partner-center`. */
  taskQueue?: string;
} & (
  | {
      /**
       * The caller's idempotency key, under a purchase's requestId rule: the run is `reconcile-{requestId}`, started
       * once, so an upstream retry attaches to the first run (running or closed) instead of reconciling twice.
       */
      requestId?: string;
      workflowId?: never;
    }
  | {
      /** Default `reconcile-{currency}-{period}-{customer or all}-{start time}`. */
      workflowId?: string;
      requestId?: never;
    }
);

export interface ScheduleBillingReconciliationOptions {
  /** Standard five-field cron, in UTC, e.g. '0 6 * * *' (every day at 06:00). */
  cron: string;
  request: ReconcileRequest;
  /** Default `reconcile-{currency}-{period}-{customer or all}`: one schedule per kind of reconciliation. */
  scheduleId?: string;
  /** Contract default `partner-center`. */
  taskQueue?: string;
}

/** A request a schedule would run forever without success: refused before anything is created. */
export class InvalidReconcileRequestError extends Error {
  constructor(readonly problems: InvalidField[]) {
    super(describeInvalid('reconcile request', problems));
    this.name = 'InvalidReconcileRequestError';
  }
}

/** The workflow id of the reconciliation started with the idempotency key `requestId`. */
export function billingReconciliationWorkflowId(requestId: string): string {
  return `reconcile-${requestId}`;
}

/** A reconciliation's idempotency key checked with the rule of a purchase's requestId (the field named `requestId`). */
export function validateReconcileRequestId(requestId: unknown): Validation<{ requestId: string }> {
  // Not `.pick`: the purchase request's cross-field rule (the price guard's currency) makes zod refuse it.
  return validateWith(z.strictObject({ requestId: PurchaseRequestSchema.shape.requestId }), { requestId });
}

/** `reconcile-USD-current-all`: what is reconciled, readable in the UI and stable for a schedule. */
export function billingReconciliationScheduleId(request: ValidReconcileRequest): string {
  const what =
    request.invoiceId !== undefined ? `invoice-${request.invoiceId}` : `${request.currency}-${request.period}`;
  return `reconcile-${what}-${request.customerId ?? 'all'}`;
}

/**
 * Starts one `reconcileBilling` run now. An invalid request is started anyway so that the workflow fails
 * with `InvalidReconcileRequest` naming every bad field (the same answer a schedule's run would give). With
 * `requestId`, the run already started for that key is returned instead (`newlyStarted` false); a key that breaks
 * the requestId rule is refused (InvalidReconcileRequestError) before anything starts.
 */
export async function startBillingReconciliation(
  client: Client,
  request: ReconcileRequest,
  options: StartBillingReconciliationOptions = {},
): Promise<StartOnceHandle<BillingReconciliationWorkflow>> {
  const key = options.requestId === undefined ? undefined : validateReconcileRequestId(options.requestId);
  if (key?.ok === false) throw new InvalidReconcileRequestError(key.problems);
  const validation = validateReconcileRequest(request);
  const valid = validation.ok ? validation.request : undefined;
  const args: [ReconcileRequest] = [valid ?? request];
  const start = {
    args,
    ...(valid !== undefined ? runOptions(valid) : { staticSummary: 'Reconcile unbilled charges (invalid request)' }),
  };
  if (key?.ok)
    return startOnce<BillingReconciliationWorkflow>(client, 'reconcileBilling', {
      ...start,
      workflowId: billingReconciliationWorkflowId(key.request.requestId),
      taskQueue: options.taskQueue,
    });
  const workflowId =
    options.workflowId ??
    `${valid !== undefined ? billingReconciliationScheduleId(valid) : 'reconcile-invalid-request'}-${new Date().toISOString()}`;
  const handle = await client.workflow.start<BillingReconciliationWorkflow>('reconcileBilling', {
    ...start,
    workflowId,
    taskQueue: options.taskQueue ?? DEFAULT_TASK_QUEUE,
  });
  // A timestamped id is new each time; a given workflowId that exists fails the start instead.
  return Object.assign(handle, { newlyStarted: true });
}

/**
 * Creates the Schedule `scheduleId` that runs `reconcileBilling(request)` on `cron`, or updates it (cron,
 * request, task queue) when it exists. A run still open at the next time is not doubled (overlap SKIP).
 */
export async function scheduleBillingReconciliation(
  client: Client,
  options: ScheduleBillingReconciliationOptions,
): Promise<ScheduleHandle> {
  const validation = validateReconcileRequest(options.request);
  if (!validation.ok) throw new InvalidReconcileRequestError(validation.problems);
  const request = validation.request;
  const scheduleId = options.scheduleId ?? billingReconciliationScheduleId(request);
  const spec = { cronExpressions: [options.cron] };
  const action = {
    type: 'startWorkflow' as const,
    workflowType: 'reconcileBilling',
    args: [request],
    taskQueue: options.taskQueue ?? DEFAULT_TASK_QUEUE,
    // Temporal appends each run's scheduled time to this id.
    workflowId: scheduleId,
    ...runOptions(request, `Scheduled by ${scheduleId} (cron '${options.cron}', UTC)`),
  };
  const policies = { overlap: ScheduleOverlapPolicy.SKIP };
  try {
    return await client.schedule.create({ scheduleId, spec, action, policies });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    const handle = client.schedule.getHandle(scheduleId);
    await handle.update((previous) => ({ ...previous, spec, action, policies: { ...previous.policies, ...policies } }));
    return handle;
  }
}

/** What the Temporal UI shows of a run, and the customer as a search attribute. */
function runOptions(request: ValidReconcileRequest, origin?: string) {
  const details = [
    ...(request.invoiceId !== undefined
      ? [`**Invoice:** ${request.invoiceId} (billed, Microsoft Graph export)`]
      : [
          `**Period:** ${request.period} (UTC calendar month)`,
          `**Currency:** ${request.currency}`,
          `**Source:** ${request.source ?? 'graph'}`,
        ]),
    `**Customers:** ${request.customerId ?? 'every customer of the partner'}`,
    `**Billing delay:** ${request.billingDelayHours ?? DEFAULT_BILLING_DELAY_HOURS} hours (younger purchases and seat changes are unverified, not missing)`,
    ...(origin !== undefined ? [origin] : []),
  ].join('\n\n');
  return {
    staticSummary: describeReconcileRequest(request),
    staticDetails: details,
    priority: taskPriority('batch', request.customerId),
    ...(request.customerId !== undefined
      ? { typedSearchAttributes: [{ key: PcCustomerId, value: request.customerId }] }
      : {}),
  };
}
