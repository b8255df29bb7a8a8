import type { Logger } from '@temporalio/common';

/** One line of the bench's table and JSON. */
export interface Figure {
  name: string;
  value: number;
  unit: string;
  note?: string;
}

export const quiet: Logger = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export function round(value: number, digits = 1): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

export const mib = (bytes: number) => round(bytes / 2 ** 20);

export async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const value = await fn();
  return [value, performance.now() - started];
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const benchStarted = performance.now();
export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** A progress line on stderr, stamped with the time since the bench started (the table comes only at the end). */
export function progress(line: string): void {
  process.stderr.write(`[${seconds(performance.now() - benchStarted).padStart(7)}] ${line}\n`);
}

/** Runs one scenario, saying on stderr when it starts and when it ends, with its duration. */
export async function scenario<T>(name: string, fn: () => Promise<T>): Promise<T> {
  progress(`start  ${name}`);
  const started = performance.now();
  try {
    const value = await fn();
    progress(`done   ${name} (${seconds(performance.now() - started)})`);
    return value;
  } catch (error) {
    progress(`FAILED ${name} (${seconds(performance.now() - started)})`);
    throw error;
  }
}

export function printTable(figures: Figure[]): void {
  const width = Math.max(...figures.map((f) => f.name.length));
  process.stdout.write(`\n${'benchmark'.padEnd(width)}  ${'value'.padStart(10)}  unit\n`);
  process.stdout.write(`${'-'.repeat(width)}  ${'-'.repeat(10)}  ----\n`);
  for (const f of figures) {
    process.stdout.write(
      `${f.name.padEnd(width)}  ${String(f.value).padStart(10)}  ${f.unit}${f.note ? `  (${f.note})` : ''}\n`,
    );
  }
}
