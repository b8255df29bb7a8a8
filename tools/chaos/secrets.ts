/** Finding credentials where they must never be: histories, logs, error messages. */

/** A JSON Web Token (every access token the authority issues is one): header and payload are base64url JSON. */
const JWT = /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/;
const BEARER = /Bearer\s+[A-Za-z0-9._~+/-]{16,}/;

export interface SecretLeak {
  /** Where it was found, e.g. `history purchase-x` or `worker log`. */
  where: string;
  /** What kind of secret, never the secret itself. */
  what: string;
}

/** The leaks of `known` secrets (by name) and of any access token in `text`. */
export function findSecrets(where: string, text: string, known: Record<string, string>): SecretLeak[] {
  const leaks: SecretLeak[] = [];
  for (const [what, secret] of Object.entries(known)) {
    if (secret && text.includes(secret)) leaks.push({ where, what });
  }
  if (JWT.test(text)) leaks.push({ where, what: 'access token (JWT)' });
  if (BEARER.test(text)) leaks.push({ where, what: 'bearer credential' });
  return leaks;
}

/** JSON of a history (or any proto object) with payload bytes as text, so a secret inside a payload shows. */
export function readableJson(value: unknown): string {
  return JSON.stringify(value, (_key, each: unknown) =>
    each instanceof Uint8Array ? Buffer.from(each).toString('utf8') : each,
  );
}
