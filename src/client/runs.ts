import type { Client, WorkflowHandle } from '@temporalio/client';
import type { QueryDefinition } from '@temporalio/common';
import { purchaseStatusQuery, type PurchaseResult, type PurchaseStatus } from '../workflows/purchase/api';
import {
  lifecycleStateQuery,
  subscriptionChangeStatusQuery,
  type LifecycleState,
  type SubscriptionChangeResult,
  type SubscriptionChangeStatus,
} from '../workflows/subscription/api';
import type { ReconcileReport } from '../workflows/billing/api';
import { onboardStatusQuery, type OnboardResult, type OnboardStatus } from '../workflows/customer/api';
import { licenceStatusQuery, type LicenceResult, type LicenceStatus } from '../workflows/licence/api';
import { failureReport, RunFailure, type FailureReport } from './failures';

// Viewing a run, shared by `pcw status|watch` and the HTTP API's GET routes.

/** The project's workflows (contract §3) by workflow type, named as the CLI calls them. */
export const KINDS = {
  purchaseSubscription: 'purchase',
  changeSubscription: 'change',
  reconcileBilling: 'reconcile',
  /** `pcw subscriptions show` and the HTTP API's lifecycle routes view these. */
  subscriptionLifecycle: 'lifecycle',
  onboardCustomer: 'onboard',
  assignLicences: 'licences',
} as const;
export type WorkflowType = keyof typeof KINDS;
export type Kind = (typeof KINDS)[WorkflowType];

/** One run of a project workflow, found by request id or workflow id. */
export interface Run {
  kind: Kind;
  workflowId: string;
  /** A purchase's or change's request id (its workflow id is `purchase-{requestId}`); absent for a reconciliation. */
  requestId?: string;
  /** `purchase X` / `change X` by request id; a reconciliation by its workflow id. */
  label: string;
  handle: WorkflowHandle;
}

const PREFIXES: Partial<Record<Kind, string>> = {
  purchase: 'purchase-',
  change: 'change-',
  onboard: 'onboard-',
  licences: 'licences-',
};

export function runOf(kind: Kind, workflowId: string, client: Client): Run {
  const prefix = PREFIXES[kind];
  const requestId = prefix !== undefined && workflowId.startsWith(prefix) ? workflowId.slice(prefix.length) : undefined;
  return {
    kind,
    workflowId,
    ...(requestId !== undefined ? { requestId } : {}),
    label: `${kind} ${requestId ?? workflowId}`,
    handle: client.workflow.getHandle(workflowId),
  };
}

/** What a run is doing or how it ended: the `status` query while it runs, its result or failure once closed. */
export interface RunView {
  kind: Kind;
  workflowId: string;
  label: string;
  /** Temporal's execution status: RUNNING, COMPLETED, FAILED, CANCELLED, TERMINATED, TIMED_OUT… */
  execution: string;
  /** The workflow's step (`status` query) while running; how it ended once closed. */
  step: string;
  startedAt: string;
  closedAt?: string;
  /** The `status` query (purchases, changes) or the `state` query (lifecycles) while it runs. */
  status?: PurchaseStatus | SubscriptionChangeStatus | LifecycleState | OnboardStatus | LicenceStatus;
  result?: PurchaseResult | SubscriptionChangeResult | ReconcileReport | LifecycleState | OnboardResult | LicenceResult;
  failure?: FailureReport;
}

/** The query that tells where a running run is; a reconciliation has none. */
const QUERIES: Record<Kind, QueryDefinition<NonNullable<RunView['status']>> | undefined> = {
  purchase: purchaseStatusQuery,
  change: subscriptionChangeStatusQuery,
  reconcile: undefined,
  lifecycle: lifecycleStateQuery,
  onboard: onboardStatusQuery,
  licences: licenceStatusQuery,
};

/** A worker that does not answer a query in this time is reported as such instead of hanging the CLI. */
const QUERY_TIMEOUT_MS = 5_000;

export async function viewRun(client: Client, run: Run): Promise<RunView> {
  const description = await run.handle.describe();
  const base = {
    kind: run.kind,
    workflowId: run.workflowId,
    label: run.label,
    execution: description.status.name,
    startedAt: description.startTime.toISOString(),
    ...(description.closeTime !== undefined ? { closedAt: description.closeTime.toISOString() } : {}),
  };
  if (description.status.name === 'RUNNING') {
    const query = QUERIES[run.kind];
    if (query === undefined) return { ...base, step: 'running' };
    const status = await client.connection
      .withDeadline(Date.now() + QUERY_TIMEOUT_MS, () => run.handle.query(query))
      .catch((error: unknown) => {
        const step = description.searchAttributes.PcStep?.[0];
        throw new RunFailure(
          'WorkerNotAnswering',
          `${run.label} is running${step !== undefined ? ` (step ${String(step)})` : ''} but no worker answered its status query: is a worker running on its task queue (${description.taskQueue})? (${(error as Error).message})`,
        );
      });
    return { ...base, step: status.step, status };
  }
  try {
    const result = (await run.handle.result()) as RunView['result'];
    const step =
      run.kind === 'purchase'
        ? (result as PurchaseResult).status
        : run.kind === 'lifecycle'
          ? (result as LifecycleState).step
          : 'completed';
    return { ...base, step, result };
  } catch (error) {
    const view = {
      ...base,
      step: base.execution === 'FAILED' ? 'failed' : base.execution.toLowerCase().replace('_', '-'),
      failure: failureReport(error),
    };
    errors.set(view, error);
    return view;
  }
}

/** The error behind a failed view, for --verbose (kept out of the view itself, which --json prints). */
const errors = new WeakMap<RunView, unknown>();

export function errorOf(view: RunView): unknown {
  return errors.get(view);
}
