import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { installedTree, spawnPcw, type InstalledTree } from '../../support/pcw';
import { testEnv, testServerAddress } from '../../support/temporal';

/**
 * `pcw reconcile --request-id` through the installed bin: one run per key, as `pcw purchase` and `pcw change` do.
 * No worker serves the task queue: the run stays running until the test terminates it.
 */

let tree: InstalledTree;
let env: TestWorkflowEnvironment;
beforeAll(async () => {
  tree = installedTree();
  env = await testEnv();
});
afterAll(async () => {
  tree?.remove();
  await env?.teardown();
});

function pcw(args: string[]) {
  const temporal = {
    TEMPORAL_ADDRESS: testServerAddress(),
    TEMPORAL_CONFIG_FILE: '/nonexistent/temporal.toml',
    TEMPORAL_TASK_QUEUE: 'cli-reconcile-nobody',
  };
  return spawnPcw(tree.bin, args, temporal, tree.dir).exited;
}

describe('pcw reconcile --request-id', () => {
  it('starts reconcile-ID once: a repeat attaches while it runs and is refused once it ended', async () => {
    const key = `cli-reconcile-${randomUUID()}`;
    const workflowId = `reconcile-${key}`;
    const reconcile = (...extra: string[]) => pcw(['reconcile', '--currency', 'USD', '--request-id', key, ...extra]);

    const first = await reconcile('--json');
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toEqual({ workflowId, newlyStarted: true });
    const handle = env.client.workflow.getHandle(workflowId);
    const { runId } = await handle.describe();
    try {
      const attached = await reconcile();
      expect(attached.code).toBe(0);
      expect(attached.stdout).toMatch(
        new RegExp(`^reconcile ${workflowId} already running \\(step running, started 20\\d\\d-.*\\), attached`),
      );
      expect((await handle.describe()).runId).toBe(runId);
    } finally {
      await handle.terminate('test over');
    }
    const ended = await reconcile();
    expect(ended.code).toBe(1);
    expect(ended.stderr).toMatch(
      new RegExp(
        `^pcw: reconcile ${workflowId} already exists \\(terminated on 20\\d\\d-.*\\); nothing was started: use a new --request-id \\(\`pcw status ${workflowId}\` shows it\\)\\n$`,
      ),
    );
    expect((await handle.describe()).runId).toBe(runId);
  });

  it('refuses a bad key, and a key with --schedule, exit 2 naming --request-id, nothing started', async () => {
    const bad = await pcw(['reconcile', '--currency', 'USD', '--request-id', 'bad key']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--request-id must be 1\.\.128 characters of \[A-Za-z0-9\._:-\] \(got "bad key"\)/);
    await expect(env.client.workflow.getHandle('reconcile-bad key').describe()).rejects.toBeInstanceOf(
      WorkflowNotFoundError,
    );

    const scheduled = await pcw(['reconcile', '--currency', 'USD', '--request-id', 'nightly', '--schedule', '@daily']);
    expect(scheduled.code).toBe(2);
    expect(scheduled.stderr).toMatch(/--request-id does not apply to --schedule/);
  });
});
