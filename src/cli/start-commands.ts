import type { Client } from '@temporalio/client';
import {
  subscriptionChangeWorkflowId,
  purchaseWorkflowId,
  scheduleBillingReconciliation,
  startSubscriptionChange,
  startPurchase,
  startBillingReconciliation,
  type LicenceResult,
  type PurchaseResult,
  type ReconcileReport,
  type SubscriptionChangeResult,
} from '../client';
import type { Action } from './action';
import { CliFailure } from './errors';
import { subscriptionChangeFromFlags } from './subscription-flags';
import type { Values } from './flags';
import type { Output } from './output';
import { purchaseRequestFromFlags } from './purchase-flags';
import { billingReconciliationFromFlags } from './billing-flags';
import { describeLicenceResult } from './licences-result';
import { describeChangeResult, describeReport, endOf, follow, runOf, viewRun, type Run, type RunView } from './runs';

/** `pcw purchase`, `pcw change` and `pcw reconcile`: each starts a run (or attaches to it) and, with --wait, follows it. */

export function planPurchase(values: Values): Action {
  const request = purchaseRequestFromFlags(values);
  return async ({ client, taskQueue, out }) => {
    const handle = await startPurchase(client, request, { taskQueue });
    await startedOrAttached(
      client,
      out,
      runOf('purchase', purchaseWorkflowId(request.requestId), client),
      handle.newlyStarted,
      values.wait === true,
    );
  };
}

export function planChange(values: Values): Action {
  const request = subscriptionChangeFromFlags(values);
  return async ({ client, taskQueue, out }) => {
    const handle = await startSubscriptionChange(client, request, { taskQueue });
    await startedOrAttached(
      client,
      out,
      runOf('change', subscriptionChangeWorkflowId(request.requestId), client),
      handle.newlyStarted,
      values.wait === true,
    );
  };
}

/** A reconciliation now (`--request-id` runs it once), or on a Temporal Schedule with `--schedule`. */
export function planReconcile(values: Values): Action {
  const { request, requestId } = billingReconciliationFromFlags(values);
  const cron = values.schedule;
  if (cron !== undefined) {
    return async ({ client, taskQueue, out }) => {
      const schedule = await scheduleBillingReconciliation(client, {
        cron,
        request,
        taskQueue,
        ...(values['schedule-id'] !== undefined ? { scheduleId: values['schedule-id'] } : {}),
      });
      out.emit(
        { scheduleId: schedule.scheduleId, cron },
        `schedule ${schedule.scheduleId} runs reconcileBilling on '${cron}' (UTC)`,
      );
    };
  }
  return async ({ client, taskQueue, out }) => {
    const handle = await startBillingReconciliation(client, request, { taskQueue, requestId });
    const run = runOf('reconcile', handle.workflowId, client);
    await startedOrAttached(client, out, run, handle.newlyStarted, values.wait === true);
  };
}

/** After a start: the truth about it (new, attached to a running one, or refused as a duplicate), then `--wait`. */
export async function startedOrAttached(
  client: Client,
  out: Output,
  run: Run,
  newlyStarted: boolean,
  wait: boolean,
): Promise<void> {
  if (!newlyStarted) {
    const view = await viewRun(client, run);
    if (view.execution !== 'RUNNING') {
      throw new CliFailure(
        'AlreadyExists',
        `${run.label} already exists (${view.step} on ${view.closedAt}); nothing was started: use a new --request-id (\`pcw status ${run.requestId ?? run.workflowId}\` shows it)`,
        { workflowId: run.workflowId, step: view.step, closedAt: view.closedAt },
      );
    }
    if (!wait) {
      out.emit(
        { workflowId: run.workflowId, newlyStarted, step: view.step },
        `${run.label} already running (step ${view.step}, started ${view.startedAt}), attached`,
      );
      return;
    }
    if (!out.json) out.emit(undefined, `${run.label} already running (started ${view.startedAt}), attached`);
  }
  if (!wait) {
    out.emit({ workflowId: run.workflowId, newlyStarted }, `started ${run.workflowId}`);
    return;
  }
  const view = await follow(client, out, run);
  endOf(view);
  out.emit(view.result, finalLine(view));
}

function finalLine(view: RunView): string {
  if (view.kind === 'purchase') {
    const result = view.result as PurchaseResult;
    const errors = result.lineErrors.map((e) => `item ${e.item}: ${e.code} ${e.description}`).join('; ');
    return `${view.label}: ${result.status}, subscriptions ${result.subscriptions.map((s) => s.id).join(', ') || 'none'}${errors !== '' ? `; line errors: ${errors}` : ''}`;
  }
  if (view.kind === 'change') return `${view.label}: ${describeChangeResult(view.result as SubscriptionChangeResult)}`;
  if (view.kind === 'licences') return `${view.label}: ${describeLicenceResult(view.result as LicenceResult)}`;
  return `${view.label}: ${describeReport(view.result as ReconcileReport)}`;
}
