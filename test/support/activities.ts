/** Helpers for running activities outside a worker (MockActivityEnvironment) with test doubles. */
import type { Info } from '@temporalio/activity';
import { ApplicationFailure, type Logger } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { PartnerCenterClient } from '../../src/partner-center';

export const silentLogger: Logger = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

export interface ActivityRunner {
  /** Runs one activity function in this context, typed by that function. */
  run<A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A): Promise<R>;
  /** The environment itself, e.g. to listen for 'heartbeat' events or cancel. */
  mock: MockActivityEnvironment;
}

/** A quiet activity context. Make one per activity call: a context is reused, cancellation included. */
export function activityContext(info: Partial<Info>): ActivityRunner {
  const mock = new MockActivityEnvironment(info, { logger: silentLogger });
  return { run: (fn, ...args) => mock.run(fn, ...args), mock };
}

/** The ApplicationFailure a promise rejects with (the test fails if it resolves or rejects otherwise). */
export async function applicationFailureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApplicationFailure);
  return error as ApplicationFailure;
}

/** A Partner Center client double for pure activity logic: only the calls a test gives exist, any other throws. */
export function fakePartnerCenter(calls: Partial<PartnerCenterClient>): PartnerCenterClient {
  return new Proxy(calls, {
    get: (target, name) =>
      name in target
        ? target[name as keyof PartnerCenterClient]
        : () => {
            throw new Error(`unexpected Partner Center call ${String(name)}`);
          },
  }) as PartnerCenterClient;
}
