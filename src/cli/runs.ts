import {
  WorkflowNotFoundError,
  type Client,
  type WorkflowExecutionDescription,
  type WorkflowHandle,
} from '@temporalio/client';
import {
  changeStatusQuery,
  describeChange,
  purchaseStatusQuery,
  type ChangeStatus,
  type PurchaseResult,
  type PurchaseStatus,
  type ReconcileReport,
  type SubscriptionChangeResult,
} from '../client';
import { CliFailure, failureReport, type FailureReport } from './errors';

/** The project's workflows (contract §3) by workflow type, named as the CLI calls them. */
export const KINDS = {
  purchaseSubscription: 'purchase',
  changeSubscription: 'change',
  reconcileBilling: 'reconcile',
} as const;
export type WorkflowType = keyof typeof KINDS;
export type Kind = (typeof KINDS)[WorkflowType];

/** One run of a project workflow, found by request id or workflow id. */
export interface Run {
  kind: Kind;
  workflowId: string;
  /** `purchase X` / `change X` by request id; a reconciliation by its workflow id. */
  label: string;
  handle: WorkflowHandle;
}

const PREFIXES: Partial<Record<Kind, string>> = { purchase: 'purchase-', change: 'change-' };

export function runOf(kind: Kind, workflowId: string, client: Client): Run {
  const prefix = PREFIXES[kind];
  const label =
    prefix !== undefined && workflowId.startsWith(prefix)
      ? `${kind} ${workflowId.slice(prefix.length)}`
      : `${kind} ${workflowId}`;
  return { kind, workflowId, label, handle: client.workflow.getHandle(workflowId) };
}

/**
 * The purchase, change or reconciliation that `id` names: a workflow id as given, else a request id
 * (`purchase-{id}`, then `change-{id}`). `only` limits it to one kind (approve, reject and cancel are purchases').
 */
export async function findRun(client: Client, id: string, only?: Kind): Promise<Run> {
  const candidates = [id, `purchase-${id}`, `change-${id}`];
  for (const workflowId of candidates) {
    let description: WorkflowExecutionDescription;
    try {
      description = await client.workflow.getHandle(workflowId).describe();
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) continue;
      throw error;
    }
    const kind = KINDS[description.type as WorkflowType] as Kind | undefined;
    if (kind === undefined) continue;
    if (only !== undefined && kind !== only)
      throw new CliFailure('NotFound', `${id} is a ${kind}, not a ${only}`, { workflowId });
    return runOf(kind, workflowId, client);
  }
  const what = only === undefined ? 'purchase, change or reconciliation' : only;
  throw new CliFailure('NotFound', `no ${what} with id ${id} (looked for workflow ids ${candidates.join(', ')})`);
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
  status?: PurchaseStatus | ChangeStatus;
  result?: PurchaseResult | SubscriptionChangeResult | ReconcileReport;
  failure?: FailureReport;
}

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
    if (run.kind === 'reconcile') return { ...base, step: 'running' };
    const query = (): Promise<PurchaseStatus | ChangeStatus> =>
      run.kind === 'purchase' ? run.handle.query(purchaseStatusQuery) : run.handle.query(changeStatusQuery);
    const status = await client.connection
      .withDeadline(Date.now() + QUERY_TIMEOUT_MS, query)
      .catch((error: unknown) => {
        const step = description.searchAttributes.PcStep?.[0];
        throw new CliFailure(
          'WorkerNotAnswering',
          `${run.label} is running${step !== undefined ? ` (step ${String(step)})` : ''} but no worker answered its status query: is a worker running on its task queue (${description.taskQueue})? (${(error as Error).message})`,
        );
      });
    return { ...base, step: status.step, status };
  }
  try {
    const result = (await run.handle.result()) as RunView['result'];
    const step = run.kind === 'purchase' ? (result as PurchaseResult).status : 'completed';
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

/** One line per step while a run is followed: `purchase X: awaiting-order (last error: …)`. */
export function stepLine(view: RunView): string {
  return `${view.label}: ${view.step}${view.status?.lastError !== undefined ? ` (last error: ${view.status.lastError})` : ''}`;
}

/** A run for people: a headline, then one labelled fact per line. */
export function describeRun(view: RunView): string {
  const when =
    view.closedAt !== undefined ? `closed ${view.closedAt}` : `updated ${view.status?.updatedAt ?? view.startedAt}`;
  const lines = [`${view.label}: ${view.step} (${when})`];
  const fact = (label: string, value: string | undefined) => {
    if (value !== undefined && value !== '') lines.push(`  ${label.padEnd(15)}${value}`);
  };
  if (view.kind === 'purchase') {
    const status = view.status as PurchaseStatus | undefined;
    const result = view.result as PurchaseResult | undefined;
    fact('cart', result?.cartId ?? status?.cartId);
    fact('orders', (result?.orders.map((o) => o.orderId) ?? status?.orderIds ?? []).join(', '));
    fact('subscriptions', (result?.subscriptions.map((s) => s.id) ?? status?.subscriptionIds ?? []).join(', '));
    fact('last error', status?.lastError);
  } else if (view.kind === 'change') {
    const status = view.status as ChangeStatus | undefined;
    const result = view.result as SubscriptionChangeResult | undefined;
    fact('subscription', result?.subscriptionId ?? status?.subscriptionId);
    if (result !== undefined) fact('change', describeChangeResult(result));
    fact('last error', status?.lastError);
  } else if (view.result !== undefined) {
    fact('report', describeReport(view.result as ReconcileReport));
  }
  if (view.failure !== undefined) fact('failure', `${view.failure.type}: ${view.failure.message}`);
  return lines.join('\n');
}

export function describeChangeResult(result: SubscriptionChangeResult): string {
  return (
    `${describeChange(result.change)} (${result.completion}); quantity ${result.before.quantity} → ${result.after.quantity}, ` +
    `status ${result.after.status}, auto-renew ${result.after.autoRenewEnabled ? 'on' : 'off'}`
  );
}

export function describeReport(report: ReconcileReport): string {
  return (
    `${report.currency} ${report.period} (${report.periodStart} .. ${report.periodEnd}): ${report.lines} lines, ` +
    `${report.matched} subscriptions matched, ${report.totals.unexpectedCharges} unexpected charges, ` +
    `${report.totals.missingCharges} missing charges, ${report.totals.quantityMismatches} quantity mismatches, ${report.unverified} unverified`
  );
}

const POLL_MS = 300;

/**
 * Follows `run` until it closes, reporting each step as it changes (the `status` query polled every
 * POLL_MS; a reconciliation, which has none, shows `running`). Returns how it ended.
 */
export async function followRun(client: Client, run: Run, onStep: (view: RunView) => void): Promise<RunView> {
  let last = '';
  for (;;) {
    const view = await viewRun(client, run);
    const key = `${view.step}|${view.status?.lastError ?? ''}`;
    if (key !== last) onStep(view);
    last = key;
    if (view.execution !== 'RUNNING') return view;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
