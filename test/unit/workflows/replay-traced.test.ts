import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DefaultLogger,
  makeTelemetryFilterString,
  Runtime,
  Worker,
  type WorkflowBundleOption,
} from '@temporalio/worker';
import { bundleWorkflows } from '../../../src/temporal/workflow-bundle';

/**
 * Turning traces on (OTEL_*) moves a worker to the bundle with Temporal's OpenTelemetry workflow interceptors: every
 * committed history, recorded without them, must replay on it too, so runs in flight survive the switch.
 */
const historiesDir = join(__dirname, '..', '..', 'fixtures', 'histories');
const fixtures = readdirSync(historiesDir)
  .filter((file) => file.endsWith('.json'))
  .sort();
const silent = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} };
const historyOf = (file: string) =>
  JSON.parse(readFileSync(join(historiesDir, file), 'utf8')) as {
    events: Array<{ workflowExecutionStartedEventAttributes?: { workflowId?: string } }>;
  };

let bundle: WorkflowBundleOption;
beforeAll(async () => {
  Runtime.install({
    logger: new DefaultLogger('ERROR'),
    telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }) } },
  });
  const { code } = await bundleWorkflows(silent, { traced: true });
  expect(code).toContain('OpenTelemetryInboundInterceptor');
  bundle = { code };
}, 120_000);

it.each(fixtures)('%s replays on the traced bundle', async (file) => {
  const history = historyOf(file);
  const workflowId = history.events[0]?.workflowExecutionStartedEventAttributes?.workflowId ?? file;
  await Worker.runReplayHistory({ workflowBundle: bundle, replayName: file }, history, workflowId);
});
