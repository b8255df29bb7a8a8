import { createHash, type KeyObject } from 'node:crypto';
import { issuerFor, PARTNER_CENTER_RESOURCE, type AccessTokenClaims } from './access-token';
import type { AppRegistration } from './authority-state';
import { signJwt, type JwtHeader } from './jwt';

/** The tokens the sandbox authority signs: access tokens (App-only and App+User) and the id token
 * of a refresh-token grant. */

export const ACCESS_TOKEN_LIFETIME_SECONDS = 3599;
export const KEY_ID = 'pcw-sandbox-signing-key';
const SIGNING_HEADER: JwtHeader = { alg: 'RS256', typ: 'JWT', kid: KEY_ID };

export interface MintOptions {
  tenantId: string;
  mode: 'app-only' | 'app+user';
  /** Seconds from now; negative gives an already expired token. */
  expiresInSeconds?: number;
  /** App+User only: include `mfa` in `amr` (default true). */
  mfa?: boolean;
  audience?: string;
}

/** The key tokens are signed with and the authority host they name as issuer. */
export interface TokenSigner {
  host: string;
  signing: { privateKey: KeyObject };
}

type PartnerUser = AppRegistration['user'];

export function signAccessToken(
  signer: TokenSigner,
  o: MintOptions & { clientId: string; user?: PartnerUser },
): string {
  const now = Math.floor(Date.now() / 1000);
  const claims: AccessTokenClaims = {
    aud: o.audience ?? PARTNER_CENTER_RESOURCE,
    iss: issuerFor(signer.host, o.tenantId),
    iat: now,
    nbf: now,
    exp: now + (o.expiresInSeconds ?? ACCESS_TOKEN_LIFETIME_SECONDS),
    tid: o.tenantId,
    oid: o.user?.oid ?? servicePrincipalOid(o.clientId),
    appid: o.clientId,
    idtyp: o.mode === 'app+user' ? 'user' : 'app',
    ver: '1.0',
  };
  if (o.mode === 'app+user') {
    claims.scp = 'user_impersonation';
    claims.amr = o.mfa === false ? ['pwd'] : ['pwd', 'mfa'];
    claims.upn = o.user?.upn;
  }
  return signJwt(SIGNING_HEADER, claims, signer.signing.privateKey);
}

export function signIdToken(signer: TokenSigner, o: { tenantId: string; clientId: string; user: PartnerUser }): string {
  const now = Math.floor(Date.now() / 1000);
  return signJwt(
    SIGNING_HEADER,
    {
      aud: o.clientId,
      iss: issuerFor(signer.host, o.tenantId),
      iat: now,
      nbf: now,
      exp: now + ACCESS_TOKEN_LIFETIME_SECONDS,
      tid: o.tenantId,
      oid: o.user.oid,
      sub: o.user.oid,
      preferred_username: o.user.upn,
      name: o.user.name,
      ver: '2.0',
    },
    signer.signing.privateKey,
  );
}

function servicePrincipalOid(clientId: string): string {
  // Stable per app without storing anything: a GUID-shaped digest of the client id.
  const h = createHash('sha256').update(`sp:${clientId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
