import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  getExternalWorkflowHandle,
  type ChildWorkflowOptions,
  log,
  ParentClosePolicy,
  patched,
  proxyActivities,
  startChild,
  TemporalFailure,
  WorkflowIdReusePolicy,
} from '@temporalio/workflow';
import type { reconcileBilling } from '../billing/workflow';
import type { CustomerActivities } from '../../activities';
import { partnerCenterCall } from '../common/activity-options';
import { taskPriority } from '../common/priority';
import { runFailure } from '../common/run-failure';
import { gdapApprovedSignal, relationshipAcceptedSignal } from '../customer/messages';
import { PcCustomerId, PcStep, PcSubscriptionIds } from '../common/search-attributes';
import { lifecycleWorkflowId } from '../subscription/ids';
import type { subscriptionLifecycle } from '../subscription/lifecycle';
import { subscriptionChangedSignal } from '../subscription/messages';
import { eventRunFailures } from './failures';
import { eventAction } from './rules';
import type { PartnerCenterEvent, PartnerCenterEventResult } from './types';

/** The source a lifecycle's `subscriptionChanged` names when Partner Center reported the change. */
export const PARTNER_CENTER_EVENT_SOURCE = 'partner-center-event';

/**
 * Contract §3f: one run per Partner Center event (its id derives from the event, so a repeated delivery finds this
 * run). It has no activity: it starts or signals the workflow the event concerns and records what it did. What it
 * starts is an abandoned child, started once (REJECT_DUPLICATE), so it lives on after this run and is never started
 * again by a later event.
 */
export async function partnerCenterEvent(event: PartnerCenterEvent): Promise<PartnerCenterEventResult> {
  try {
    const action = eventAction(event);
    const eventName = event.EventName;
    switch (action.kind) {
      case 'subscription-changed':
        return { eventName, ...(await subscriptionChanged(action.customerId, action.subscriptionId)) };
      case 'invoice-ready':
        return { eventName, ...(await reconcileInvoice(action.invoiceId)) };
      case 'onboarding':
        // Runs recorded before onboarding existed only recorded these events, and replay so.
        if (!patched(ONBOARDING_EVENTS_PATCH))
          return { eventName, outcome: 'recorded', detail: `${eventName}: recorded; no onboarding waits on it` };
        return { eventName, ...(await signalOnboardings(action.target)) };
      default:
        log.info('event recorded', { eventName, outcome: action.outcome, detail: action.detail });
        return { eventName, outcome: action.outcome, detail: action.detail };
    }
  } catch (err) {
    throw runFailure(err, eventRunFailures);
  }
}

type Handled = Omit<PartnerCenterEventResult, 'eventName'>;

/** Runs started since route relationship events to the onboardings waiting on them. */
const ONBOARDING_EVENTS_PATCH = 'events-signal-onboardings';

const { findWaitingOnboardings } = proxyActivities<CustomerActivities>(partnerCenterCall);

/** `relationshipAccepted` or `gdapApproved` to every running onboarding of that tenant or relationship. */
async function signalOnboardings(target: { tenantId: string } | { relationshipId: string }): Promise<Handled> {
  const what = 'tenantId' in target ? `tenant ${target.tenantId}` : `GDAP relationship ${target.relationshipId}`;
  const workflowIds = await findWaitingOnboardings(target);
  const signalled: string[] = [];
  for (const workflowId of workflowIds) {
    try {
      const handle = getExternalWorkflowHandle(workflowId);
      if ('tenantId' in target) await handle.signal(relationshipAcceptedSignal, target);
      else await handle.signal(gdapApprovedSignal, target);
      signalled.push(workflowId);
    } catch (err) {
      // It ended between the listing and the signal: nothing waits any more.
      if (!(err instanceof TemporalFailure)) throw err;
    }
  }
  if (signalled.length === 0) return { outcome: 'recorded', detail: `no running onboarding waits on ${what}` };
  return {
    outcome: 'onboarding-signalled',
    detail: `${'tenantId' in target ? 'relationshipAccepted' : 'gdapApproved'} sent to ${signalled.length} onboarding(s) of ${what}`,
    workflowIds: signalled,
  };
}

/** Adopts an unknown subscription (its new lifecycle reads it at start); a running lifecycle is told to re-read it. */
async function subscriptionChanged(customerId: string, subscriptionId: string): Promise<Handled> {
  const workflowId = lifecycleWorkflowId(subscriptionId);
  const started = await startOnce('subscriptionLifecycle', {
    workflowId,
    args: [{ customerId, subscriptionId }] satisfies Parameters<typeof subscriptionLifecycle>,
    priority: taskPriority('background', customerId),
    // As startSubscriptionLifecycle sets them, so the adopted run is found like any other.
    typedSearchAttributes: [
      { key: PcCustomerId, value: customerId },
      { key: PcSubscriptionIds, value: [subscriptionId] },
      { key: PcStep, value: 'reading' },
    ],
    staticSummary: `Lifecycle of subscription ${subscriptionId}, adopted on a Partner Center event`,
  });
  if (started)
    return { outcome: 'lifecycle-started', detail: `no lifecycle knew subscription ${subscriptionId}`, workflowId };
  try {
    await getExternalWorkflowHandle(workflowId).signal(subscriptionChangedSignal, {
      source: PARTNER_CENTER_EVENT_SOURCE,
    });
    return { outcome: 'lifecycle-signalled', detail: `subscriptionChanged sent to ${workflowId}`, workflowId };
  } catch (err) {
    if (!(err instanceof TemporalFailure)) throw err;
    return { outcome: 'lifecycle-ended', detail: `the lifecycle of ${subscriptionId} has ended`, workflowId };
  }
}

/** One billed reconciliation per invoice, whichever event or caller asks first. */
async function reconcileInvoice(invoiceId: string): Promise<Handled> {
  const workflowId = `reconcile-invoice-${invoiceId}`;
  const started = await startOnce('reconcileBilling', {
    workflowId,
    args: [{ invoiceId }] satisfies Parameters<typeof reconcileBilling>,
    priority: taskPriority('batch'),
    staticSummary: `Reconcile invoice ${invoiceId} (Partner Center said it is ready)`,
  });
  return started
    ? { outcome: 'reconciliation-started', detail: `reconcileBilling started for invoice ${invoiceId}`, workflowId }
    : {
        outcome: 'reconciliation-already-started',
        detail: `invoice ${invoiceId} was already reconciled or is being reconciled`,
        workflowId,
      };
}

/** Starts an abandoned child unless a run of that id exists or existed: true when this call started it. */
export async function startOnce(
  workflowType: string,
  options: Pick<ChildWorkflowOptions, 'workflowId' | 'staticSummary' | 'typedSearchAttributes' | 'priority'> & {
    args: unknown[];
  },
): Promise<boolean> {
  try {
    await startChild(workflowType, {
      ...options,
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    });
    return true;
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return false;
    throw err;
  }
}
