/**
 * One call to Microsoft Graph: the token for the Graph scope (from the authority of the connection's tenant: the
 * partner's for billing, a customer's for its licences), client-request-id, a per-call timeout joined with the
 * caller's signal, one forced token refresh and a single repeat on 401 (none when it refused a token without the MFA
 * claim: MfaRequired, as Partner Center's), and Graph's refusals classified into the PartnerCenterError hierarchy (a
 * 403 names the missing right, as the connection words it).
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { GRAPH_SCOPE } from '../auth';
import {
  classifyHttpError,
  MFA_REQUIRED_ACTION,
  PartnerCenterMfaRequiredError,
  PartnerCenterNetworkError,
  PartnerCenterResponseShapeError,
  PartnerCenterTimeoutError,
  PartnerCenterUnauthorizedError,
  tokenRefusalOf,
  type PartnerCenterError,
  type PartnerCenterErrorDetails,
} from '../errors';
import { requestIdOf, routeTemplate, type PartnerCenterCall } from '../http/exchange';
import type { PartnerCenterLogger, TokenProvider } from '../types';

/** The Graph permission the billing exports need (application or delegated, admin-consented). */
export const BILLING_PERMISSION = 'PartnerBilling.Read.All';
export const BILLING_PATH = '/v1.0/reports/partners/billing';

const DEFAULT_RETRY_AFTER_MS = 5_000;

export interface GraphCallOptions {
  signal?: AbortSignal;
  /** client-request-id, for tracing. */
  requestId?: string;
}

/** What every call of one Graph client shares (its options, defaults applied). */
export interface GraphConnection {
  /** The Graph root followed by `prefix`. */
  root: string;
  /** The path of `root` on the Graph host (BILLING_PATH, or /v1.0 in a customer's tenant): how errors name routes. */
  prefix: string;
  /** Per API call (not per blob download). */
  timeoutMs: number;
  fetch: typeof fetch;
  tokens: TokenProvider;
  logger?: PartnerCenterLogger;
  /** Told of every HTTP exchange (metrics, traces), as the Partner Center client's. */
  onCall?: (call: PartnerCenterCall) => void;
  /** The tenant whose authority issues the tokens (a customer's tenant); the partner's own when absent. */
  tenantId?: string;
  /** The error of a 403: which right these calls lack, and who grants it. */
  forbidden(details: PartnerCenterErrorDetails, route: string): PartnerCenterError;
}

type Method = 'GET' | 'POST';

/** One call: a forced token refresh and one repeat on 401, then Graph's errors classified. */
export async function callGraph(
  connection: GraphConnection,
  method: Method,
  path: string,
  body: unknown,
  o?: GraphCallOptions,
): Promise<Response> {
  const { tokens, tenantId } = connection;
  const route = `${method} ${connection.prefix}${path.split('?')[0]}`;
  const token = await tokens.getAccessToken({ scope: GRAPH_SCOPE, tenantId });
  let response = await attempt(connection, { method, path, body }, token, o);
  if (response.status === 401) {
    const refused = await response.text();
    // A token without the MFA claim: a fresh one from the same refresh token has the same claims, so no repeat.
    if (refusalOf(response, refused).mfa) throw graphError(response, refused, route, connection);
    const fresh = await tokens.getAccessToken({ scope: GRAPH_SCOPE, tenantId, forceRefresh: true });
    response = await attempt(connection, { method, path, body }, fresh, o);
  }
  if (response.ok) return response;
  throw graphError(response, await response.text(), route, connection);
}

