/**
 * The grammar of PAYLOAD_ENCRYPTION_KEYS, shared by the configuration (which reads it), `pcw doctor` (which reports
 * on it) and the payload codec (which uses the keys): pure text rules, so loading the configuration loads no codec.
 */

const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
/** AES-256: 32 bytes of key material. */
const KEY_BYTES = 32;

export interface EncryptionKey {
  id: string;
  key: Buffer;
}

export type ParsedEncryptionKeys = { ok: true; keys: EncryptionKey[] } | { ok: false; problem: string };

/**
 * `id:base64key,id2:base64key` → keys, first one encrypting. A problem names the entry by position and key id, never
 * by its key material.
 */
export function parseEncryptionKeys(text: string): ParsedEncryptionKeys {
  const entries = text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (entries.length === 0) return { ok: false, problem: 'must list at least one keyId:base64key entry' };
  const keys: EncryptionKey[] = [];
  for (const [index, entry] of entries.entries()) {
    const separator = entry.indexOf(':');
    const id = separator < 0 ? '' : entry.slice(0, separator);
    const material = separator < 0 ? '' : entry.slice(separator + 1);
    const where = `entry ${index + 1}${KEY_ID.test(id) ? ` (key id "${id}")` : ''}`;
    if (!KEY_ID.test(id)) {
      return {
        ok: false,
        problem: `${where}: must be keyId:base64key with a key id of 1 to 64 characters [A-Za-z0-9._-]`,
      };
    }
    const key = BASE64.test(material) ? Buffer.from(material, 'base64') : undefined;
    if (key?.length !== KEY_BYTES) {
      return {
        ok: false,
        problem: `${where}: the key must be the base64 of exactly ${KEY_BYTES} bytes (256 bits), e.g. from \`openssl rand -base64 32\``,
      };
    }
    if (keys.some((k) => k.id === id)) return { ok: false, problem: `${where}: key id listed twice` };
    keys.push({ id, key });
  }
  return { ok: true, keys };
}
