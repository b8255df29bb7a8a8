/** The sandbox's notion of "now": wall-clock time plus whatever tests have advanced it by, so
 * delays elapse on their own and tests can jump past 168-hour windows. Access tokens stay on
 * wall-clock time (msal-node caches them by the real clock). It may start behind the wall clock
 * (`startOffsetMs` < 0), so a term can have started, and ended, before the wall clock's now. */
export interface SandboxClock {
  now(): number;
  advance(ms: number): number;
  /** Back to where it started: wall-clock time plus the start offset. */
  reset(): void;
  /** How far ahead of the wall clock the sandbox is (for persistence). */
  offsetMs(): number;
}

export function createClock(startOffsetMs = 0): SandboxClock {
  let offsetMs = startOffsetMs;
  return {
    now: () => Date.now() + offsetMs,
    advance: (ms) => {
      offsetMs += ms;
      return Date.now() + offsetMs;
    },
    reset: () => {
      offsetMs = startOffsetMs;
    },
    offsetMs: () => offsetMs,
  };
}

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

/** ISO 8601 with 7 fractional digits, as Partner Center prints its timestamps. */
export function isoTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$10000Z');
}

/** Midnight-only dates (`commitmentEndDate`). */
export function isoDate(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 10)}T00:00:00Z`;
}

/** Real-time wait that never keeps the process alive on its own. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
