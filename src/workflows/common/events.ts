import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  TemporalFailure,
  getCurrentDetails,
  isCancellation,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  workflowInfo,
} from '@temporalio/workflow';
import type { PurchaseActivities, WebhookActivities } from '../../activities';
import { detailLines } from './details';
import { CALLBACK_URL_MEMO, type WebhookDelivery, type WebhookEventType } from './webhook-delivery';

export * from './webhook-delivery';

/**
 * Webhook events (contract §3b): each is delivered by an activity of the run that emits it, retried with backoff until
 * PCW_WEBHOOK_DEADLINE, so a crashed worker or an unreachable receiver never loses one. Its id is derived from the
 * workflow id and the event type, so a retried delivery or a replayed run sends the same id and a receiver
 * deduplicates by it.
 */

/** Runs recorded before webhooks existed never emit, so they replay as they ran. */
const WEBHOOKS_PATCH = 'webhook-events';

/**
 * `purchase-abc/purchase.completed`: stable across delivery retries, worker restarts and replays. A run that emits one
 * type more than once (a lifecycle, once per term) gives each a `key`: `subscription-x/subscription.expiring/2027-03-01`.
 */
export function webhookEventId(workflowId: string, type: WebhookEventType, key?: string): string {
  return key === undefined ? `${workflowId}/${type}` : `${workflowId}/${type}/${key}`;
}

// Module state is per run: the SDK isolates each workflow's module cache.
let webhookSettings: Promise<{ deadlineMs: number; url: boolean } | undefined> | undefined;
const deliveries: Promise<void>[] = [];

/**
 * Emits `type` in the background (the run goes on while it is delivered); `withWebhookEvents` waits for every emitted
 * event before the run ends. A no-op when the worker has no webhooks configured.
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
 * and nothing started. The run ends only once every event it emitted is delivered or out of time.
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

async function deliver(event: Omit<WebhookDelivery, 'destination' | 'callbackUrl'>): Promise<void> {
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
  const send = proxyActivities<WebhookActivities>({
    startToCloseTimeout: '15s',
    scheduleToCloseTimeout: settings.deadlineMs,
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '10m' },
  });
  const destinations: WebhookDelivery[] = [
    ...(settings.url ? [{ ...event, destination: 'url' as const }] : []),
    ...(typeof callbackUrl === 'string' ? [{ ...event, destination: 'callback' as const, callbackUrl }] : []),
  ];
  await Promise.all(
    destinations.map(async (delivery) => {
      const label = `Webhook ${delivery.type}${delivery.destination === 'callback' ? ' (callbackUrl)' : ''}`;
      let line: string;
      try {
        const outcome = await send.deliverWebhookEvent.executeWithOptions(
          {
            summary: `Deliver ${delivery.type} to ${delivery.destination === 'url' ? 'PCW_WEBHOOK_URL' : 'callbackUrl'}`,
          },
          [delivery],
        );
        line = `delivered (HTTP ${outcome.status}, attempt ${outcome.attempt})`;
      } catch (err) {
        // An undelivered event never fails the run: its outcome is the business's, the event only reports it.
        if (!(err instanceof ActivityFailure)) throw err;
        line = `not delivered: ${err.cause?.message ?? err.message}`;
        log.warn('webhook not delivered', { eventId: delivery.id, type: delivery.type, reason: line });
      }
      const details = getCurrentDetails();
      setCurrentDetails(`${details}${details === '' ? '' : '\n'}${detailLines([[label, line]])}`);
    }),
  );
}

function failureOf(err: TemporalFailure): { type?: string; message: string } {
  const cause = err instanceof ActivityFailure && err.cause !== undefined ? err.cause : err;
  const type =
    cause instanceof ApplicationFailure ? (cause.type ?? undefined) : isCancellation(err) ? 'Cancelled' : undefined;
  return { ...(type !== undefined ? { type } : {}), message: cause.message };
}
