import type { IncomingMessage } from 'node:http';
import { ApiError } from './errors';
import { header } from './http';
import type { ApiContext } from './router';
import type { ServerDeps } from './server-deps';

/** The bearer check of every /v1 request: a token of our authority for Partner Center, of a partner
 * tenant, with MFA on App+User tokens, and App+User where a route demands it. */

/** Partner Center's 401 codes for an App+User token without the MFA claim and for the retired audience (partner-center-2026.md). */
const MFA_REQUIRED_CODE = 900421;
const RETIRED_AUDIENCE_CODE = 900420;

function unauthorized(description: string, error = 'invalid_token', code = 0): ApiError {
  return new ApiError(401, code, `Unauthorized: ${description}`, {
    'WWW-Authenticate': `Bearer realm="urn:cpsvc:cpid:pcw-sandbox", error="${error}", error_description="${description}"`,
  });
}

/** `audience`: the resource the token must be for (Partner Center's when absent; the pricing host passes its own). */
export function authenticate(
  deps: ServerDeps,
  req: IncomingMessage,
  appUserOnly: boolean,
  audience?: string,
): ApiContext['token'] {
  const authorization = header(req.headers, 'authorization');
  if (!authorization) throw unauthorized('The Authorization header is missing.', 'invalid_request');
  const match = /^Bearer\s+(\S+)$/i.exec(authorization);
  if (!match) throw unauthorized('The Authorization header must be "Bearer <token>".', 'invalid_request');
  const check = deps.authority.verify(match[1], audience);
  if (!check.ok)
    throw unauthorized(
      check.description,
      'invalid_token',
      check.reason === 'retired-audience' ? RETIRED_AUDIENCE_CODE : 0,
    );
  const claims = check.claims;
  if (!deps.partners.some((p) => p.tenantId === claims.tid))
    throw unauthorized('The token tenant is not a Partner Center partner tenant.');
  // Enforced for every App+User call since April 2026; App-only tokens are not subject to it.
  if (claims.idtyp === 'user' && !claims.amr?.includes('mfa')) {
    throw unauthorized(
      'MFA required: the App+User token has no mfa claim in amr. Sign in with multi-factor authentication.',
      'invalid_token',
      MFA_REQUIRED_CODE,
    );
  }
  if (appUserOnly && claims.idtyp !== 'user') {
    throw new ApiError(
      403,
      0,
      'This operation requires an App+User (delegated) token; App-only tokens are not accepted.',
    );
  }
  return claims;
}
