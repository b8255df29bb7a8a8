import type { Client, WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import type { createActivities } from '../../src/activities';
import { createValidationActivities } from '../../src/activities/common/validation';
import { testEnv, uniqueTaskQueue, workflowBundle } from './temporal';

/**
 * The middle test layer: the real workflow code on the run's Temporal dev server, served by a real Worker
 * whose activities are plain async functions written per test — no msal, no HTTP, no sandbox — so every
 * branch of a workflow runs in seconds with short settings.
 */

/** Every activity the worker registers, by name. Stubs are typed against it: a renamed activity or a changed signature fails to compile. */
export type WorkerActivities = ReturnType<typeof createActivities>;
type ActivityName = keyof WorkerActivities;

/** A stub that records its calls (`mock.calls`) with the real activity's signature. */
export type ActivityStub<K extends ActivityName> = jest.Mock<
  ReturnType<WorkerActivities[K]>,
  Parameters<WorkerActivities[K]>
>;
export type ActivityStubs<T> = { [K in keyof T & ActivityName]: ActivityStub<K> };

/**
 * Wraps each implementation in a `jest.fn` so a test can count calls and read their arguments. Give every
 * activity the workflow may call, including the ones a branch must not reach: a call to one that is not
 * registered is retried by the workflow's retry policy until the test times out, while a stub's call is counted.
 */
export function stubActivities<T extends Partial<WorkerActivities>>(
  implementations: T & Record<Exclude<keyof T, ActivityName>, never>,
): ActivityStubs<T> {
  const stubs = Object.entries(implementations).map(([name, implementation]) => [
    name,
    jest.fn(implementation as (...args: unknown[]) => unknown),
  ]);
  // Object.fromEntries loses the names; each stub has its activity's signature by construction.
  return Object.fromEntries(stubs) as unknown as ActivityStubs<T>;
}

export interface StubRig {
  client: Client;
  /**
   * Runs `body` while a worker of the real workflows and `activities` serves a fresh task queue (or `taskQueue`, for a
   * second worker taking over from a stopped one); shuts the worker down after.
   */
  withWorker<R>(
    activities: Partial<WorkerActivities>,
    body: (taskQueue: string) => Promise<R>,
    taskQueue?: string,
  ): Promise<R>;
  close(): Promise<void>;
}

let runtimeInstalled = false;

/** Connects to the run's dev server and builds the workflow bundle (once per test file). Call `close()` in afterAll. */
/** On the run's shared dev server, or on `address` (a test file that owns namespace-wide state has a server of its own). */
export async function startStubRig(address?: string): Promise<StubRig> {
  if (!runtimeInstalled) {
    runtimeInstalled = true;
    // Stubs fail on purpose (retries, "not yet" answers); only errors are worth printing.
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  }
  const [env, bundle] = await Promise.all([testEnv(address), workflowBundle()]);
  return {
    client: env.client,
    async withWorker(activities, body, queue) {
      const taskQueue = queue ?? uniqueTaskQueue('stubbed');
      const worker = await Worker.create({
        connection: env.nativeConnection,
        taskQueue,
        workflowBundle: bundle,
        // Validation is pure and the same in every test: the real local activities, beside the stubs.
        activities: { ...createValidationActivities(), ...activities },
        // A stub still running when the test ends (an abandoned poll) must not hold the shutdown.
        shutdownGraceTime: '1s',
      });
      return worker.runUntil(body(taskQueue));
    },
    close: () => env.teardown(),
  };
}

/** The values a keyword search attribute took, in order, as the workflow upserted them (from its history). */
export async function searchAttributeHistory(handle: WorkflowHandle, name: string): Promise<unknown[]> {
  const { events } = await handle.fetchHistory();
  const values: unknown[] = [];
  for (const event of events ?? []) {
    const payload = event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields?.[name];
    if (payload != null) values.push(defaultPayloadConverter.fromPayload(payload as Payload));
  }
  return values;
}
