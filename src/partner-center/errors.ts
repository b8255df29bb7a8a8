/**
 * One error hierarchy for every Partner Center failure, with the retry decision made here, once.
 *
 * Classification (tested in test/unit/partner-center/errors.test.ts):
 *   408, 5xx, network failure, client timeout  → retryable (transient / network / timeout)
 *   429                                        → retryable (throttled), honouring Retry-After
 *   401 with 900421 / "MFA required"           → mfa-required: App+User token without the MFA claim, never retried
 *   401 otherwise (900420 retired audience, …) → unauthorized, never retried by the caller
 *   404                                        → not-found, not retryable
 *   409 with 800064 (cart busy) or 800082 (subscription not ready) → conflict, retryable
 *   409 otherwise, 412                         → conflict, not retryable
 *   any other 4xx (400, 403, …)                → business rule, not retryable
 * Messages carry status, Partner Center code, description and request id — never a credential.
 */
import { errorBodySchema } from './schemas';

export type PartnerCenterErrorKind =
  | 'business'
  | 'transient'
  | 'throttled'
  | 'unauthorized'
  | 'mfa-required'
  | 'not-found'
  | 'conflict'
  | 'network'
  | 'timeout';

export interface PartnerCenterErrorDetails {
  status?: number;
  code?: number | string;
  description: string;
  requestId?: string;
  correlationId?: string;
  retryAfterMs?: number;
  cause?: unknown;
}

export abstract class PartnerCenterError extends Error {
  abstract readonly kind: PartnerCenterErrorKind;
  abstract readonly retryable: boolean;
  readonly status?: number;
  readonly code?: number | string;
  readonly description: string;
  readonly requestId?: string;
  readonly correlationId?: string;
  readonly retryAfterMs?: number;

  constructor(details: PartnerCenterErrorDetails, message = describe(details)) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.status = details.status;
    this.code = details.code;
    this.description = details.description;
    this.requestId = details.requestId;
    this.correlationId = details.correlationId;
    this.retryAfterMs = details.retryAfterMs;
  }
}

function describe(details: PartnerCenterErrorDetails): string {
  const parts = [
    details.status === undefined ? undefined : `HTTP ${details.status}`,
    details.code === undefined ? undefined : `code ${details.code}`,
  ].filter((part) => part !== undefined);
  const requestId = details.requestId === undefined ? '' : ` (MS-RequestId ${details.requestId})`;
  return `Partner Center ${parts.length > 0 ? `${parts.join(', ')}: ` : ''}${details.description}${requestId}`;
}

/** A request Partner Center understood and refused (400, 403, other 4xx): retrying will not help. */
export class PartnerCenterBusinessError extends PartnerCenterError {
  readonly kind = 'business' as const;
  readonly retryable = false;
}

/** 408 or 5xx: the service had a problem; retry with the same MS-RequestId. */
export class PartnerCenterTransientError extends PartnerCenterError {
  readonly kind = 'transient' as const;
  readonly retryable = true;
}

/** 429: retry after `retryAfterMs` (when the server said) and reduce parallelism. */
export class PartnerCenterThrottledError extends PartnerCenterError {
  readonly kind = 'throttled' as const;
  readonly retryable = true;
}

/** The credential was refused (token endpoint or a 401 after one forced refresh). */
export class PartnerCenterUnauthorizedError extends PartnerCenterError {
  readonly kind = 'unauthorized' as const;
  readonly retryable = false;
}

/**
 * 401/900421: an App+User token without the MFA claim (`amr` lacks `mfa`), enforced for every App+User
 * call since April 2026. A new token from the same refresh token carries the same claims, so only the
 * operator can fix it (MFA_REQUIRED_ACTION).
 */
export class PartnerCenterMfaRequiredError extends PartnerCenterError {
  readonly kind = 'mfa-required' as const;
  readonly retryable = false;
}

export class PartnerCenterNotFoundError extends PartnerCenterError {
  readonly kind = 'not-found' as const;
  readonly retryable = false;
}

/** 409/412. Only the documented "busy, try again" codes are retryable. */
export class PartnerCenterConflictError extends PartnerCenterError {
  readonly kind = 'conflict' as const;
  readonly retryable: boolean;
  constructor(details: PartnerCenterErrorDetails) {
    super(details);
    this.retryable =
      details.status === 409 && details.code !== undefined && RETRYABLE_CONFLICT_CODES.has(Number(details.code));
  }
}

/** The request never got an answer (connection refused/reset, DNS, TLS). */
export class PartnerCenterNetworkError extends PartnerCenterError {
  readonly kind = 'network' as const;
  readonly retryable = true;
}

/** Our own per-request timeout fired. Retry with the same MS-RequestId (Partner Center rule). */
export class PartnerCenterTimeoutError extends PartnerCenterError {
  readonly kind = 'timeout' as const;
  readonly retryable = true;
}

/** A 2xx body that does not have the documented shape: a contract problem, not worth retrying. */
export class PartnerCenterResponseShapeError extends PartnerCenterBusinessError {}

/** A request body we refused to send (fails our strict schema): a caller bug, not worth retrying. */
export class PartnerCenterInvalidRequestError extends PartnerCenterBusinessError {}

