/**
 * A 401 explained: which credential Partner Center refused and why (MFA claim missing, retired audience, expired,
 * wrong audience, App-only where App+User is needed), from the answer's code, description and WWW-Authenticate.
 * Never the token.
 */
import {
  classifyHttpError,
  MFA_REQUIRED_ACTION,
  MFA_REQUIRED_CODE,
  parseErrorBody,
  PARTNER_CENTER_AUDIENCE,
  PartnerCenterMfaRequiredError,
  PartnerCenterUnauthorizedError,
  RETIRED_AUDIENCE_CODE,
  tokenRefusalOf,
  type PartnerCenterError,
} from '../errors';
import type { TokenProvider } from '../types';
import type { CallIds, HttpResponse } from './exchange';

/** Why Partner Center refused the token of a 401, when its code or wording says (see tokenRefusalOf). */
export function tokenRefusal(response: HttpResponse): ReturnType<typeof tokenRefusalOf> {
  const { code, description } = parseErrorBody(response.body, '');
  return tokenRefusalOf(code, description, response.headers.get('www-authenticate'));
}

/** Says which credential failed and why, from the 401's code, description and WWW-Authenticate — never the token. */
export function unauthorized(response: HttpResponse, ids: CallIds, tokens: TokenProvider): PartnerCenterError {
  const challenge = response.headers.get('www-authenticate');
  const base = classifyHttpError({
    status: 401,
    body: response.body,
    wwwAuthenticate: challenge,
    requestId: ids.requestId,
    correlationId: ids.correlationId,
  });
  const credential =
    tokens.mode === 'app+user'
      ? 'App+User token (secure application model refresh token)'
      : `App-only token (${tokens.credentialKind === 'certificate' ? 'certificate' : 'client secret'})`;
  const reason = refusalReason(base, challenge, tokens);
  const details = {
    status: 401,
    code: base.code,
    description: `${credential} refused by Partner Center: ${reason}. Server said: ${base.description}`,
    requestId: ids.requestId,
    correlationId: ids.correlationId,
  };
  return base.kind === 'mfa-required'
    ? new PartnerCenterMfaRequiredError(details)
    : new PartnerCenterUnauthorizedError(details);
}

/** The reason a 401 names: the refusal's code when it has one, else what its wording and the token mode suggest. */
function refusalReason(base: PartnerCenterError, challenge: string | null, tokens: TokenProvider): string {
  const evidence = `${base.description} ${challenge ?? ''}`;
  const refusal = tokenRefusalOf(base.code, base.description, challenge);
  if (refusal === 'mfa-required') {
    return `MFA required (${MFA_REQUIRED_CODE}): the token carries no MFA claim, which Partner Center demands of every App+User call. ${MFA_REQUIRED_ACTION}`;
  }
  if (refusal === 'retired-audience') {
    return `the token is for the retired Azure AD Graph audience (${RETIRED_AUDIENCE_CODE}); Partner Center accepts only tokens for the audience ${PARTNER_CENTER_AUDIENCE} (scope ${PARTNER_CENTER_AUDIENCE}/.default)`;
  }
  if (/expired/i.test(evidence)) {
    return 'the token had expired even after a forced refresh (check the machine clock)';
  }
  if (/audience|aud\b/i.test(evidence)) {
    return `the token is not meant for Partner Center (wrong audience; expected ${PARTNER_CENTER_AUDIENCE})`;
  }
  if (tokens.mode === 'app-only') {
    return 'Partner Center refused an App-only token; this operation may need App+User (set PARTNER_CENTER_REFRESH_TOKEN) or the app lacks consent in the partner tenant';
  }
  return 'Partner Center refused the token even after a forced refresh';
}
