import { Webhook } from 'standardwebhooks';
import type { WebhookSettings } from './config';

/** What a webhook carries (src/workflows/common/events.ts builds it; `pcw doctor` sends a test one). */
export interface WebhookEvent {
  /** `webhook-id`: the same in every attempt, so a receiver deduplicates by it. */
  id: string;
  type: string;
  timestamp: string;
  data: Record<string, unknown>;
}

/** One POST; the activity's start-to-close timeout is a little longer (src/workflows/common/events.ts). */
const REQUEST_TIMEOUT_MS = 10_000;

/**
 * Sends one event as Standard Webhooks defines it: `webhook-id` (stable across retries and replays, so a receiver
 * deduplicates by it), `webhook-timestamp` (this attempt's time, so a receiver's replay-window check passes however
 * late a retry comes) and `webhook-signature` (HMAC-SHA256 of `id.timestamp.body` with PCW_WEBHOOK_SECRET).
 * The caller judges the answer: the delivery activity retries anything but a 2xx until PCW_WEBHOOK_DEADLINE.
 */
export async function sendSignedEvent(
  settings: Pick<WebhookSettings, 'secret'>,
  url: string,
  event: WebhookEvent,
  signal?: AbortSignal,
): Promise<Response> {
  const body = JSON.stringify({ type: event.type, timestamp: event.timestamp, data: event.data });
  const now = new Date();
  const signature = new Webhook(settings.secret).sign(event.id, now, body);
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'webhook-id': event.id,
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': signature,
    },
    body,
    signal: signal
      ? AbortSignal.any([signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)])
      : AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
}

/** Only the origin of a URL is shown: its path or query may carry a receiver's token. */
export function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(not a URL)';
  }
}
