import { randomUUID } from 'node:crypto';
import { Worker } from '@temporalio/worker';
import type { Sandbox } from 'partner-center-sandbox';
import { buildApi } from '../../src/api/server';
import { startPartnerCenterEvent } from '../../src/client';
import { percentile, round, type Figure } from './report';
import { runConcurrently, type TemporalRig } from './rig';

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

/**
 * `--only event-flood`: `count` validation events (10 % repeats) to the HTTP API on loopback, `concurrency` at a time, served
 * by a worker of the real workflows in this process (the event runs need no activity). Their figures, and a check
 * that every distinct event was started once.
 */
export async function benchEventFlood(
  rig: TemporalRig,
  sandbox: Sandbox,
  figures: Figure[],
  options: { count: number; concurrency: number },
): Promise<void> {
  const { count, concurrency } = options;
  const taskQueue = `bench-events-${randomUUID()}`;
  const worker = await Worker.create({
    connection: rig.nativeConnection,
    taskQueue,
    workflowBundle: rig.bundle,
  });
  const api = await buildApi({
    client: rig.client,
    taskQueue,
    tokens: [],
    partnerCenterEvents: { certHosts: ['127.0.0.1'], trustedCaPem: sandbox.caPem },
    logger: false,
  });
  const url = await api.listen({ host: '127.0.0.1', port: 0 });
  try {
    await sandbox.control.registerEventWebhook(`${url}/v1/partner-center/events`);
    const base = Date.now();
    const event = (i: number): FloodEvent => ({
      EventName: 'test-created',
      ResourceUri: '',
      ResourceName: '',
      AuditUri: '',
      ResourceChangeUtcDate: new Date(base + i).toISOString(),
    });
    // The flood, then the same load without HTTP, signing or the signature check: the workflow start alone.
    const { flood, startsAlone } = await worker.runUntil(async () => {
      const delivered = await floodEvents(sandbox, { count, duplicateShare: 0.1, concurrency, distinct: event });
      const alone = await runConcurrently(count, concurrency, async (i) => {
        await startPartnerCenterEvent(rig.client, { ...event(count + i) }, { taskQueue });
      });
      return { flood: delivered, startsAlone: alone };
    });
    const started = flood.deliveries.filter((d) => d.status === 202 && /"newlyStarted":true/.test(d.body)).length;
    if (started !== flood.distinct.length)
      throw new Error(`${started} events started for ${flood.distinct.length} distinct ones`);
    figures.push(...floodFigures(flood, `event flood x${count} (${concurrency} at a time)`));
    const alone = `workflow start alone x${count} (${concurrency} at a time)`;
    figures.push(
      { name: `${alone}: p50`, value: round(percentile(startsAlone.latencies, 50)), unit: 'ms' },
      { name: `${alone}: p99`, value: round(percentile(startsAlone.latencies, 99)), unit: 'ms' },
    );
  } finally {
    await api.close();
  }
}
