import {
  DefaultLogger,
  makeTelemetryFilterString,
  Runtime,
  Worker,
  type WorkflowBundleOption,
} from '@temporalio/worker';
import { bundleWorkflows } from '../../../src/temporal/workflow-bundle';
import { silentLogger } from '../../support/activities';
import { historyFixtures as fixtures, historyOf, workflowIdOf } from '../../support/histories';

/**
 * Turning traces on (OTEL_*) moves a worker to the bundle with Temporal's OpenTelemetry workflow interceptors: every
 * committed history, recorded without them, must replay on it too, so runs in flight survive the switch.
 */

/** The traced bundle's workflow spans leave through the `exporter` sink; a replay has nowhere to send them. */
const discardedWorkflowSpans = { exporter: { export: { fn: () => undefined } } };

let bundle: WorkflowBundleOption;
beforeAll(async () => {
  Runtime.install({
    logger: new DefaultLogger('ERROR'),
    telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }) } },
  });
  const { code } = await bundleWorkflows(silentLogger, { traced: true });
  expect(code).toContain('OpenTelemetryInboundInterceptor');
  bundle = { code };
}, 120_000);

it.each(fixtures)('%s replays on the traced bundle', async (file) => {
  await Worker.runReplayHistory(
    { workflowBundle: bundle, replayName: file, sinks: discardedWorkflowSpans },
    historyOf(file),
    workflowIdOf(file),
  );
});
