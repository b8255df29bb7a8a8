import { ActivityFailure, getCurrentDetails, log, proxyActivities, setCurrentDetails } from '@temporalio/workflow';
import type { WebhookActivities } from '../../activities';
import { failureCause } from './activity-failures';
import { detailLines } from './details';
import type { WebhookDelivery, WebhookDeliveryReport, WebhookEventDelivery } from './webhook-delivery';

/** `webhook-purchase-abc/purchase.completed`: one delivery workflow per event, however often its run asks for it. */
export function webhookDeliveryWorkflowId(eventId: string): string {
  return `webhook-${eventId}`;
}

/**
 * Contract §3b: delivers one webhook event to each of its destinations, each retried until PCW_WEBHOOK_DEADLINE, and
 * shows the outcome in its UI details. The emitting run starts it and ends without waiting for it, so a receiver that
 * is down holds only this workflow open. An undelivered event ends it normally: the report says so.
 */
export async function deliverWebhookEvent(delivery: WebhookEventDelivery): Promise<WebhookDeliveryReport> {
  return sendToDestinations(delivery);
}

/**
 * One `deliverWebhookEvent` activity per destination, in parallel, each outcome appended to the current details.
 * The delivery workflow's body, and how runs recorded before it delivered their events themselves.
 */
export async function sendToDestinations(delivery: WebhookEventDelivery): Promise<WebhookDeliveryReport> {
  const { event, deadlineMs, url, callbackUrl } = delivery;
  const send = proxyActivities<WebhookActivities>({
    startToCloseTimeout: '15s',
    scheduleToCloseTimeout: deadlineMs,
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '10m' },
  });
  const destinations: WebhookDelivery[] = [
    ...(url ? [{ ...event, destination: 'url' as const }] : []),
    ...(callbackUrl !== undefined ? [{ ...event, destination: 'callback' as const, callbackUrl }] : []),
  ];
  const report: WebhookDeliveryReport = {};
  await Promise.all(
    destinations.map(async (target) => {
      const label = `Webhook ${target.type}${target.destination === 'callback' ? ' (callbackUrl)' : ''}`;
      let line: string;
      try {
        const outcome = await send.deliverWebhookEvent.executeWithOptions(
          { summary: `Deliver ${target.type} to ${target.destination === 'url' ? 'PCW_WEBHOOK_URL' : 'callbackUrl'}` },
          [target],
        );
        line = `delivered (HTTP ${outcome.status}, attempt ${outcome.attempt})`;
      } catch (err) {
        // An undelivered event never fails its run: the outcome is the business's, the event only reports it.
        if (!(err instanceof ActivityFailure)) throw err;
        line = `not delivered: ${failureCause(err).message}`;
        log.warn('webhook not delivered', { eventId: target.id, type: target.type, reason: line });
      }
      report[target.destination] = line;
      const details = getCurrentDetails();
      setCurrentDetails(`${details}${details === '' ? '' : '\n'}${detailLines([[label, line]])}`);
    }),
  );
  return report;
}
