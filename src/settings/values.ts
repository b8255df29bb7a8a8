import { isIP } from 'node:net';

/** Rules of single values that several settings (and callers of the client library) share. */

/** Contract §2: `TEMPORAL_TASK_QUEUE`'s default, the one task queue of every workflow and activity. */
export const DEFAULT_TASK_QUEUE = 'partner-center';

// gRPC's host[:port] (the SDK adds port 7233 when none is given): a DNS name or IPv4 address, or an IPv6 address
// in brackets. envconfig passes TEMPORAL_ADDRESS through as it is, so a typo would otherwise surface as "unreachable".
const HOST_PORT = /^(?:\[(?<ipv6>[^\]]+)\]|[a-z0-9_-]+(?:\.[a-z0-9_-]+)*\.?)(?::(?<port>\d{1,5}))?$/i;

export function isHostPort(address: string): boolean {
  const groups = HOST_PORT.exec(address)?.groups;
  if (!groups) return false;
  const { ipv6, port } = groups;
  return (
    (ipv6 === undefined || isIP(ipv6) === 6) && (port === undefined || (Number(port) >= 1 && Number(port) <= 65_535))
  );
}

const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/;
const DURATION_UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `500ms`, `15s`, `30m`, `1h`, `7d` → milliseconds; undefined when the text is not such a duration. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (!match) return undefined;
  return Math.round(Number(match[1]) * DURATION_UNIT_MS[match[2] as keyof typeof DURATION_UNIT_MS]);
}

export const WEBHOOK_URL_RULE = (value: string) =>
  `must be an https URL (plain http only for a loopback host such as 127.0.0.1) (got "${value}")`;

/** A webhook destination: https, or http on a loopback host (tests, a local relay); undefined when not one. */
export function webhookUrl(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  const allowed = url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname));
  return allowed ? text.replace(/\/+$/, '') : undefined;
}

/**
 * Why a per-request callback URL may not be called (undefined when it may): it must be an absolute URL whose origin
 * PCW_WEBHOOK_ALLOWED_ORIGINS lists, so no request can make the worker call an arbitrary address.
 */
export function callbackUrlProblem(callbackUrl: string, allowedOrigins: readonly string[]): string | undefined {
  let origin: string;
  try {
    origin = new URL(callbackUrl).origin;
  } catch {
    return 'callbackUrl: must be an absolute URL';
  }
  if (allowedOrigins.length === 0) return 'callbackUrl: not accepted (PCW_WEBHOOK_ALLOWED_ORIGINS lists no origin)';
  return allowedOrigins.includes(origin)
    ? undefined
    : `callbackUrl: origin ${origin} is not one of PCW_WEBHOOK_ALLOWED_ORIGINS (${allowedOrigins.join(', ')})`;
}

/** Standard Webhooks secrets: `whsec_` + base64 of 24..64 random bytes. */
export function isWebhookSecret(value: string): boolean {
  const match = /^whsec_([A-Za-z0-9+/]+={0,2})$/.exec(value);
  if (!match) return false;
  const bytes = Buffer.from(match[1], 'base64').length;
  return bytes >= 24 && bytes <= 64;
}

export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}
