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
