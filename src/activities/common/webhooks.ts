import { Context, log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { callbackUrlProblem, type WebhookSettings } from '../../config';
import { webhookDeliveryMetrics } from '../../metrics';
import { safeOrigin, sendSignedEvent } from '../../webhooks';
import type { WebhookDelivery, WebhookDeliveryOutcome } from '../../workflows/common/webhook-delivery';
import type { WorkerSettings } from '../../workflows/common/settings';

export interface WebhookActivityDeps {
  /** PCW_WEBHOOK_*; undefined when webhooks are off (the workflows then emit nothing). */
  webhooks?: WebhookSettings;
}

/** Failure type of a callback URL outside PCW_WEBHOOK_ALLOWED_ORIGINS: never retried, never called. */
export const CALLBACK_NOT_ALLOWED = 'CallbackUrlNotAllowed';

/** The worker settings a run records, plus whether (never where, nor with what secret) webhooks are delivered. */
export function withWebhookSettings(
  readSettings: () => Promise<WorkerSettings>,
  deps: WebhookActivityDeps,
): () => Promise<WorkerSettings> {
  const { webhooks } = deps;
  if (webhooks === undefined) return readSettings;
  return async () => ({
    ...(await readSettings()),
    webhooks: { deadlineMs: webhooks.deadlineMs, url: webhooks.url !== undefined },
  });
}

export function createWebhookActivities(deps: WebhookActivityDeps) {
  return {
    /** Delivers one event to PCW_WEBHOOK_URL, or to the run's allowed callback URL. */
    async deliverWebhookEvent(delivery: WebhookDelivery): Promise<WebhookDeliveryOutcome> {
      const settings = deps.webhooks;
      const context = Context.current();
      const record = webhookDeliveryMetrics(context.metricMeter);
      if (settings === undefined) {
        throw ApplicationFailure.nonRetryable('Webhooks are not configured on this worker', 'WebhooksNotConfigured');
      }
      const url = delivery.destination === 'callback' ? delivery.callbackUrl : settings.url;
      if (url === undefined) {
        throw ApplicationFailure.nonRetryable('PCW_WEBHOOK_URL is not set on this worker', 'WebhooksNotConfigured');
      }
      // Checked again here: a run started around the client (a raw start) must not make the worker call anywhere.
      const refusal =
        delivery.destination === 'callback' ? callbackUrlProblem(url, settings.allowedOrigins) : undefined;
      if (refusal !== undefined) {
        record(delivery.type, 'refused', 0);
        throw ApplicationFailure.nonRetryable(refusal, CALLBACK_NOT_ALLOWED);
      }
      const started = Date.now();
      let outcome: string;
      try {
        const response = await sendSignedEvent(settings, url, delivery, context.cancellationSignal);
        await response.body?.cancel();
        outcome = String(response.status);
        record(delivery.type, outcome, Date.now() - started);
        if (response.ok) {
          log.info('webhook delivered', { eventId: delivery.id, type: delivery.type, status: response.status });
          return { status: response.status, attempt: context.info.attempt };
        }
      } catch (error) {
        outcome = 'network-error';
        record(delivery.type, outcome, Date.now() - started);
        throw ApplicationFailure.retryable(
          `Webhook receiver ${safeOrigin(url)} unreachable: ${(error as Error).message}`,
          'WebhookUndelivered',
        );
      }
      throw ApplicationFailure.retryable(
        `Webhook receiver ${safeOrigin(url)} answered ${outcome}`,
        'WebhookUndelivered',
      );
    },
  };
}
