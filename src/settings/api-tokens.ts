/**
 * The grammar of PCW_API_TOKENS, shared by the configuration (which reads it) and the HTTP API and codec server
 * (which check bearer tokens against it): pure text rules, so loading the configuration loads no adapter.
 */

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
