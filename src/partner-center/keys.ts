/**
 * Property names read whatever their casing. Microsoft documents the billing export's attributes in PascalCase
 * (`SubscriptionId`), its samples and the v1 API answer camelCase (`subscriptionId`), and Microsoft's own readers
 * deserialise case-insensitively; a schema that reads one spelling silently drops the other's fields.
 */

/** At most this many raw spellings are remembered: real answers have a few dozen keys, a hostile one any number. */
const MAX_REMEMBERED_SPELLINGS = 1_024;

/** The name (as given) that a raw key spells in any casing, or null; each raw spelling is lower-cased once. */
function nameResolver(names: readonly string[]): (key: string) => string | null {
  const byLowerCase = new Map(names.map((name) => [name.toLowerCase(), name]));
  const resolved = new Map<string, string | null>(names.map((name) => [name, name]));
  return (key) => {
    const known = resolved.get(key);
    if (known !== undefined) return known;
    const name = byLowerCase.get(key.toLowerCase()) ?? null;
    if (resolved.size < MAX_REMEMBERED_SPELLINGS) resolved.set(key, name);
    return name;
  };
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * An object's properties with `names` spelled as given, whatever their casing there; other keys kept as they are
 * (for loose schemas). The given spelling wins over another casing of the same name.
 */
export function foldKeys(names: readonly string[]): (value: unknown) => unknown {
  const resolve = nameResolver(names);
  return (value) => {
    if (!isRecord(value)) return value;
    const folded: Record<string, unknown> = {};
    for (const key in value) {
      const name = resolve(key) ?? key;
      if (name === key || !(name in value)) folded[name] = value[key];
    }
    return folded;
  };
}

/**
 * Only `names` of an object, spelled as given, whatever their casing there: for a million-line read. The lines of
 * one export spell their keys alike, so the names are read under the spellings the last line used, by a function
 * compiled for those spellings (constant property names, so V8 caches each look-up: a fifth of the cost of
 * looking them up by variable); only a line that lacks one of them there is scanned key by key.
 */
export function pickKeys(names: readonly string[]): (value: unknown) => unknown {
  const resolve = nameResolver(names);
  const index = new Map(names.map((name, i) => [name, i]));
  const spelledAs = [...names];
  let read = compileReader(names, spelledAs);
  return (value) => {
    if (!isRecord(value)) return value;
    const picked = read(value);
    if (picked !== undefined) return picked;
    const scanned: Record<string, unknown> = {};
    let respelled = false;
    for (const key in value) {
      const name = resolve(key);
      if (name === null || scanned[name] !== undefined) continue;
      scanned[name] = value[key];
      const i = index.get(name)!;
      respelled ||= spelledAs[i] !== key;
      spelledAs[i] = key;
    }
    if (respelled) read = compileReader(names, spelledAs);
    return scanned;
  };
}

/** `value => ({ name: value[spelling], … })`, or undefined when one of them is not there. */
function compileReader(
  names: readonly string[],
  spellings: readonly string[],
): (value: Record<string, unknown>) => Record<string, unknown> | undefined {
  const fields = names.map((name, i) => `${JSON.stringify(name)}: value[${JSON.stringify(spellings[i])}]`);
  const checks = names.map((name) => `picked[${JSON.stringify(name)}] === undefined`);
  return new Function(
    'value',
    `const picked = { ${fields.join(', ')} }; return ${checks.join(' || ')} ? undefined : picked;`,
  ) as (value: Record<string, unknown>) => Record<string, unknown> | undefined;
}
