/**
 * The grammar of a renewal policy's `leadTime` (contract §3): an ISO 8601 duration in weeks, days and time (`P14D`,
 * `P2W`, `PT36H`, `P1DT12H`) or the settings' short form (`14d`, `36h`, `90s`). Years and months are refused: their
 * length depends on the date. Workflow code: the settings' own parser (src/settings/values.ts) loads Node built-ins.
 */

const ISO = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i;
const SHORT = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/;
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** Milliseconds, or undefined when `text` is neither form (or an empty `P`/`PT`). */
export function parseLeadTime(text: string): number | undefined {
  const trimmed = text.trim();
  const short = SHORT.exec(trimmed);
  if (short) return Math.round(Number(short[1]) * UNIT_MS[short[2] as keyof typeof UNIT_MS]);
  const iso = ISO.exec(trimmed);
  if (!iso || /^PT?$/i.test(trimmed) || /T$/i.test(trimmed)) return undefined;
  const [weeks, days, hours, minutes, seconds] = iso.slice(1).map((part) => Number(part ?? 0));
  return Math.round((weeks * 7 + days) * UNIT_MS.d + hours * UNIT_MS.h + minutes * UNIT_MS.m + seconds * UNIT_MS.s);
}

export const LEAD_TIME_RULE = 'must be an ISO 8601 duration such as P14D or a duration such as 14d';