/** Partner Center's 401 code for an App+User token without the MFA claim (partner-center-2026.md, Authentication). */
export const MFA_REQUIRED_CODE = 900421;
/** Partner Center's 401 code for a token of the retired Azure AD Graph audience (https://graph.windows.net). */
export const RETIRED_AUDIENCE_CODE = 900420;
/** The only audience Partner Center accepts since the Azure AD Graph audience was retired (31 Aug 2025). */
export const PARTNER_CENTER_AUDIENCE = 'https://api.partnercenter.microsoft.com';

/** What the operator must do about MfaRequired; names the setting, never its value. */
export const MFA_REQUIRED_ACTION =
  'Operator action: re-consent with Microsoft Entra MFA through the secure application model (the consenting partner user signs in with MFA) ' +
  'and set the new refresh token in PARTNER_CENTER_REFRESH_TOKEN; retrying with the current one will not help';

/**
 * Why Partner Center refused a token, from everything a 401 may carry: the code as a number or a
 * string, at the top of the body or under `error`, or only in the description or the
 * `WWW-Authenticate` challenge (whose `error="invalid_token"` alone says nothing more than "refused").
 */
export function tokenRefusalOf(
  code: number | string | undefined,
  description: string,
  challenge?: string | null,
): 'mfa-required' | 'retired-audience' | undefined {
  const evidence = `${description} ${challenge ?? ''}`;
  const mentions = (value: number) => Number(code) === value || new RegExp(`\\b${value}\\b`).test(evidence);
  if (mentions(MFA_REQUIRED_CODE) || /\bmfa\b|multi-?factor/i.test(evidence)) return 'mfa-required';
  if (mentions(RETIRED_AUDIENCE_CODE)) return 'retired-audience';
  return undefined;
}

/** 409 codes meaning "busy, try again shortly": cart being processed (800064), subscription not ready (800082). */
export const RETRYABLE_CONFLICT_CODES: ReadonlySet<number> = new Set([800064, 800082]);

export const DEFAULT_MAX_RETRY_AFTER_MS = 10 * 60_000;

/**
 * `Retry-After` as milliseconds from `now`: delta-seconds or an HTTP-date, clamped to
 * [0, maxMs]. Unparseable or absent → undefined (the caller's back-off applies).
 */
export function parseRetryAfter(
  value: string | null | undefined,
  now: number = Date.now(),
  maxMs: number = DEFAULT_MAX_RETRY_AFTER_MS,
): number | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  let ms: number;
  if (/^\d+(\.\d+)?$/.test(trimmed)) {
    ms = Number(trimmed) * 1000;
  } else {
    // HTTP-dates always name a weekday/month; bare numbers like "-5" are not dates.
    if (!/[a-z]/i.test(trimmed)) return undefined;
    const date = Date.parse(trimmed);
    if (Number.isNaN(date)) return undefined;
    ms = date - now;
  }
  return Math.min(Math.max(Math.round(ms), 0), maxMs);
}

const MAX_DESCRIPTION_LENGTH = 1024;

/** Code and description from any of the error body shapes Partner Center sends. */
export function parseErrorBody(
  body: unknown,
  fallbackDescription: string,
): { code?: number | string; description: string } {
  const parsed = errorBodySchema.safeParse(body);
  if (!parsed.success) return { description: fallbackDescription };
  const { code, description, message, error } = parsed.data;
  const text = description ?? message ?? error?.message ?? fallbackDescription;
  return {
    code: code ?? error?.code,
    description: text.length > MAX_DESCRIPTION_LENGTH ? `${text.slice(0, MAX_DESCRIPTION_LENGTH)}…` : text,
  };
}

export interface HttpFailure {
  status: number;
  body: unknown;
  statusText?: string;
  retryAfter?: string | null;
  requestId?: string;
  correlationId?: string;
  /** The `WWW-Authenticate` header of a 401. */
  wwwAuthenticate?: string | null;
  now?: number;
}

/** The classification table: an HTTP error response → the matching error class. */
export function classifyHttpError(failure: HttpFailure): PartnerCenterError {
  const { code, description } = parseErrorBody(failure.body, failure.statusText || `HTTP ${failure.status}`);
  const details: PartnerCenterErrorDetails = {
    status: failure.status,
    code,
    description,
    requestId: failure.requestId,
    correlationId: failure.correlationId,
  };
  const { status } = failure;
  if (status === 429) {
    // Without the header, the gateway's sentence "Try again in 57 seconds." still says how long.
    const fromMessage = /try again in (\d+) seconds?/i.exec(description)?.[1];
    const retryAfterMs = parseRetryAfter(failure.retryAfter, failure.now) ?? parseRetryAfter(fromMessage, failure.now);
    return new PartnerCenterThrottledError({ ...details, retryAfterMs });
  }
  if (status === 408 || status >= 500) {
    return new PartnerCenterTransientError({
      ...details,
      retryAfterMs: parseRetryAfter(failure.retryAfter, failure.now),
    });
  }
  if (status === 401) {
    const mfa = tokenRefusalOf(code, description, failure.wwwAuthenticate) === 'mfa-required';
    return mfa ? new PartnerCenterMfaRequiredError(details) : new PartnerCenterUnauthorizedError(details);
  }
  if (status === 404) return new PartnerCenterNotFoundError(details);
  if (status === 409 || status === 412) return new PartnerCenterConflictError(details);
  return new PartnerCenterBusinessError(details);
}

export function isPartnerCenterError(error: unknown): error is PartnerCenterError {
  return error instanceof PartnerCenterError;
}
