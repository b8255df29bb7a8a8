import type { z } from 'zod';
import { isoTimestamp, sleep } from './clock';
import { eventDeliverySchema, eventRegistrationSchema, type EventDeliveryResult } from './event-delivery-schemas';
import { ApiError } from './errors';
import { parseWith, type ApiResponse } from './http';
import type { ServerDeps } from './server-deps';
import { WEBHOOK_EVENT_NAMES, type DeliveryAttempt } from './webhook-state';

/**
 * Partner Center's webhooks, as the sandbox sends them (docs/sandbox.md, Partner Center events): a registered URL,
 * and events POSTed to it signed as Partner Center signs them — `Authorization: Signature <base64 RSA-SHA256 of the
 * body>`, `X-MS-Certificate-Url` naming the signing certificate (a leaf of the authority's CA, served on the
 * authority's https host), `X-MS-Signature-Algorithm: rsa-sha256`.
 */

type EventDelivery = z.output<typeof eventDeliverySchema>;
export type SandboxEvent = EventDelivery['event'];

/** Partner Center gives up on an event after about ten failed attempts (partner-center-lifecycle.md). */
export const DELIVERY_ATTEMPTS = 10;
const FIRST_RETRY_MS = 250;
const LAST_RETRY_MS = 4_000;

/** PUT /_sandbox/partner-center-events/registration and POST /_sandbox/partner-center-events/deliveries. */
export async function handleEventControl(
  deps: ServerDeps,
  method: string,
  path: string,
  rawBody: string,
): Promise<ApiResponse> {
  const body = eventJson(rawBody);
  if (method === 'PUT' && path === '/_sandbox/partner-center-events/registration') {
    deps.events.webhookUrl = parseWith(eventRegistrationSchema, body).url;
    deps.events.webhookEvents = [...WEBHOOK_EVENT_NAMES];
    return { status: 200, body: { url: deps.events.webhookUrl } };
  }
  if (method === 'POST' && path === '/_sandbox/partner-center-events/deliveries') {
    const delivery = parseWith(eventDeliverySchema, body);
    return { status: 200, body: await deliverEvent(deps, delivery) };
  }
  throw new ApiError(404, 0, `The resource ${path} was not found.`);
}

/** The body as JSON with its keys as sent: events keep Partner Center's PascalCase (the control API's camelCasing would not). */
function eventJson(rawBody: string): unknown {
  if (rawBody.trim() === '') return {};
  try {
    return JSON.parse(rawBody);
  } catch {
    throw new ApiError(400, 0, 'The body is not valid JSON.');
  }
}

/**
 * One signed delivery to the registered URL (409 when none is), now, whatever the registration's events or the
 * suppression switch say; onboarding controls raise theirs through it.
 */
export async function deliverEvent(deps: ServerDeps, delivery: EventDelivery): Promise<EventDeliveryResult> {
  const url = deps.events.webhookUrl;
  if (url === undefined)
    throw new ApiError(409, 0, 'No webhook is registered (PUT /_sandbox/partner-center-events/registration).');
  return signedPost(deps, url, delivery);
}

/**
 * An event of the sandbox's own making (a subscription changed, an invoice ready, a validation event): delivered
 * in the background to the registered URL when the registration asks for it and delivery is not suppressed,
 * retried like Partner Center (about ten attempts, then dropped). `onAttempt` hears each attempt.
 */
export function raiseEvent(
  deps: ServerDeps,
  event: SandboxEvent,
  onAttempt?: (attempt: DeliveryAttempt, last: boolean) => void,
): void {
  const state = deps.events;
  const url = state.webhookUrl;
  if (url === undefined || state.suppressed) return;
  if (!state.webhookEvents.some((name) => name.toLowerCase() === event.EventName.toLowerCase())) return;
  deliverInBackground(deps, url, event, onAttempt);
}

/** Delivers with retries in the background (a validation event goes this way whatever the switches say). */
export function deliverInBackground(
  deps: ServerDeps,
  url: string,
  event: SandboxEvent,
  onAttempt?: (attempt: DeliveryAttempt, last: boolean) => void,
): void {
  const { inFlight } = deps.events;
  const stamped = {
    ...event,
    ResourceChangeUtcDate: event.ResourceChangeUtcDate ?? isoTimestamp(deps.runtime.clock.now()),
  };
  const delivery = deliverWithRetries(deps, url, stamped, onAttempt).finally(() => inFlight.delete(delivery));
  inFlight.add(delivery);
}

async function deliverWithRetries(
  deps: ServerDeps,
  url: string,
  event: SandboxEvent,
  onAttempt?: (attempt: DeliveryAttempt, last: boolean) => void,
): Promise<void> {
  for (let attempt = 1; attempt <= DELIVERY_ATTEMPTS; attempt += 1) {
    const sentAt = new Date().toISOString();
    const result = await signedPost(deps, url, { event }).catch(() => ({ status: 0, body: '' }));
    const ok = result.status >= 200 && result.status < 300;
    const record: DeliveryAttempt = {
      eventName: event.EventName,
      webhookUrl: url,
      attempt,
      sentAt,
      responseCode: result.status,
      ...(result.body !== '' ? { responseBody: result.body.slice(0, 1024) } : {}),
    };
    onAttempt?.(record, ok || attempt === DELIVERY_ATTEMPTS);
    if (ok) return;
    await sleep(Math.min(FIRST_RETRY_MS * 2 ** (attempt - 1), LAST_RETRY_MS));
  }
}

async function signedPost(deps: ServerDeps, url: string, delivery: EventDelivery): Promise<EventDeliveryResult> {
  const { event, tamper } = delivery;
  const signed = Buffer.from(
    JSON.stringify({
      ...event,
      ResourceChangeUtcDate: event.ResourceChangeUtcDate ?? new Date(deps.runtime.clock.now()).toISOString(),
    }),
  );
  const signer = deps.authority.eventSigner;
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json; charset=utf-8',
      authorization: `Signature ${signer.sign(signed)}`,
      'x-ms-certificate-url': tamper?.certificateUrl ?? signer.certificateUrl,
      'x-ms-signature-algorithm': 'rsa-sha256',
    },
    body: tamper?.body === true ? Buffer.concat([signed, Buffer.from(' ')]) : signed,
    signal: AbortSignal.timeout(10_000),
  });
  return { status: response.status, body: await response.text() };
}
