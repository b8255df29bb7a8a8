import { loadClientConnectConfig, type ClientConnectConfig } from '@temporalio/envconfig';
import type { z } from 'zod';
import type { ApiToken } from './settings/api-tokens';
import type { EncryptionKey } from './settings/encryption-keys';
import { environmentSchema, SECRET_VARIABLES, type EnvironmentValues, type LogLevel } from './settings/environment';
import { isHostPort, parseDuration } from './settings/values';

/**
 * Contract §2: the whole environment, read once at start with zod. Every problem is collected and reported in one
 * message; secret values are never echoed (only their shape).
 */

// The defaults and value rules other modules (the client library, the docs generator) read from here.
export {
  DEFAULT_AUTHORITY_HOST,
  DEFAULT_GRAPH_BASE_URL,
  DEFAULT_PARTNER_CENTER_BASE_URL,
  DEFAULT_PRICING_BASE_URL,
  type LogLevel,
} from './settings/environment';
export { callbackUrlProblem, DEFAULT_TASK_QUEUE, parseDuration } from './settings/values';

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
  /** The price sheets' host; https://api.partner.microsoft.com when absent. */
  pricingBaseUrl?: string;
  /** A CA to trust for the authority besides Node's store: the sandbox's, when these came from `npm start`'s file. */
  trustedCaPem?: string;
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
  /** How long before a subscription's term ends its lifecycle reviews the renewal, unless its policy says otherwise. */
  renewalReviewLeadMs: number;
  /** How long an onboarding waits for the customer to accept the reseller relationship. */
  relationshipAcceptTimeoutMs: number;
  /** How long an onboarding waits for the customer to approve its GDAP relationship (and its qualification review). */
  gdapApprovalTimeoutMs: number;
  /** How long a licence assignment waits for bought licences to show in the customer's tenant. */
  licenceVisibilityDeadlineMs: number;
  metricsPort?: number;
  logLevel: LogLevel;
  /** The HTTP API (PCW_API_*): its port (required by `npm run api`; `npm start` defaults it) and bearer tokens. */
  api: { port?: number; tokens?: ApiToken[] };
  /** Standard Webhooks delivery (PCW_WEBHOOK_*); undefined when off. */
  webhooks?: WebhookSettings;
  /** PARTNER_CENTER_WEBHOOK_CERT_HOSTS: the hosts a Partner Center event's certificate URL may name (none: every event is refused). */
  partnerCenterEventCertHosts: string[];
  /** The Worker Deployment Version this worker joins (PCW_DEPLOYMENT_NAME, PCW_BUILD_ID); undefined: unversioned. */
  deploymentVersion?: DeploymentVersion;
  /** AES-256-GCM payload codec keys (PAYLOAD_ENCRYPTION_KEYS), the first encrypts; undefined when off. */
  encryptionKeys?: EncryptionKey[];
}

export interface DeploymentVersion {
  deploymentName: string;
  buildId: string;
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
  const parsed = environmentSchema.safeParse(env);
  const problems = parsed.success ? [] : parsed.error.issues.map((issue) => problemOfIssue(issue, env));
  const temporal = readTemporalConnection(env, problems);
  checkPollIntervals(env, problems);
  const values = parsed.success ? parsed.data : undefined;
  const partnerCenter =
    options.requirePartnerCenter || hasPartnerCenterSettings(env)
      ? readPartnerCenterSettings(env, values, problems)
      : undefined;
  checkWebhookPair(env, problems);
  checkDeploymentPair(env, problems);
  if (problems.length > 0 || !values || !temporal) throw new ConfigError(problems);
  return workerConfigOf(values, temporal, partnerCenter);
}

/** One schema complaint as `NAME: rule (got …)`. */
function problemOfIssue(issue: z.core.$ZodIssue, env: NodeJS.ProcessEnv): string {
  const name = String(issue.path[0]);
  // Secret variables are only ever validated for presence, but keep their values out of messages regardless.
  const message = SECRET_VARIABLES.has(name) ? issue.message.replace(env[name] ?? '\0', '***') : issue.message;
  return `${name}: ${message}${issue.code === 'custom' ? '' : ` (got ${describeValue(name, env[name])})`}`;
}

/** TEMPORAL_* or a profile through envconfig, with an address that is host:port; undefined after a problem. */
function readTemporalConnection(env: NodeJS.ProcessEnv, problems: string[]): WorkerConfig['temporal'] | undefined {
  try {
    const connect = loadClientConnectConfig({ profile: env.TEMPORAL_PROFILE, overrideEnvVars: stringEnv(env) });
    const { address } = connect.connectionOptions;
    if (address === undefined || isHostPort(address)) return { ...connect, namespace: connect.namespace ?? 'default' };
    const source =
      env.TEMPORAL_ADDRESS !== undefined
        ? 'TEMPORAL_ADDRESS'
        : 'address of the Temporal profile (TEMPORAL_PROFILE / TEMPORAL_CONFIG_FILE)';
    problems.push(
      `${source}: must be host:port such as localhost:7233 or temporal.example.com:7233, an IPv6 address in brackets ([::1]:7233) (got ${describeValue('TEMPORAL_ADDRESS', address)})`,
    );
  } catch (error) {
    problems.push(`Temporal connection (TEMPORAL_* / TEMPORAL_PROFILE): ${(error as Error).message}`);
  }
  return undefined;
}

