import { DeterminismViolationError } from '@temporalio/workflow';
import {
  bundleWorkflowCode,
  DefaultLogger,
  makeTelemetryFilterString,
  Runtime,
  Worker,
  type WorkflowBundleOption,
} from '@temporalio/worker';
import { silentLogger } from '../../support/activities';
import { historyFixtures as fixtures, historyOf, workflowIdOf } from '../../support/histories';
import { workflowBundle } from '../../support/temporal';

/**
 * Every committed history (test/fixtures/histories, recorded from the integration tests with
 * PCW_RECORD_HISTORIES=1) must replay on today's workflow code: a change that would break running
 * purchases fails here instead of in production. No server is needed.
 */
const bundleOf = (workflowsPath: string) => bundleWorkflowCode({ workflowsPath, logger: silentLogger });

let bundle: WorkflowBundleOption;
beforeAll(async () => {
  // The negative case makes Core warn about the nondeterminism it found; that is the expected outcome.
  Runtime.install({
    logger: new DefaultLogger('ERROR'),
    telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }) } },
  });
  bundle = await workflowBundle();
});

describe('replay of recorded workflow histories', () => {
  it('has recorded histories to replay', () => {
    expect(fixtures.length).toBeGreaterThan(0);
  });

  it.each(fixtures)('%s replays deterministically', async (file) => {
    await Worker.runReplayHistory({ workflowBundle: bundle, replayName: file }, historyOf(file), workflowIdOf(file));
  });

  it('catches a workflow change that would break these histories', async () => {
    const changed = await bundleOf(require.resolve('./changed-purchase-workflow'));
    const file = 'purchase-completed.json';
    await expect(
      Worker.runReplayHistory({ workflowBundle: changed, replayName: file }, historyOf(file)),
    ).rejects.toBeInstanceOf(DeterminismViolationError);
  });
});
