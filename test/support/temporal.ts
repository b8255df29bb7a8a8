import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { TEMPORAL_TEST_ADDRESS } from './paths';

/** The address of the run's one dev server (started by globalSetup). */
export function testServerAddress(): string {
  const address = process.env[TEMPORAL_TEST_ADDRESS];
  if (!address) {
    throw new Error(
      `${TEMPORAL_TEST_ADDRESS} is not set: this test needs the Temporal dev server that jest globalSetup starts ` +
        '(do not run it with PCW_NO_TEMPORAL=1).',
    );
  }
  return address;
}

/** A TestWorkflowEnvironment on the run's one dev server; call `teardown()` in afterAll (it leaves the server up). */
export function testEnv(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createFromExistingServer({ address: testServerAddress(), namespace: 'default' });
}

/** Every test gets its own task queue, so workers of different tests never take each other's tasks. */
export function uniqueTaskQueue(prefix: string): string {
  return `${prefix}-${randomUUID()}`;
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;

/** The workflow bundle, built once per test file (webpack takes seconds; Jest isolates modules per file). */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({
    workflowsPath: require.resolve('../../src/workflows'),
    logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} },
  });
  return bundle;
}