/** A rule between two variables: checked on the raw values, so it is listed even when another variable is wrong. */
function checkPollIntervals(env: NodeJS.ProcessEnv, problems: string[]): void {
  const pollIntervalMs = parseDuration(env.ORDER_POLL_INTERVAL ?? '15s');
  const pollMaxIntervalMs =
    env.ORDER_POLL_MAX_INTERVAL === undefined ? undefined : parseDuration(env.ORDER_POLL_MAX_INTERVAL);
  if (pollIntervalMs !== undefined && pollMaxIntervalMs !== undefined && pollMaxIntervalMs < pollIntervalMs) {
    problems.push(
      `ORDER_POLL_MAX_INTERVAL: must be at least ORDER_POLL_INTERVAL (${pollIntervalMs} ms), the interval it grows from (got "${env.ORDER_POLL_MAX_INTERVAL}")`,
    );
  }
}

/**
 * Tenant, app and exactly one app credential, each missing one named; the settings only when all are right (the
 * raw values are read too, so a missing tenant is reported even when another variable broke the schema).
 */
function readPartnerCenterSettings(
  env: NodeJS.ProcessEnv,
  values: EnvironmentValues | undefined,
  problems: string[],
): PartnerCenterSettings | undefined {
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
  if (!values || !tenantId || !clientId || (secret ? certificatePath : !certificatePath)) return undefined;
  return {
    baseUrl: values.PARTNER_CENTER_BASE_URL,
    authorityHost: values.AZURE_AUTHORITY_HOST,
    tenantId,
    clientId,
    credential: secret ? { clientSecret: secret } : { certificatePath: certificatePath as string },
    refreshToken: values.PARTNER_CENTER_REFRESH_TOKEN,
    graphBaseUrl: values.MICROSOFT_GRAPH_BASE_URL,
    pricingBaseUrl: values.PARTNER_PRICING_BASE_URL,
  };
}

/** Webhooks need a secret and somewhere to send: either one without the other is a mistake. */
function checkWebhookPair(env: NodeJS.ProcessEnv, problems: string[]): void {
  const webhookSecret = optionalTextOf(env.PCW_WEBHOOK_SECRET);
  const webhookDestination = optionalTextOf(env.PCW_WEBHOOK_URL) ?? optionalTextOf(env.PCW_WEBHOOK_ALLOWED_ORIGINS);
  if (webhookDestination !== undefined && webhookSecret === undefined) {
    problems.push('PCW_WEBHOOK_SECRET: required when PCW_WEBHOOK_URL or PCW_WEBHOOK_ALLOWED_ORIGINS is set');
  } else if (webhookDestination === undefined && webhookSecret !== undefined) {
    problems.push('PCW_WEBHOOK_URL or PCW_WEBHOOK_ALLOWED_ORIGINS: required when PCW_WEBHOOK_SECRET is set');
  }
}

/** A version is a deployment name and a build id: either one alone would silently leave the worker unversioned. */
function checkDeploymentPair(env: NodeJS.ProcessEnv, problems: string[]): void {
  const deploymentName = optionalTextOf(env.PCW_DEPLOYMENT_NAME);
  const buildId = optionalTextOf(env.PCW_BUILD_ID);
  if ((deploymentName === undefined) !== (buildId === undefined)) {
    problems.push(
      `PCW_DEPLOYMENT_NAME and PCW_BUILD_ID: set both (the worker joins that Worker Deployment Version) or neither (got only ${deploymentName === undefined ? 'PCW_BUILD_ID' : 'PCW_DEPLOYMENT_NAME'})`,
    );
  }
}

/** The valid environment as the configuration the entry points use. */
function workerConfigOf(
  values: EnvironmentValues,
  temporal: WorkerConfig['temporal'],
  partnerCenter: PartnerCenterSettings | undefined,
): WorkerConfig {
  return {
    temporal,
    taskQueue: values.TEMPORAL_TASK_QUEUE,
    partnerCenter,
    requestsPerMinute: values.PARTNER_CENTER_REQUESTS_PER_MINUTE,
    orderPollIntervalMs: values.ORDER_POLL_INTERVAL,
    // Unset, it is 210s, or ORDER_POLL_INTERVAL when that is longer: an interval set above it keeps working as before.
    orderPollMaxIntervalMs: Math.max(values.ORDER_POLL_MAX_INTERVAL, values.ORDER_POLL_INTERVAL),
    orderVisibilityDeadlineMs: values.ORDER_VISIBILITY_DEADLINE,
    approvalTimeoutMs: values.APPROVAL_TIMEOUT,
    subscriptionChangeDeadlineMs: values.SUBSCRIPTION_CHANGE_DEADLINE,
    renewalReviewLeadMs: values.RENEWAL_REVIEW_LEAD,
    relationshipAcceptTimeoutMs: values.RELATIONSHIP_ACCEPT_TIMEOUT,
    gdapApprovalTimeoutMs: values.GDAP_APPROVAL_TIMEOUT,
    licenceVisibilityDeadlineMs: values.LICENCE_VISIBILITY_DEADLINE,
    metricsPort: values.METRICS_PORT,
    logLevel: values.LOG_LEVEL,
    api: { port: values.PCW_API_PORT, tokens: values.PCW_API_TOKENS },
    partnerCenterEventCertHosts: values.PARTNER_CENTER_WEBHOOK_CERT_HOSTS,
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
    ...(values.PCW_DEPLOYMENT_NAME !== undefined && values.PCW_BUILD_ID !== undefined
      ? { deploymentVersion: { deploymentName: values.PCW_DEPLOYMENT_NAME, buildId: values.PCW_BUILD_ID } }
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
