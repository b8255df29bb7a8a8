/** Seeded pseudo-random source so a given `--seed` always yields the same ids and credentials. */
export interface SandboxRandom {
  /** Uniform in [0, 1). */
  next(): number;
  int(maxExclusive: number): number;
  guid(): string;
  /** `length` lower-case hex characters (NCE order ids are 12). */
  hex(length: number): string;
  /** `length` upper-case letters and digits (product and availability ids are 12). */
  upperAlphanumeric(length: number): string;
  /** URL-safe characters for secrets and opaque tokens. */
  token(length: number): string;
  /** The generator's internal state, to continue the same sequence after a restart. */
  snapshot(): number;
  restore(state: number): void;
}

const UPPER_ALPHANUMERIC = '0123456789ABCDEFGHJKLMNPQRSTVWXZ';
const TOKEN_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

export function createRandom(seed: number): SandboxRandom {
  // mulberry32: tiny, fast, and good enough for test data (not for cryptography).
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (maxExclusive: number): number => Math.floor(next() * maxExclusive);
  const pick = (alphabet: string, length: number): string =>
    Array.from({ length }, () => alphabet[int(alphabet.length)]).join('');
  const hex = (length: number): string => pick('0123456789abcdef', length);
  return {
    next,
    int,
    hex,
    guid: () => {
      const h = hex(32);
      const variant = '89ab'[int(4)];
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
    },
    upperAlphanumeric: (length) => pick(UPPER_ALPHANUMERIC, length),
    token: (length) => pick(TOKEN_CHARS, length),
    snapshot: () => state,
    restore: (saved) => {
      state = saved >>> 0;
    },
  };
}
