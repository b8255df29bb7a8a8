import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { API_ROLES, type ApiRole, type ApiToken } from '../settings/api-tokens';

/** Bearer tokens of the HTTP API and the codec server: made, compared and ranked here; their grammar is src/settings. */

/** `local:operate:<random>`: the token `npm start` makes when PCW_API_TOKENS is unset. */
export function localToken(): ApiToken {
  return { name: 'local', role: 'operate', token: randomBytes(24).toString('base64url') };
}

/** True when `role` may do what `needed` allows. */
export function allows(role: ApiRole, needed: ApiRole): boolean {
  return API_ROLES.indexOf(role) >= API_ROLES.indexOf(needed);
}

/**
 * Finds the token a bearer credential names. Every known token is compared, each by its SHA-256 so the lengths
 * agree, with timingSafeEqual: how long it takes says nothing about how much of a token was right.
 */
export function tokenVerifier(tokens: readonly ApiToken[]): (presented: string) => ApiToken | undefined {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  const known = tokens.map((token) => ({ token, hash: digest(token.token) }));
  return (presented) => {
    const hash = digest(presented);
    let found: ApiToken | undefined;
    for (const entry of known) if (timingSafeEqual(entry.hash, hash)) found = entry.token;
    return found;
  };
}
