import type { KeyObject } from 'node:crypto';
import { z } from 'zod';
import { decodeJwt, hasValidSignature } from './jwt';

/** The access tokens of the sandbox authority and the check the API applies to every bearer token. */

export const PARTNER_CENTER_RESOURCE = 'https://api.partnercenter.microsoft.com';
/** The Azure AD Graph audience the official SDK requested for App-only tokens (partner-center-api.md §1.4),
 * retired on 31 August 2025: Partner Center now refuses its tokens with 401/900420. */
export const RETIRED_AUDIENCE = 'https://graph.windows.net';

export const accessTokenClaimsSchema = z.object({
  aud: z.string(),
  iss: z.string(),
  iat: z.number(),
  nbf: z.number(),
  exp: z.number(),
  tid: z.string(),
  oid: z.string(),
  appid: z.string(),
  idtyp: z.enum(['app', 'user']),
  ver: z.string(),
  scp: z.string().optional(),
  amr: z.array(z.string()).optional(),
  upn: z.string().optional(),
});
export type AccessTokenClaims = z.infer<typeof accessTokenClaimsSchema>;

export type TokenCheck =
  | { ok: true; claims: AccessTokenClaims }
  | {
      ok: false;
      reason:
        | 'malformed'
        | 'bad-signature'
        | 'expired'
        | 'not-yet-valid'
        | 'wrong-issuer'
        | 'wrong-audience'
        | 'retired-audience';
      description: string;
    };

/** Checks a bearer token the way Partner Center would: signed by our authority, issued for the
 * token's own tenant, meant for Partner Center, and within its lifetime (wall-clock seconds). */
export function verifyAccessToken(
  token: string,
  trust: { publicKey: KeyObject | string; authorityHost: string; audience?: string },
  nowSeconds: number = Math.floor(Date.now() / 1000),
): TokenCheck {
  const jwt = decodeJwt(token);
  if (!jwt) return { ok: false, reason: 'malformed', description: 'The access token is not a JWT.' };
  if (!hasValidSignature(jwt, trust.publicKey))
    return { ok: false, reason: 'bad-signature', description: 'The access token signature is invalid.' };
  const parsed = accessTokenClaimsSchema.safeParse(jwt.claims);
  if (!parsed.success)
    return { ok: false, reason: 'malformed', description: 'The access token lacks required claims.' };
  const claims = parsed.data;
  if (claims.iss !== issuerFor(trust.authorityHost, claims.tid))
    return { ok: false, reason: 'wrong-issuer', description: 'The access token was issued by an unknown authority.' };
  if (claims.aud === RETIRED_AUDIENCE) {
    return {
      ok: false,
      reason: 'retired-audience',
      description: `The access token audience ${RETIRED_AUDIENCE} is retired; request a token for ${PARTNER_CENTER_RESOURCE}.`,
    };
  }
  const audience = trust.audience ?? PARTNER_CENTER_RESOURCE;
  if (claims.aud !== audience)
    return { ok: false, reason: 'wrong-audience', description: `The access token audience is not ${audience}.` };
  if (claims.exp <= nowSeconds) return { ok: false, reason: 'expired', description: 'The access token has expired.' };
  if (claims.nbf > nowSeconds + 300)
    return { ok: false, reason: 'not-yet-valid', description: 'The access token is not yet valid.' };
  return { ok: true, claims };
}

export function issuerFor(authorityHost: string, tenantId: string): string {
  return `${authorityHost}/${tenantId}/v2.0`;
}
