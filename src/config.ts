import { accessSync, constants } from 'node:fs';
import { isIP } from 'node:net';
import { loadClientConnectConfig, type ClientConnectConfig } from '@temporalio/envconfig';
import { z } from 'zod';
import { parseApiTokens, type ApiToken } from './settings/api-tokens';
import { parseEncryptionKeys, type EncryptionKey } from './settings/encryption-keys';

/**
 * Contract §2: the whole environment, read once at start with zod. Every problem is collected and reported in one
 * message; secret values are never echoed (only their shape).
 */

export const DEFAULT_TASK_QUEUE = 'partner-center';
export const DEFAULT_PARTNER_CENTER_BASE_URL = 'https://api.partnercenter.microsoft.com';
export const DEFAULT_AUTHORITY_HOST = 'https://login.microsoftonline.com';
export const DEFAULT_GRAPH_BASE_URL = 'https://graph.microsoft.com';
export const DEFAULT_ORDER_POLL_MAX_INTERVAL = '5m';

const SECRET_VARIABLES = new Set([
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

// gRPC's host[:port] (the SDK adds port 7233 when none is given): a DNS name or IPv4 address, or an IPv6 address
// in brackets. envconfig passes TEMPORAL_ADDRESS through as it is, so a typo would otherwise surface as "unreachable".
const HOST_PORT = /^(?:\[(?<ipv6>[^\]]+)\]|[a-z0-9_-]+(?:\.[a-z0-9_-]+)*\.?)(?::(?<port>\d{1,5}))?$/i;

function isHostPort(address: string): boolean {
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

const WEBHOOK_URL_RULE = (value: string) =>
  `must be an https URL (plain http only for a loopback host such as 127.0.0.1) (got "${value}")`;

/** A webhook destination: https, or http on a loopback host (tests, a local relay); undefined when not one. */
function webhookUrl(text: string): string | undefined {
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
function isWebhookSecret(value: string): boolean {
  const match = /^whsec_([A-Za-z0-9+/]+={0,2})$/.exec(value);
  if (!match) return false;
  const bytes = Buffer.from(match[1], 'base64').length;
  return bytes >= 24 && bytes <= 64;
}

function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

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

const environmentSchema = z.object({
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
  PAYLOAD_ENCRYPTION_KEYS: optionalText.transform((value, ctx) => {
    if (value === undefined) return undefined;
    const keys = parseEncryptionKeys(value);
    if (!keys.ok) {
      ctx.addIssue({ code: 'custom', message: keys.problem });
      return z.NEVER;
    }
    return keys.keys;
  }),
  LOG_LEVEL: optionalText.transform((value, ctx) => {
    const level = (value ?? 'info').toLowerCase();
    if (!(LOG_LEVELS as readonly string[]).includes(level)) {
      ctx.addIssue({ code: 'custom', message: `must be one of ${LOG_LEVELS.join(', ')} (got "${value}")` });
      return z.NEVER;
    }
    return level as LogLevel;
  }),
});

export type AppCredential = { clientSecret: string } | { certificatePath: string };

export interface PartnerCenterSettings {
  baseUrl: string;
  authorityHost: string;
  tenantId: string;
  clientId: string;
  credential: AppCredential;
  /** App+User through the secure application model when set. */
  refreshToken?: string;
  /** Microsoft Graph root for the billing exports; https://graph.microsoft.com when absent. */
  graphBaseUrl?: string;
}

/** The token-provider options these settings fix (tenant, app, credential, App+User, authority), for every client. */
export function tokenOptionsOf(settings: PartnerCenterSettings) {
  const { tenantId, clientId, credential, refreshToken, authorityHost } = settings;
  return { tenantId, clientId, credential, refreshToken, authorityHost };
}

export interface WorkerConfig {
  temporal: ClientConnectConfig & { namespace: string };
  taskQueue: string;
  /** Undefined only when `requirePartnerCenter` was false and no Partner Center setting was given. */
  partnerCenter?: PartnerCenterSettings;
  requestsPerMinute: number;
  orderPollIntervalMs: number;
  /** The poll interval grows from orderPollIntervalMs up to this while a purchase or change waits. */
  orderPollMaxIntervalMs: number;
  orderVisibilityDeadlineMs: number;
  /** How long a purchase with requireApproval waits for approve/reject before failing. */
  approvalTimeoutMs: number;
  /** How long a subscription change waits for a busy subscription or an accepted (202) change. */
  subscriptionChangeDeadlineMs: number;
  metricsPort?: number;
  logLevel: LogLevel;
  /** The HTTP API (PCW_API_*): its port (required by `npm run api`; `npm start` defaults it) and bearer tokens. */
  api: { port?: number; tokens?: ApiToken[] };
  /** Standard Webhooks delivery (PCW_WEBHOOK_*); undefined when off. */
  webhooks?: WebhookSettings;
  /** AES-256-GCM payload codec keys (PAYLOAD_ENCRYPTION_KEYS), the first encrypts; undefined when off. */
  encryptionKeys?: EncryptionKey[];
}

export interface WebhookSettings {
  /** PCW_WEBHOOK_URL: receives every event; absent when only per-request callback URLs are used. */
  url?: string;
  /** `whsec_…` signing secret: only the delivery activity holds it, never a workflow. */
  secret: string;
  /** How long one event's delivery is retried (its activity's schedule-to-close timeout). */
  deadlineMs: number;
  /** Origins a per-request callbackUrl may use. */
  allowedOrigins: string[];
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.name = 'ConfigError';
  }
}

export interface LoadConfigOptions {
  /** `npm run worker` needs real Partner Center settings; `npm start` falls back to the sandbox without them. */
  requirePartnerCenter: boolean;
}

const PARTNER_CENTER_VARIABLES = [
  'AZURE_TENANT_ID',
  'AZURE_CLIENT_ID',
  'AZURE_CLIENT_SECRET',
  'AZURE_CLIENT_CERTIFICATE_PATH',
  'PARTNER_CENTER_REFRESH_TOKEN',
] as const;

/** True when any Partner Center credential setting is present (then all of them must be right). */
export function hasPartnerCenterSettings(env: NodeJS.ProcessEnv): boolean {
  return PARTNER_CENTER_VARIABLES.some((name) => (env[name] ?? '').trim() !== '');
}

function describeValue(name: string, value: string | undefined): string {
  if (value === undefined) return 'unset';
  if (SECRET_VARIABLES.has(name)) return `a value of ${value.length} characters`;
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
}

/** Reads and validates the environment; throws one ConfigError that lists every problem. */
export function loadConfig(env: NodeJS.ProcessEnv, options: LoadConfigOptions): WorkerConfig {
  const problems: string[] = [];
  const parsed = environmentSchema.safeParse(env);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = String(issue.path[0]);
      // Secret variables are only ever validated for presence, but keep their values out of messages regardless.
      const message = SECRET_VARIABLES.has(name) ? issue.message.replace(env[name] ?? '\0', '***') : issue.message;
      problems.push(`${name}: ${message}${issue.code === 'custom' ? '' : ` (got ${describeValue(name, env[name])})`}`);
    }
  }

  let temporal: WorkerConfig['temporal'] | undefined;
  try {
    const connect = loadClientConnectConfig({ profile: env.TEMPORAL_PROFILE, overrideEnvVars: stringEnv(env) });
    const { address } = connect.connectionOptions;
    if (address !== undefined && !isHostPort(address)) {
      const source =
        env.TEMPORAL_ADDRESS !== undefined
          ? 'TEMPORAL_ADDRESS'
          : 'address of the Temporal profile (TEMPORAL_PROFILE / TEMPORAL_CONFIG_FILE)';
      problems.push(
        `${source}: must be host:port such as localhost:7233 or temporal.example.com:7233, an IPv6 address in brackets ([::1]:7233) (got ${describeValue('TEMPORAL_ADDRESS', address)})`,
      );
    } else {
      temporal = { ...connect, namespace: connect.namespace ?? 'default' };
    }
  } catch (error) {
    problems.push(`Temporal connection (TEMPORAL_* / TEMPORAL_PROFILE): ${(error as Error).message}`);
  }

  // A rule between two variables: checked on the raw values, so it is listed even when another variable is wrong.
  const pollIntervalMs = parseDuration(env.ORDER_POLL_INTERVAL ?? '15s');
  const pollMaxIntervalMs =
    env.ORDER_POLL_MAX_INTERVAL === undefined ? undefined : parseDuration(env.ORDER_POLL_MAX_INTERVAL);
  if (pollIntervalMs !== undefined && pollMaxIntervalMs !== undefined && pollMaxIntervalMs < pollIntervalMs) {
    problems.push(
      `ORDER_POLL_MAX_INTERVAL: must be at least ORDER_POLL_INTERVAL (${pollIntervalMs} ms), the interval it grows from (got "${env.ORDER_POLL_MAX_INTERVAL}")`,
    );
  }

  const values = parsed.success ? parsed.data : undefined;
  let partnerCenter: PartnerCenterSettings | undefined;
  const wantsPartnerCenter = options.requirePartnerCenter || hasPartnerCenterSettings(env);
  if (wantsPartnerCenter) {
    const tenantId = values?.AZURE_TENANT_ID ?? optionalTextOf(env.AZURE_TENANT_ID);
    const clientId = values?.AZURE_CLIENT_ID ?? optionalTextOf(env.AZURE_CLIENT_ID);
    const secret = optionalTextOf(env.AZURE_CLIENT_SECRET);
    const certificatePath = optionalTextOf(env.AZURE_CLIENT_CERTIFICATE_PATH);
    if (!tenantId) problems.push('AZURE_TENANT_ID: required: the partner tenant (GUID or domain)');
    if (!clientId) problems.push("AZURE_CLIENT_ID: required: the app registration's application (client) id");
    if (!secret && !certificatePath) {
      problems.push('AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH: one app credential is required');
    } else if (secret && certificatePath) {
      problems.push('AZURE_CLIENT_SECRET and AZURE_CLIENT_CERTIFICATE_PATH: set only one app credential, not both');
    }
    if (values && tenantId && clientId && (secret ? !certificatePath : certificatePath)) {
      partnerCenter = {
        baseUrl: values.PARTNER_CENTER_BASE_URL,
        authorityHost: values.AZURE_AUTHORITY_HOST,
        tenantId,
        clientId,
        credential: secret ? { clientSecret: secret } : { certificatePath: certificatePath as string },
        refreshToken: values.PARTNER_CENTER_REFRESH_TOKEN,
        graphBaseUrl: values.MICROSOFT_GRAPH_BASE_URL,
      };
    }
  }

  const webhookSecret = optionalTextOf(env.PCW_WEBHOOK_SECRET);
  const webhookDestination = optionalTextOf(env.PCW_WEBHOOK_URL) ?? optionalTextOf(env.PCW_WEBHOOK_ALLOWED_ORIGINS);
  if (webhookDestination !== undefined && webhookSecret === undefined) {
    problems.push('PCW_WEBHOOK_SECRET: required when PCW_WEBHOOK_URL or PCW_WEBHOOK_ALLOWED_ORIGINS is set');
  } else if (webhookDestination === undefined && webhookSecret !== undefined) {
    problems.push('PCW_WEBHOOK_URL or PCW_WEBHOOK_ALLOWED_ORIGINS: required when PCW_WEBHOOK_SECRET is set');
  }

  if (problems.length > 0 || !values || !temporal) throw new ConfigError(problems);
  return {
    temporal,
    taskQueue: values.TEMPORAL_TASK_QUEUE,
    partnerCenter,
    requestsPerMinute: values.PARTNER_CENTER_REQUESTS_PER_MINUTE,
    orderPollIntervalMs: values.ORDER_POLL_INTERVAL,
    // Unset, it is 5m, or ORDER_POLL_INTERVAL when that is longer: an interval set above 5m keeps working as before.
    orderPollMaxIntervalMs: Math.max(values.ORDER_POLL_MAX_INTERVAL, values.ORDER_POLL_INTERVAL),
    orderVisibilityDeadlineMs: values.ORDER_VISIBILITY_DEADLINE,
    approvalTimeoutMs: values.APPROVAL_TIMEOUT,
    subscriptionChangeDeadlineMs: values.SUBSCRIPTION_CHANGE_DEADLINE,
    metricsPort: values.METRICS_PORT,
    logLevel: values.LOG_LEVEL,
    api: { port: values.PCW_API_PORT, tokens: values.PCW_API_TOKENS },
    ...(values.PCW_WEBHOOK_SECRET !== undefined
      ? {
          webhooks: {
            ...(values.PCW_WEBHOOK_URL !== undefined ? { url: values.PCW_WEBHOOK_URL } : {}),
            secret: values.PCW_WEBHOOK_SECRET,
            deadlineMs: values.PCW_WEBHOOK_DEADLINE,
            allowedOrigins: values.PCW_WEBHOOK_ALLOWED_ORIGINS,
          },
        }
      : {}),
    ...(values.PAYLOAD_ENCRYPTION_KEYS !== undefined ? { encryptionKeys: values.PAYLOAD_ENCRYPTION_KEYS } : {}),
  };
}

function optionalTextOf(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function stringEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}
