import { createPrivateKey, createPublicKey, sign, verify, constants, type KeyObject } from 'node:crypto';

/** Compact JWS (RS256 / PS256) encoding and checking, enough for the sandbox authority's own tokens
 * and for the client assertions msal-node signs with a certificate. */

export type JwtHeader = {
  alg: string;
  typ?: string;
  kid?: string;
  x5t?: string;
  'x5t#S256'?: string;
  x5c?: string | string[];
};
export type JwtClaims = Record<string, unknown>;

export interface DecodedJwt {
  header: JwtHeader;
  claims: JwtClaims;
  signingInput: string;
  signature: Buffer;
}

const base64url = (data: Buffer | string): string => Buffer.from(data).toString('base64url');

export function signJwt(header: JwtHeader, claims: JwtClaims, privateKey: KeyObject | string): string {
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  const key = typeof privateKey === 'string' ? createPrivateKey(privateKey) : privateKey;
  return `${signingInput}.${base64url(sign('sha256', Buffer.from(signingInput), key))}`;
}

/** Splits and parses a compact JWT without checking it; undefined when it is not one. */
export function decodeJwt(token: string): DecodedJwt | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const header: unknown = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
    const claims: unknown = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    if (!isRecord(header) || typeof header.alg !== 'string' || !isRecord(claims)) return undefined;
    return {
      header: header as JwtHeader,
      claims,
      signingInput: `${parts[0]}.${parts[1]}`,
      signature: Buffer.from(parts[2], 'base64url'),
    };
  } catch {
    return undefined;
  }
}

/** True when the signature is a valid RS256 or PS256 signature by `publicKey`. */
export function hasValidSignature(jwt: DecodedJwt, publicKey: KeyObject | string): boolean {
  const key = typeof publicKey === 'string' ? createPublicKey(publicKey) : publicKey;
  const data = Buffer.from(jwt.signingInput);
  if (jwt.header.alg === 'RS256') return verify('sha256', data, key, jwt.signature);
  if (jwt.header.alg === 'PS256') {
    return verify(
      'sha256',
      data,
      { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST },
      jwt.signature,
    );
  }
  return false;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
