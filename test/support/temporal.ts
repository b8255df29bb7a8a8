import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, type WorkflowBundleOption } from '@temporalio/worker';
import { TEMPORAL_TEST_ADDRESS, WORKFLOW_BUNDLE_PATH } from './paths';

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
export function testEnv(address = testServerAddress()): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createFromExistingServer({ address, namespace: 'default' });
}

/** Every test gets its own task queue, so workers of different tests never take each other's tasks. */
export function uniqueTaskQueue(prefix: string): string {
  return `${prefix}-${randomUUID()}`;
}

/** The workflows as one bundle, from the TypeScript sources the tests run (webpack: seconds and ~300 MiB). */
export function bundleTestWorkflows(): Promise<string> {
  return bundleTestWorkflowsOf(require.resolve('../../src/workflows'));
}

/** A bundle of other workflows, e.g. a test's own (test/support/priority-workflows.ts). */
export async function bundleTestWorkflowsOf(workflowsPath: string): Promise<string> {
  const { code } = await bundleWorkflowCode({
    workflowsPath,
    logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} },
  });
  return code;
}

let bundle: Promise<WorkflowBundleOption> | undefined;

/**
 * The workflow bundle: the one globalSetup built for the whole run (each test file used to build its own, a
 * few seconds each), or, when a test runs without it, one built now for this file.
 */
export function workflowBundle(): Promise<WorkflowBundleOption> {
  const prebuilt = process.env[WORKFLOW_BUNDLE_PATH];
  bundle ??= prebuilt ? Promise.resolve({ codePath: prebuilt }) : bundleTestWorkflows().then((code) => ({ code }));
  return bundle;
}
