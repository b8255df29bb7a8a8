/**
 * What a webhook event is, as the workflow that emits it and the activity that delivers it both see it (contract
 * §3b). Apart from events.ts, which imports the activities' types, so the activities can use these without a circle.
 */

export const webhookEventTypes = [
  'purchase.awaiting-approval',
  'purchase.completed',
  'purchase.partial',
  'purchase.failed',
  'purchase.cancelled',
  'subscription-change.completed',
  'subscription-change.failed',
  'reconciliation.completed',
  'subscription.renewal-review',
  'subscription.renewal-planned',
  'subscription.scheduled-change-lost',
  'subscription.expiring',
  'customer.invitation',
  'customer.gdap-approval',
  'customer.onboarded',
  'customer.onboarding-failed',
  'licences.assigned',
] as const;
export type WebhookEventType = (typeof webhookEventTypes)[number];

/** The memo entry holding a run's per-request callback URL (src/client checks its origin before the start). */
export const CALLBACK_URL_MEMO = 'callbackUrl';

/** One event as its run emits it: the same in every delivery attempt and to every destination. */
export interface WebhookEvent {
  /** `{workflowId}/{type}`: a receiver deduplicates by it. */
  id: string;
  type: WebhookEventType;
  /** When the event happened (workflow time): the same in every delivery attempt. */
  timestamp: string;
  data: Record<string, unknown>;
}

/** What the delivery activity is given: the event, and where to send it. Never the signing secret. */
export interface WebhookDelivery extends WebhookEvent {
  /** `url`: PCW_WEBHOOK_URL; `callback`: the run's callbackUrl, whose origin the activity checks again. */
  destination: 'url' | 'callback';
  callbackUrl?: string;
}

export interface WebhookDeliveryOutcome {
  /** The receiver's 2xx status. */
  status: number;
  /** The attempt that was accepted (1 = first try). */
  attempt: number;
}

/**
 * The input of the `deliverWebhookEvent` workflow: one event, where to send it and for how long, as the emitting run
 * read them. Never the signing secret.
 */
export interface WebhookEventDelivery {
  event: WebhookEvent;
  /** PCW_WEBHOOK_DEADLINE: how long each destination's delivery is retried. */
  deadlineMs: number;
  /** Whether PCW_WEBHOOK_URL receives it. */
  url: boolean;
  /** The emitting run's callbackUrl (its memo), whose origin the activity checks again. */
  callbackUrl?: string;
}

/** Per destination: `delivered (HTTP 204, attempt 1)` or `not delivered: …`. */
export type WebhookDeliveryReport = Partial<Record<WebhookDelivery['destination'], string>>;
