import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '@temporalio/common';
import { bundleWorkflowCode, type WorkflowBundleOption } from '@temporalio/worker';

/**
 * The workflow code as one webpack bundle. `npm run build` writes it to lib/workflow-bundle.js, so a worker loads it
 * instead of running webpack at start: faster, and webpack's memory never enters the worker process.
 */
export const PREBUILT_WORKFLOW_BUNDLE = join(__dirname, '..', 'workflow-bundle.js');
/**
 * The same workflows with Temporal's OpenTelemetry workflow interceptors, for a worker with tracing on (OTEL_*). A
 * bundle of its own, so that with tracing off no run loads OpenTelemetry: every cached run carries its own copy of the
 * bundle's modules, and the interceptors would add a tracer and spans to each.
 */
export const PREBUILT_TRACED_WORKFLOW_BUNDLE = join(__dirname, '..', 'workflow-bundle-traced.js');

/** Temporal's OpenTelemetry interceptors inside the workflow sandbox: run, activity and child spans, sent by a sink. */
const TRACING_INTERCEPTORS = '@temporalio/interceptors-opentelemetry/lib/workflow-interceptors';

/** Bundles the compiled workflows now; the SDK's module listing (logged at info) goes to debug. */
export function bundleWorkflows(logger: Logger, { traced = false }: { traced?: boolean } = {}) {
  return bundleWorkflowCode({
    workflowsPath: require.resolve('../workflows'),
    workflowInterceptorModules: traced ? [require.resolve(TRACING_INTERCEPTORS)] : [],
    // The source map keeps files and lines (stack traces name them) but not the sources' text: the SDK reads that
    // text only for the UI's stack-trace sources, off by default (showStackTraceSources), and parsing a 3 MB map in
    // the worker cost ~35 MiB of RSS against 0.7 MB without it.
    webpackConfigHook: (config) => ({ ...config, devtool: 'inline-nosources-source-map' }),
    logger: {
      log: (level, message, meta) => logger.log(level, message, meta),
      trace: (message, meta) => logger.trace(message, meta),
      debug: (message, meta) => logger.debug(message, meta),
      info: (message, meta) => logger.debug(message, meta),
      warn: (message, meta) => logger.warn(message, meta),
      error: (message, meta) => logger.error(message, meta),
    },
  });
}

/** The bundle `npm run build` made (traced or not), or (without one, e.g. run from sources) one built now. */
export async function workflowBundle(
  logger: Logger,
  { traced = false }: { traced?: boolean } = {},
): Promise<{ bundle: WorkflowBundleOption; prebuilt: boolean }> {
  const prebuilt = traced ? PREBUILT_TRACED_WORKFLOW_BUNDLE : PREBUILT_WORKFLOW_BUNDLE;
  if (existsSync(prebuilt)) return { bundle: { codePath: prebuilt }, prebuilt: true };
  return { bundle: await bundleWorkflows(logger, { traced }), prebuilt: false };
}

/** `node lib/temporal/workflow-bundle.js`, the last step of `npm run build`: both bundles, one after the other. */
export async function writeWorkflowBundle(logger: Logger): Promise<void> {
  writeFileSync(PREBUILT_WORKFLOW_BUNDLE, (await bundleWorkflows(logger)).code);
  writeFileSync(PREBUILT_TRACED_WORKFLOW_BUNDLE, (await bundleWorkflows(logger, { traced: true })).code);
}

if (require.main === module) {
  const quiet: Logger = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };
  writeWorkflowBundle(quiet).then(
    () => process.stdout.write(`wrote ${PREBUILT_WORKFLOW_BUNDLE} and ${PREBUILT_TRACED_WORKFLOW_BUNDLE}\n`),
    (error: unknown) => {
      process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
      process.exit(1);
    },
  );
}
