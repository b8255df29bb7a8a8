import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DeterminismViolationError } from '@temporalio/workflow';
import {
  bundleWorkflowCode,
  DefaultLogger,
  makeTelemetryFilterString,
  Runtime,
  Worker,
  type WorkflowBundleOption,
} from '@temporalio/worker';
import { workflowBundle } from '../../support/temporal';

/**
 * Every committed history (test/fixtures/histories, recorded from the integration tests with
 * PCW_RECORD_HISTORIES=1) must replay on today's workflow code: a change that would break running
 * purchases fails here instead of in production. No server is needed.
 */
const historiesDir = join(__dirname, '..', '..', 'fixtures', 'histories');
const fixtures = readdirSync(historiesDir)
  .filter((file) => file.endsWith('.json'))
  .sort();

const silent = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };
const bundleOf = (workflowsPath: string) => bundleWorkflowCode({ workflowsPath, logger: silent });
const historyOf = (file: string) =>
  JSON.parse(readFileSync(join(historiesDir, file), 'utf8')) as {
    events: Array<{ workflowExecutionStartedEventAttributes?: { workflowId?: string } }>;
  };
/** The id the run had: a run's commands may name it (its webhook delivery workflows' ids derive from it). */
const workflowIdOf = (file: string): string =>
  historyOf(file).events[0]?.workflowExecutionStartedEventAttributes?.workflowId ?? file.replace(/\.json$/, '');

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
