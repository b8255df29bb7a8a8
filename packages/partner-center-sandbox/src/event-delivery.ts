import type { z } from 'zod';
import { eventDeliverySchema, eventRegistrationSchema, type EventDeliveryResult } from './control';
import { ApiError } from './errors';
import { parseWith, type ApiResponse } from './http';
import type { ServerDeps } from './server-deps';

/**
 * Partner Center's webhooks, as the sandbox sends them (docs/sandbox.md, Partner Center events): a registered URL,
 * and events POSTed to it signed as Partner Center signs them — `Authorization: Signature <base64 RSA-SHA256 of the
 * body>`, `X-MS-Certificate-Url` naming the signing certificate (a leaf of the authority's CA, served on the
 * authority's https host), `X-MS-Signature-Algorithm: rsa-sha256`.
 */

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

/** Signs and POSTs one event to the registered URL (409 when none is); onboarding controls raise theirs through it. */
export async function deliverEvent(
  deps: ServerDeps,
  delivery: z.output<typeof eventDeliverySchema>,
): Promise<EventDeliveryResult> {
  const url = deps.events.webhookUrl;
  if (url === undefined)
    throw new ApiError(409, 0, 'No webhook is registered (PUT /_sandbox/partner-center-events/registration).');
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
