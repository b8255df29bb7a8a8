import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '@temporalio/common';
import { bundleWorkflowCode, type WorkflowBundleOption } from '@temporalio/worker';

/**
 * The workflow code as one webpack bundle. `npm run build` writes it to lib/workflow-bundle.js, so a worker loads it
 * instead of running webpack at start: faster, and webpack's memory never enters the worker process.
 */
export const PREBUILT_WORKFLOW_BUNDLE = join(__dirname, '..', 'workflow-bundle.js');

/** Bundles the compiled workflows now; the SDK's module listing (logged at info) goes to debug. */
export function bundleWorkflows(logger: Logger) {
  return bundleWorkflowCode({
    workflowsPath: require.resolve('../workflows'),
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

/** The bundle `npm run build` made, or (without one, e.g. run from sources) one built now. */
export async function workflowBundle(logger: Logger): Promise<{ bundle: WorkflowBundleOption; prebuilt: boolean }> {
  if (existsSync(PREBUILT_WORKFLOW_BUNDLE)) return { bundle: { codePath: PREBUILT_WORKFLOW_BUNDLE }, prebuilt: true };
  return { bundle: await bundleWorkflows(logger), prebuilt: false };
}

/** `node lib/temporal/workflow-bundle.js`, the last step of `npm run build`. */
export async function writeWorkflowBundle(logger: Logger): Promise<void> {
  const { code } = await bundleWorkflows(logger);
  writeFileSync(PREBUILT_WORKFLOW_BUNDLE, code);
}

if (require.main === module) {
  const quiet: Logger = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };
  writeWorkflowBundle(quiet).then(
    () => process.stdout.write(`wrote ${PREBUILT_WORKFLOW_BUNDLE}\n`),
    (error: unknown) => {
      process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
      process.exit(1);
    },
  );
}
