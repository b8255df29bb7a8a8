import type { MetricMeter } from '@temporalio/common';
import type { PartnerCenterCall } from './partner-center';

/**
 * The project's own metrics, exported with Temporal Core's on METRICS_PORT: every Partner Center exchange by
 * method, route template and outcome (HTTP status or failure kind), with its latency.
 */
export function partnerCenterCallMetrics(meter: MetricMeter): (call: PartnerCenterCall) => void {
  const requests = meter.createCounter('partner_center_requests', 'requests', 'Partner Center HTTP exchanges');
  const latency = meter.createHistogram('partner_center_request_latency', 'int', 'ms', 'Partner Center HTTP latency');
  return ({ method, route, outcome, durationMs }) => {
    const tags = { method, route, outcome };
    requests.withTags(tags).add(1);
    latency.withTags(tags).record(Math.max(0, Math.round(durationMs)));
  };
}

/**
 * Webhook delivery attempts by event type and outcome (the receiver's HTTP status, `network-error`, or `refused` for a
 * callback URL outside PCW_WEBHOOK_ALLOWED_ORIGINS), with their latency.
 */
export function webhookDeliveryMetrics(
  meter: MetricMeter,
): (eventType: string, outcome: string, durationMs: number) => void {
  const attempts = meter.createCounter('webhook_delivery_attempts', 'attempts', 'Webhook delivery attempts');
  const latency = meter.createHistogram('webhook_delivery_latency', 'int', 'ms', 'Webhook delivery latency');
  return (eventType, outcome, durationMs) => {
    const tags = { event_type: eventType, outcome };
    attempts.withTags(tags).add(1);
    latency.withTags(tags).record(Math.max(0, Math.round(durationMs)));
  };
}
