import type { Sandbox } from 'partner-center-sandbox';
import { percentile, round, type Figure } from './report';
import { runConcurrently } from './rig';

/**
 * A flood of Partner Center events at `POST /v1/partner-center/events`: the sandbox signs each one (a leaf of its CA,
 * as Partner Center does) and POSTs it to its registered URL, `concurrency` at a time; a share of them are repeats of
 * an earlier event. What each delivery was answered, and how long each took to its answer.
 */

export interface FloodEvent {
  EventName: string;
  ResourceUri: string;
  ResourceName: string;
  AuditUri: string;
  ResourceChangeUtcDate: string;
}

export interface FloodDelivery {
  /** The index of the distinct event it delivers. */
  event: number;
  status: number;
  body: string;
  ms: number;
}

export interface Flood {
  distinct: FloodEvent[];
  deliveries: FloodDelivery[];
  /** Latencies to the answer, sorted (ms). */
  latencies: number[];
  totalMs: number;
}

/**
 * Delivers `count` events: `distinct(i)` for the distinct ones, and every `1 / duplicateShare`-th delivery a repeat
 * of an earlier one (about `duplicateShare` of them are duplicates; some race their original, still in flight).
 */
export async function floodEvents(
  sandbox: Sandbox,
  options: { count: number; duplicateShare: number; concurrency: number; distinct: (i: number) => FloodEvent },
): Promise<Flood> {
  const every = Math.round(1 / options.duplicateShare);
  const plan: number[] = [];
  let made = 0;
  for (let i = 0; i < options.count; i += 1)
    plan.push(i % every === every - 1 && made > 0 ? (i * 7919) % made : made++);
  const distinct = Array.from({ length: made }, (_, i) => options.distinct(i));
  const deliveries: FloodDelivery[] = [];
  const { latencies, totalMs } = await runConcurrently(plan.length, options.concurrency, async (i) => {
    const started = performance.now();
    const answer = await sandbox.control.deliverEvent({ event: { ...distinct[plan[i]] } });
    deliveries.push({ event: plan[i], status: answer.status, body: answer.body, ms: performance.now() - started });
  });
  return { distinct, deliveries, latencies, totalMs };
}

/** The flood's figures: deliveries per second, and the time to the answer at p50 and p99. */
export function floodFigures(flood: Flood, label: string): Figure[] {
  return [
    { name: `${label}: deliveries`, value: flood.deliveries.length, unit: 'events' },
    { name: `${label}: total`, value: round(flood.totalMs / 1000, 2), unit: 's' },
    { name: `${label}: throughput`, value: round(flood.deliveries.length / (flood.totalMs / 1000)), unit: 'events/s' },
    { name: `${label}: answer p50`, value: round(percentile(flood.latencies, 50)), unit: 'ms' },
    { name: `${label}: answer p99`, value: round(percentile(flood.latencies, 99)), unit: 'ms' },
  ];
}
