import {
  CancellationScope,
  ParentClosePolicy,
  TemporalFailure,
  WorkflowIdReusePolicy,
  isCancellation,
  log,
  patched,
  proxyLocalActivities,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
// The SDK throws the common package's class; the workflow package does not re-export it.
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { PurchaseActivities } from '../../activities';
import { applicationCause, failureCause } from './activity-failures';
import {
  CALLBACK_URL_MEMO,
  type WebhookEvent,
  type WebhookEventDelivery,
  type WebhookEventType,
} from './webhook-delivery';
import { deliverWebhookEvent, sendToDestinations, webhookDeliveryWorkflowId } from './webhook-workflow';

export * from './webhook-delivery';

/**
 * Webhook events (contract §3b): the run that emits one starts a `deliverWebhookEvent` workflow for it and goes on;
 * that workflow retries the delivery with backoff until PCW_WEBHOOK_DEADLINE, so a crashed worker or an unreachable
 * receiver never loses an event, and never holds its run open. Its id is derived from the workflow id and the event
 * type, so a retried delivery or a replayed run sends the same id and a receiver deduplicates by it.
 */

/** Runs recorded before webhooks existed never emit, so they replay as they ran. */
const WEBHOOKS_PATCH = 'webhook-events';
/** Runs recorded before the delivery workflow delivered each event themselves and waited for it. */
const DELIVERY_WORKFLOW_PATCH = 'webhook-delivery-workflow';

/**
 * `purchase-abc/purchase.completed`: stable across delivery retries, worker restarts and replays. A run that emits one
 * type more than once (a lifecycle, once per term) gives each a `key`: `subscription-x/subscription.expiring/2027-03-01`.
 */
export function webhookEventId(workflowId: string, type: WebhookEventType, key?: string): string {
  return key === undefined ? `${workflowId}/${type}` : `${workflowId}/${type}/${key}`;
}

// Module state is per run: the SDK isolates each workflow's module cache.
let webhookSettings: Promise<{ deadlineMs: number; url: boolean } | undefined> | undefined;
/** Each emitted event's delivery, until it has started (or, in runs recorded before that, ended). */
const deliveries: Promise<void>[] = [];

/**
 * Emits `type` in the background (the run goes on while its delivery starts); `withWebhookEvents` waits until every
 * emitted event's delivery has started (not ended) before the run ends. A no-op when the worker has no webhooks
 * configured.
 */
export function emitEvent(type: WebhookEventType, data: Record<string, unknown>, key?: string): void {
  if (!patched(WEBHOOKS_PATCH)) return;
  const { workflowId, workflowType } = workflowInfo();
  const event = {
    id: webhookEventId(workflowId, type, key),
    type,
    timestamp: new Date().toISOString(),
    data: { workflowId, workflowType, ...data },
  };
  // Not cancellable: a cancelled run still tells its receiver.
  deliveries.push(CancellationScope.nonCancellable(() => deliver(event)));
}

/** Every event emitted so far delivered (or out of time): a run that continues as new waits for it first. */
export async function eventsDelivered(): Promise<void> {
  await Promise.all(deliveries);
}

/**
 * Runs `run` and emits its outcome: the success event `succeeded(result)` names, or `failed` (`cancelled` for a
 * cancelled run) with the failure's type and message. An invalid request emits nothing: its caller was told at once
 * and nothing started. The run ends once every event it emitted has its delivery started.
 */
export async function withWebhookEvents<T>(
  run: () => Promise<T>,
  events: { succeeded: (result: T) => WebhookEventType; failed?: WebhookEventType; cancelled?: WebhookEventType },
): Promise<T> {
  let result: T;
  try {
    result = await run();
  } catch (err) {
    if (!(err instanceof TemporalFailure)) throw err;
    const type = isCancellation(err) ? (events.cancelled ?? events.failed) : events.failed;
    const failure = failureOf(err);
    if (type !== undefined && !failure.type?.startsWith('Invalid')) emitEvent(type, { failure });
    await CancellationScope.nonCancellable(() => Promise.all(deliveries));
    throw err;
  }
  emitEvent(events.succeeded(result), { result });
  await Promise.all(deliveries);
  return result;
}

/**
 * The worker settings, read once per run. Tried once: a worker without the settings activity (a test's worker of
 * one context) must not hold the run forever; it has no webhooks configured either.
 */
const { getPurchaseSettings: readSettingsOnce } = proxyLocalActivities<PurchaseActivities>({
  startToCloseTimeout: '10s',
  retry: { maximumAttempts: 1 },
});

async function deliver(event: WebhookEvent): Promise<void> {
  webhookSettings ??= readSettingsOnce().then(
    (settings) => settings.webhooks,
    (err: unknown) => {
      log.warn('worker settings unreadable: no webhook events for this run', { error: String(err) });
      return undefined;
    },
  );
  const settings = await webhookSettings;
  if (settings === undefined) return;
  const callbackUrl = workflowInfo().memo?.[CALLBACK_URL_MEMO];
  if (!settings.url && typeof callbackUrl !== 'string') return;
  const delivery: WebhookEventDelivery = {
    event,
    deadlineMs: settings.deadlineMs,
    url: settings.url,
    ...(typeof callbackUrl === 'string' ? { callbackUrl } : {}),
  };
  // Runs recorded before the delivery workflow delivered their events themselves, and replay so.
  if (!patched(DELIVERY_WORKFLOW_PATCH)) {
    await sendToDestinations(delivery);
    return;
  }
  try {
    await startChild(deliverWebhookEvent, {
      args: [delivery],
      workflowId: webhookDeliveryWorkflowId(event.id),
      // The delivery outlives its run, and runs once per event: a reset or retried run finds it started.
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      staticSummary: `Deliver webhook ${event.type} of ${workflowInfo().workflowId}`,
    });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    log.info('webhook delivery already started', { eventId: event.id });
  }
}

function failureOf(err: TemporalFailure): { type?: string; message: string } {
  const decided = applicationCause(err);
  const type = decided !== undefined ? (decided.type ?? undefined) : isCancellation(err) ? 'Cancelled' : undefined;
  return { ...(type !== undefined ? { type } : {}), message: failureCause(err).message };
}
