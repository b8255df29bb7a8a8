import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Contract §2 roles, each allowed what the ones before it are: read ⊂ submit ⊂ operate. */
export const API_ROLES = ['read', 'submit', 'operate'] as const;
export type ApiRole = (typeof API_ROLES)[number];

/** One `name:role:token` entry of PCW_API_TOKENS. */
export interface ApiToken {
  name: string;
  role: ApiRole;
  token: string;
}

const NAME = /^[A-Za-z0-9._-]{1,64}$/;
/** Long enough that guessing is hopeless; printable so it fits in a header and an environment variable. */
const TOKEN = /^[\x21-\x7e]{16,512}$/;

/**
 * Parses PCW_API_TOKENS (`name:role:token,…`). Problems name the entry by position and name, never the token.
 */
export function parseApiTokens(text: string): { ok: true; tokens: ApiToken[] } | { ok: false; problems: string[] } {
  const tokens: ApiToken[] = [];
  const problems: string[] = [];
  // Every entry so far, valid or not: a repeated name or token is a mistake either way.
  const seen: Array<{ name: string; token: string }> = [];
  const entries = text.split(',').map((entry) => entry.trim());
  entries.forEach((entry, index) => {
    const at = `entry ${index + 1}`;
    const [name = '', role = '', ...rest] = entry.split(':');
    // A token may itself hold ':' (the rest of the entry is the token).
    const token = rest.join(':');
    const entryProblems: string[] = [];
    if (!NAME.test(name))
      entryProblems.push(`${at}: the name must be 1..64 characters of A-Za-z0-9._- (the form is name:role:token)`);
    if (!(API_ROLES as readonly string[]).includes(role))
      entryProblems.push(`${at} (${name}): the role must be one of ${API_ROLES.join(', ')}`);
    if (!TOKEN.test(token))
      entryProblems.push(`${at} (${name}): the token must be 16..512 printable characters without spaces`);
    if (seen.some((t) => t.name === name)) entryProblems.push(`${at} (${name}): the name is used twice`);
    if (seen.some((t) => t.token === token))
      entryProblems.push(`${at} (${name}): the token is the same as another entry's`);
    seen.push({ name, token });
    if (entryProblems.length === 0) tokens.push({ name, role: role as ApiRole, token });
    problems.push(...entryProblems);
  });
  return problems.length === 0 ? { ok: true, tokens } : { ok: false, problems };
}

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
