/**
 * "Current details" of a run in the Temporal UI: its box shows only a few short lines, so each fact gets one
 * short line and long values are summarised. The full values stay in the `status` query and search attributes.
 */

/** Longest value shown on one line; longer ones end with "…". */
const MAX_VALUE_LENGTH = 96;
/** Ids shown before a list is summarised as "+N". */
const IDS_SHOWN = 2;

/** One line per fact, as a compact Markdown list (no paragraph spacing between lines). */
export function detailLines(facts: ReadonlyArray<readonly [label: string, value: string | undefined]>): string {
  return facts
    .filter((fact): fact is readonly [string, string] => fact[1] !== undefined)
    .map(([label, value]) => `- **${label}:** ${clip(value)}`)
    .join('\n');
}

/** The first line of `text`, at most MAX_VALUE_LENGTH characters. */
export function clip(text: string): string {
  const firstLine = text.split('\n', 1)[0];
  return firstLine.length > MAX_VALUE_LENGTH ? `${firstLine.slice(0, MAX_VALUE_LENGTH - 1)}…` : firstLine;
}

/** `a1b2c3d4-…` alone, or `3: a1b2c3d4…, c3d4e5f6…, +1` for a longer list; undefined for none. */
export function summariseIds(ids: readonly string[]): string | undefined {
  if (ids.length === 0) return undefined;
  if (ids.length === 1) return ids[0];
  const shown = ids.slice(0, IDS_SHOWN).map((id) => (id.length > 8 ? `${id.slice(0, 8)}…` : id));
  const more = ids.length - shown.length;
  return `${ids.length}: ${shown.join(', ')}${more > 0 ? `, +${more}` : ''}`;
}