async function attempt(
  connection: GraphConnection,
  { method, path, body }: { method: Method; path: string; body: unknown },
  token: string,
  o: GraphCallOptions | undefined,
): Promise<Response> {
  const { fetch: fetchImpl, timeoutMs } = connection;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = o?.signal ? AbortSignal.any([timeout, o.signal]) : timeout;
  const route = `${method} ${connection.prefix}${path.split('?')[0]}`;
  const told = { method, route: `${connection.prefix}${routeTemplate(path)}`, startedAt: Date.now() };
  try {
    const response = await fetchImpl(`${connection.root}${path}`, {
      method,
      headers: {
        Accept: 'application/json',
        Authorization: `Bearer ${token}`,
        'client-request-id': o?.requestId ?? randomUUID(),
        ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
    const responseRequestId = requestIdOf(response.headers, 'request-id');
    connection.onCall?.({
      ...told,
      outcome: String(response.status),
      durationMs: Date.now() - told.startedAt,
      responseRequestId,
    });
    return response;
  } catch (error) {
    if (o?.signal?.aborted) throw o.signal.reason ?? error;
    const outcome = timeout.aborted ? 'timeout' : 'network';
    connection.onCall?.({ ...told, outcome, durationMs: Date.now() - told.startedAt });
    const description = `${timeout.aborted ? 'No answer' : 'Could not reach Microsoft Graph'} for ${route}`;
    throw timeout.aborted
      ? new PartnerCenterTimeoutError({ description, cause: error }, `Microsoft Graph: ${description}`)
      : new PartnerCenterNetworkError({ description, cause: error }, `Microsoft Graph: ${description}`);
  }
}

const graphErrorSchema = z.object({
  error: z.object({ code: z.string().optional(), message: z.string().optional() }),
});

/** Graph's refusal: its code and message, and whether it is a token without the MFA claim (as Partner Center's 401s are read). */
function refusalOf(response: Response, text: string) {
  const parsed = graphErrorSchema.safeParse(parseJson(text)).data?.error;
  const details = {
    status: response.status,
    code: parsed?.code,
    description: parsed?.message ?? (text.slice(0, 200) || response.statusText),
    requestId: response.headers.get('request-id') ?? undefined,
  };
  const challenge = response.headers.get('www-authenticate');
  const mfa =
    response.status === 401 && tokenRefusalOf(details.code, details.description, challenge) === 'mfa-required';
  return { details, mfa };
}

function graphError(response: Response, text: string, route: string, connection: GraphConnection): PartnerCenterError {
  const { details, mfa } = refusalOf(response, text);
  connection.logger?.warn('Microsoft Graph refused a call', { route, status: details.status, code: details.code });
  if (response.status === 401) {
    const from = connection.tenantId === undefined ? '' : ` from the authority of tenant ${connection.tenantId}`;
    const refused = `Microsoft Graph HTTP 401 for ${route}: ${details.description} (the token for ${GRAPH_SCOPE}${from} was refused)`;
    return mfa
      ? new PartnerCenterMfaRequiredError(
          details,
          `${refused}: MFA required, the token carries no MFA claim. ${MFA_REQUIRED_ACTION}`,
        )
      : new PartnerCenterUnauthorizedError(details, refused);
  }
  if (response.status === 403) return connection.forbidden(details, route);
  const classified = classifyHttpError({
    status: response.status,
    body: { code: details.code, description: details.description },
    retryAfter: response.headers.get('retry-after'),
    requestId: details.requestId,
  });
  return Object.assign(classified, {
    message: `Microsoft Graph HTTP ${response.status}${details.code !== undefined ? `, code ${details.code}` : ''} for ${route}: ${details.description}`,
  });
}

/** The answer's body parsed against `schema`; another shape is a response-shape error naming the route. */
export async function readJson<S extends z.ZodType>(schema: S, response: Response, route: string): Promise<z.infer<S>> {
  const parsed = schema.safeParse(parseJson(await response.text()));
  if (!parsed.success)
    throw new PartnerCenterResponseShapeError({
      description: `Microsoft Graph answered ${route} with an unexpected shape: ${parsed.error.issues[0]?.message ?? ''}`,
    });
  return parsed.data;
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Retry-After in seconds (Graph's form) or as an HTTP date; the default when absent. */
export function retryAfterOf(value: string | null): number {
  if (value === null || value.trim() === '') return DEFAULT_RETRY_AFTER_MS;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? DEFAULT_RETRY_AFTER_MS : Math.max(0, at - Date.now());
}
