/**
 * Token failures as PartnerCenterErrors whose messages name the credential kind and the reason (Entra's AADSTS
 * codes read into a sentence), with every secret we hold redacted from anything the authority said.
 */
import { AuthError, ClientAuthError, ServerError } from '@azure/msal-node';
import {
  PartnerCenterError,
  PartnerCenterNetworkError,
  type PartnerCenterErrorDetails,
  PartnerCenterTransientError,
  PartnerCenterUnauthorizedError,
} from '../errors';

/** Reasons for Entra error codes (AADSTS…), so the message says what to fix. */
const AADSTS_REASONS: ReadonlyArray<[codes: number[], reason: string]> = [
  [
    [70008, 700082, 70043, 700084, 9002313, 50173],
    'the refresh token is expired, revoked or malformed; repeat the secure application model consent to issue a new one',
  ],
  [
    [50076, 50079, 50074, 50158],
    'multi-factor authentication is required; the consenting partner user must complete Microsoft Entra MFA',
  ],
  [[65001, 65004, 90094, 90008], 'consent is missing: the app has not been granted access in the partner tenant'],
  [[7000215, 7000216], 'the client secret is wrong'],
  [[7000222], 'the client secret has expired'],
  [
    [700027, 700024, 700021, 700212, 50027],
    'the certificate assertion was rejected (certificate not registered on the app, or clock skew)',
  ],
  [[700016, 7000218], 'the application is not registered in the tenant or sent no credential'],
  [[90002, 900023, 90072], 'the tenant was not found or the account is not in it'],
  [[1002012, 70011], 'the requested scope is invalid'],
];

export function tokenFailure(
  error: unknown,
  label: string,
  authorityHost: string,
  redact: (text: string) => string,
  lastNetworkFailure: string | undefined,
): PartnerCenterError {
  if (error instanceof PartnerCenterError) return error;
  if (error instanceof ServerError) {
    const said = redact(error.errorMessage);
    const aadsts = Number(/AADSTS(\d+)/.exec(said)?.[1] ?? error.errorNo ?? NaN);
    const details = { status: error.status, code: error.errorCode };
    if (
      (error.status !== undefined && (error.status >= 500 || error.status === 429)) ||
      ['temporarily_unavailable', 'server_error'].includes(error.errorCode)
    ) {
      const description = `${label} failed: the authority is unavailable (${error.errorCode}). Authority said: ${authoritySaid(said)}`;
      return authorityError(PartnerCenterTransientError, { ...details, description });
    }
    const reason =
      AADSTS_REASONS.find(([codes]) => codes.includes(aadsts))?.[1] ??
      (error.errorCode === 'invalid_client'
        ? 'the app credential was rejected'
        : error.errorCode === 'invalid_grant'
          ? 'the grant was rejected'
          : 'the authority refused the request');
    const tag = Number.isNaN(aadsts) ? error.errorCode : `AADSTS${aadsts}, ${error.errorCode}`;
    const description = `${label} failed: ${reason} [${tag}]. Authority said: ${authoritySaid(said)}`;
    return authorityError(PartnerCenterUnauthorizedError, { ...details, description });
  }
  if (
    error instanceof ClientAuthError &&
    ['network_error', 'endpoints_resolution_error', 'openid_config_error'].includes(error.errorCode)
  ) {
    const why = lastNetworkFailure ? `: ${redact(lastNetworkFailure)}` : '';
    return authorityError(PartnerCenterNetworkError, {
      code: error.errorCode,
      description: `${label} failed: could not reach the authority ${authorityHost}${why}`,
    });
  }
  if (error instanceof AuthError) {
    return authorityError(PartnerCenterUnauthorizedError, {
      code: error.errorCode,
      description: `${label} failed: ${error.errorCode}: ${redact(error.errorMessage)}`,
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return authorityError(PartnerCenterUnauthorizedError, { description: `${label} failed: ${redact(message)}` });
}

/** Token errors are about the authority, not Partner Center: their message is the description alone. */
export function authorityError(
  ErrorClass: new (details: PartnerCenterErrorDetails, message?: string) => PartnerCenterError,
  details: PartnerCenterErrorDetails,
): PartnerCenterError {
  return new ErrorClass(details, details.description);
}

/** The authority's own sentence, without msal's "Error(s): … - Timestamp: …" framing. */
function authoritySaid(message: string): string {
  return /AADSTS\d+: .*?(?= - Correlation ID| - Trace ID|$)/.exec(message)?.[0] ?? message;
}

export function redactSecrets(text: string, secrets: Iterable<string>): string {
  let result = text;
  for (const secret of secrets) {
    if (secret.length >= 8) result = result.split(secret).join('[redacted]');
  }
  return result.replace(/eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, '[redacted-jwt]');
}
