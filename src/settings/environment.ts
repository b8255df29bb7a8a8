import { accessSync, constants } from 'node:fs';
import { z } from 'zod';
import { parseApiTokens } from './api-tokens';
import { parseEncryptionKeys } from './encryption-keys';
import {
  DEFAULT_TASK_QUEUE,
  isLoopbackHost,
  isWebhookSecret,
  parseDuration,
  WEBHOOK_URL_RULE,
  webhookUrl,
} from './values';

/** Contract §2: every environment variable, its default and its rule, as one zod schema (src/config.ts reads it). */

export const DEFAULT_PARTNER_CENTER_BASE_URL = 'https://api.partnercenter.microsoft.com';
export const DEFAULT_AUTHORITY_HOST = 'https://login.microsoftonline.com';
export const DEFAULT_GRAPH_BASE_URL = 'https://graph.microsoft.com';
export const DEFAULT_PRICING_BASE_URL = 'https://api.partner.microsoft.com';
const DEFAULT_ORDER_POLL_MAX_INTERVAL = '210s';

/** Variables whose values never appear in a problem (only their length). */
export const SECRET_VARIABLES = new Set([
  'AZURE_CLIENT_SECRET',
  'PARTNER_CENTER_REFRESH_TOKEN',
  'TEMPORAL_API_KEY',
  'PCW_WEBHOOK_SECRET',
  'PAYLOAD_ENCRYPTION_KEYS',
  'PCW_API_TOKENS',
]);
const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// A tenant is a GUID or a verified domain such as contoso.onmicrosoft.com.
const TENANT = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[a-z0-9-]+(?:\.[a-z0-9-]+)+)$/i;

// A DNS name or an IPv4 address: what a URL's hostname is compared with.
/** `host` (any port) or `host:port` (that port only). */
function isHostWithOptionalPort(entry: string): boolean {
  const [host, port, ...rest] = entry.split(':');
  const portOk = port === undefined || (/^\d{1,5}$/.test(port) && Number(port) >= 1 && Number(port) <= 65535);
  return rest.length === 0 && HOST_NAME.test(host) && portOk;
}

const HOST_NAME = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

const optionalText = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));

const duration = (fallback: string, min: number) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      const ms = parseDuration(value ?? fallback);
      if (ms === undefined || ms < min) {
        ctx.addIssue({
          code: 'custom',
          message: `must be a duration such as 500ms, 15s, 30m, 1h or 7d, at least ${min} ms (got "${value}")`,
        });
        return z.NEVER;
      }
      return ms;
    });

const httpsOrLoopbackUrl = (fallback: string, allowLoopbackHttp: boolean) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      const text = value === undefined || value.trim() === '' ? fallback : value.trim();
      let url: URL;
      try {
        url = new URL(text);
      } catch {
        ctx.addIssue({ code: 'custom', message: `must be an absolute URL (got "${text}")` });
        return z.NEVER;
      }
      const plainHttpAllowed = allowLoopbackHttp && url.protocol === 'http:' && isLoopbackHost(url.hostname);
      if (url.protocol !== 'https:' && !plainHttpAllowed) {
        ctx.addIssue({
          code: 'custom',
          message: allowLoopbackHttp
            ? `must be an https URL (plain http only for a loopback host such as 127.0.0.1) (got "${text}")`
            : `must be an https URL (got "${text}")`,
        });
        return z.NEVER;
      }
      return text.replace(/\/+$/, '');
    });

const tcpPort = optionalText.transform((value, ctx) => {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    ctx.addIssue({ code: 'custom', message: `must be a TCP port from 1 to 65535 (got "${value}")` });
    return z.NEVER;
  }
  return port;
});

