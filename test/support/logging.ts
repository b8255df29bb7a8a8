import type { PartnerCenterLogger } from '../../src/partner-center';

/** A Partner Center logger that keeps every line as JSON text, for asserting what was (not) logged. */
export function recordingLogger(): PartnerCenterLogger & { lines: string[] } {
  const lines: string[] = [];
  const log = (message: string, meta?: Record<string, unknown>) => lines.push(JSON.stringify({ message, meta }));
  return { lines, debug: log, info: log, warn: log, error: log };
}
