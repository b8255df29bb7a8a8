/** The sandbox's notion of "now": wall-clock time plus whatever tests have advanced it by, so
 * delays elapse on their own and tests can jump past 168-hour windows. Access tokens stay on
 * wall-clock time (msal-node caches them by the real clock). */
export interface SandboxClock {
  now(): number;
  advance(ms: number): number;
  /** Back to wall-clock time. */
  reset(): void;
  /** How far ahead of the wall clock the sandbox is (for persistence). */
  offsetMs(): number;
}

export function createClock(): SandboxClock {
  let offsetMs = 0;
  return {
    now: () => Date.now() + offsetMs,
    advance: (ms) => {
      offsetMs += ms;
      return Date.now() + offsetMs;
    },
    reset: () => {
      offsetMs = 0;
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
