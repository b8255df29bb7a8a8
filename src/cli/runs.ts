import { WorkflowNotFoundError, type Client, type WorkflowExecutionDescription } from '@temporalio/client';
import {
  describeSubscriptionChange,
  errorOf,
  KINDS,
  runOf,
  viewRun,
  type SubscriptionChangeStatus,
  type Kind,
  type OnboardResult,
  type OnboardStatus,
  type PurchaseResult,
  type PurchaseStatus,
  type ReconcileReport,
  type Run,
  type RunView,
  type SubscriptionChangeResult,
  type WorkflowType,
  type LicenceResult,
  type LicenceStatus,
  type LifecycleState,
} from '../client';
import { CliFailure } from './errors';
import { describeLicenceResult } from './licences-result';
import type { Output } from './output';

/**
 * Viewing a run is the client's (shared with the HTTP API); finding, following and describing one for people is the
 * CLI's.
 */
export { errorOf, KINDS, runOf, viewRun, type Kind, type Run, type RunView, type WorkflowType } from '../client';

/**
 * The purchase, change, onboarding or reconciliation that `id` names: a workflow id as given, else a request id
 * (`purchase-{id}`, then `change-{id}`, then `onboard-{id}`). `only` limits it to one kind (approve, reject and cancel are purchases').
 */
export async function findRun(client: Client, id: string, only?: Kind): Promise<Run> {
  const candidates = [id, `purchase-${id}`, `change-${id}`, `onboard-${id}`, `licences-${id}`];
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
    const status = view.status as SubscriptionChangeStatus | undefined;
    const result = view.result as SubscriptionChangeResult | undefined;
    fact('subscription', result?.subscriptionId ?? status?.subscriptionId);
    if (result !== undefined) fact('change', describeChangeResult(result));
    fact('last error', status?.lastError);
  } else if (view.kind === 'onboard') {
    const status = view.status as OnboardStatus | undefined;
    const result = view.result as OnboardResult | undefined;
    fact('customer', result?.customerId ?? status?.customerId);
    fact('invitation', status?.invitationUrl);
    fact('gdap approval', status?.gdapApprovalUrl);
    fact('gdap', result?.gdap?.relationshipId ?? status?.gdapRelationshipId);
  } else if (view.kind === 'licences') {
    const status = view.status as LicenceStatus | undefined;
    fact('subscription', status?.subscriptionId);
    if (status !== undefined) fact('users', `${status.done} of ${status.users} done`);
    if (view.result !== undefined) fact('licences', describeLicenceResult(view.result as LicenceResult));
    fact('last error', status?.lastError);
  } else if (view.kind === 'lifecycle') {
    const state = (view.status ?? view.result) as LifecycleState | undefined;
    fact('end of sale', state?.endOfSale?.date.slice(0, 10));
    fact('last error', state?.lastError);
  } else if (view.result !== undefined) {
    fact('report', describeReport(view.result as ReconcileReport));
  }
  if (view.failure !== undefined) fact('failure', `${view.failure.type}: ${view.failure.message}`);
  return lines.join('\n');
}

export function describeChangeResult(result: SubscriptionChangeResult): string {
  const target = result.transition?.target;
  return (
    `${describeSubscriptionChange(result.change)} (${result.completion}); quantity ${result.before.quantity} → ${result.after.quantity}, ` +
    `status ${result.after.status}, auto-renew ${result.after.autoRenewEnabled ? 'on' : 'off'}` +
    (target !== undefined
      ? `; ${result.transition?.quantity ?? target.quantity} seats now in ${target.id} (${target.catalogItemId}, ${target.termDuration} ${target.billingCycle})`
      : '')
  );
}

export function describeReport(report: ReconcileReport): string {
  return (
    `${report.invoiceId !== undefined ? `invoice ${report.invoiceId} ${report.currency}` : `${report.currency} ${report.period}`} ` +
    `(${report.periodStart} .. ${report.periodEnd}${report.source !== undefined ? `, ${report.source === 'graph' ? 'Microsoft Graph export' : 'v1 line items'}` : ''}): ${report.lines} lines, ` +
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

/**
 * Follows `run` to its end, each step shown as it happens (a spinner line on a terminal, plain lines
 * otherwise); with --json, `onJson` gets each step instead.
 */
export async function follow(
  client: Client,
  out: Output,
  run: Run,
  onJson?: (view: RunView) => void,
): Promise<RunView> {
  const progress = out.progress();
  try {
    return await followRun(client, run, (view) => {
      if (out.json) onJson?.(view);
      else if (view.execution === 'RUNNING') progress.step(stepLine(view));
    });
  } finally {
    progress.stop();
  }
}

/** A run that did not complete ends the command as a failure with its reason (type, message, details). */
export function endOf(view: RunView): void {
  if (view.execution === 'COMPLETED') return;
  const type = view.failure?.type ?? view.execution;
  const message = view.failure?.message ?? `ended ${view.execution}`;
  throw new CliFailure(
    type,
    `${view.label} ${view.step}: ${message}`,
    view.failure?.details,
    `${view.label} ${view.step}: ${type}: ${message}`,
    errorOf(view),
  );
}