export const environmentSchema = z.object({
  TEMPORAL_TASK_QUEUE: z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined) return DEFAULT_TASK_QUEUE;
      if (value.trim() === '') {
        ctx.addIssue({ code: 'custom', message: 'must not be empty (unset it to use "partner-center")' });
        return z.NEVER;
      }
      return value;
    }),
  PARTNER_CENTER_BASE_URL: httpsOrLoopbackUrl(DEFAULT_PARTNER_CENTER_BASE_URL, true).transform((url, ctx) => {
    // The client puts /v1 in front of every path: a root ending in /v1 would call /v1/v1/...
    if (/\/v1$/i.test(url)) {
      ctx.addIssue({
        code: 'custom',
        message: `must be the API root without /v1, which the client adds to every path (got "${url}", use "${url.replace(/\/v1$/i, '')}")`,
      });
      return z.NEVER;
    }
    return url;
  }),
  AZURE_AUTHORITY_HOST: httpsOrLoopbackUrl(DEFAULT_AUTHORITY_HOST, false),
  /** Microsoft Graph root for the partner billing exports (the client adds /v1.0). */
  MICROSOFT_GRAPH_BASE_URL: httpsOrLoopbackUrl(DEFAULT_GRAPH_BASE_URL, true),
  /** The price sheets' host (its own token audience; the client adds /v1.0). */
  PARTNER_PRICING_BASE_URL: httpsOrLoopbackUrl(DEFAULT_PRICING_BASE_URL, true),
  AZURE_TENANT_ID: optionalText.refine((value) => value === undefined || TENANT.test(value), {
    message: 'must be a tenant GUID or a domain such as contoso.onmicrosoft.com',
  }),
  AZURE_CLIENT_ID: optionalText.refine((value) => value === undefined || GUID.test(value), {
    message: 'must be the application (client) GUID of the app registration',
  }),
  AZURE_CLIENT_SECRET: optionalText,
  AZURE_CLIENT_CERTIFICATE_PATH: optionalText.refine(
    (path) => {
      if (path === undefined) return true;
      try {
        accessSync(path, constants.R_OK);
        return true;
      } catch {
        return false;
      }
    },
    { message: 'must be a readable PEM file holding the certificate and its private key' },
  ),
  PARTNER_CENTER_REFRESH_TOKEN: optionalText,
  PARTNER_CENTER_REQUESTS_PER_MINUTE: z
    .string()
    .optional()
    .transform((value, ctx) => {
      const perMinute = Number(value ?? '400');
      if (!Number.isInteger(perMinute) || perMinute < 1 || perMinute > 100_000) {
        ctx.addIssue({ code: 'custom', message: `must be a whole number from 1 to 100000 (got "${value}")` });
        return z.NEVER;
      }
      return perMinute;
    }),
  ORDER_POLL_INTERVAL: duration('15s', 100),
  ORDER_POLL_MAX_INTERVAL: duration(DEFAULT_ORDER_POLL_MAX_INTERVAL, 100),
  ORDER_VISIBILITY_DEADLINE: duration('30m', 1000),
  APPROVAL_TIMEOUT: duration('7d', 1000),
  SUBSCRIPTION_CHANGE_DEADLINE: duration('30m', 1000),
  RENEWAL_REVIEW_LEAD: duration('14d', 1000),
  RELATIONSHIP_ACCEPT_TIMEOUT: duration('30d', 1000),
  GDAP_APPROVAL_TIMEOUT: duration('30d', 1000),
  LICENCE_VISIBILITY_DEADLINE: duration('2h', 1000),
  METRICS_PORT: tcpPort,
  PCW_API_PORT: tcpPort,
  PCW_API_TOKENS: optionalText.transform((value, ctx) => {
    if (value === undefined) return undefined;
    const parsed = parseApiTokens(value);
    if (!parsed.ok) {
      for (const problem of parsed.problems) ctx.addIssue({ code: 'custom', message: problem });
      return z.NEVER;
    }
    return parsed.tokens;
  }),
  PCW_WEBHOOK_URL: optionalText.transform((value, ctx) => {
    if (value === undefined) return undefined;
    const url = webhookUrl(value);
    if (url === undefined) ctx.addIssue({ code: 'custom', message: WEBHOOK_URL_RULE(value) });
    return url;
  }),
  PCW_WEBHOOK_SECRET: optionalText.refine((value) => value === undefined || isWebhookSecret(value), {
    message: 'must be "whsec_" followed by the base64 of a 24 to 64 byte key, as Standard Webhooks defines',
  }),
  PCW_WEBHOOK_DEADLINE: duration('24h', 1000),
  PCW_WEBHOOK_ALLOWED_ORIGINS: optionalText.transform((value, ctx) => {
    const origins: string[] = [];
    const entries = (value ?? '').split(',').map((e) => e.trim());
    for (const entry of entries.filter((e) => e !== '')) {
      const url = webhookUrl(entry);
      if (url === undefined || new URL(url).origin !== url) {
        ctx.addIssue({
          code: 'custom',
          message: `must be comma-separated origins such as https://hooks.example.com (scheme, host, optional port; plain http only for loopback) (got "${entry}")`,
        });
      } else origins.push(url);
    }
    return origins;
  }),
  /** Hosts Partner Center's event-signing certificate URL may name (checked before it is fetched). */
  PARTNER_CENTER_WEBHOOK_CERT_HOSTS: optionalText.transform((value, ctx) => {
    const hosts: string[] = [];
    for (const entry of (value ?? '').split(',').map((e) => e.trim().toLowerCase())) {
      if (entry === '') continue;
      if (isHostWithOptionalPort(entry)) hosts.push(entry);
      else
        ctx.addIssue({
          code: 'custom',
          message: `must be comma-separated hosts such as certs.example.com or 127.0.0.1:8443 (host, optional port; no scheme or path) (got "${entry}")`,
        });
    }
    return hosts;
  }),
  PAYLOAD_ENCRYPTION_KEYS: optionalText.transform((value, ctx) => {
    if (value === undefined) return undefined;
    const keys = parseEncryptionKeys(value);
    if (!keys.ok) {
      ctx.addIssue({ code: 'custom', message: keys.problem });
      return z.NEVER;
    }
    return keys.keys;
  }),
  /** Worker Deployment Versioning: the deployment this worker's version belongs to (with PCW_BUILD_ID). */
  PCW_DEPLOYMENT_NAME: optionalText,
  /** Worker Deployment Versioning: this worker's build, one version of PCW_DEPLOYMENT_NAME. */
  PCW_BUILD_ID: optionalText,
  LOG_LEVEL: optionalText.transform((value, ctx) => {
    const level = (value ?? 'info').toLowerCase();
    if (!(LOG_LEVELS as readonly string[]).includes(level)) {
      ctx.addIssue({ code: 'custom', message: `must be one of ${LOG_LEVELS.join(', ')} (got "${value}")` });
      return z.NEVER;
    }
    return level as LogLevel;
  }),
});

/** The environment once every variable passed its rule (defaults filled in, durations in ms). */
export type EnvironmentValues = z.output<typeof environmentSchema>;
