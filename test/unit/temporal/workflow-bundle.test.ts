import type { LogLevel, LogMetadata, Logger } from '@temporalio/common';
import { bundleWorkflows } from '../../../src/temporal/workflow-bundle';

const logged: Array<{ level: LogLevel; message: string }> = [];
let code: string;
// One bundle for both tests: webpack takes seconds.
beforeAll(async () => {
  const capture =
    (level: LogLevel) =>
    (message: string, _meta?: LogMetadata): void => {
      logged.push({ level, message });
    };
  const logger: Logger = {
    log: (level, message) => logged.push({ level, message }),
    trace: capture('TRACE'),
    debug: capture('DEBUG'),
    info: capture('INFO'),
    warn: capture('WARN'),
    error: capture('ERROR'),
  };
  ({ code } = await bundleWorkflows(logger));
}, 60_000);

/** A worker without a prebuilt bundle builds one at start: webpack's module listing is for debugging, not every start. */
test('a bundle built at start logs its module listing at debug, never at info', () => {
  expect(code).toContain('purchaseSubscription');
  const listing = logged.filter((entry) => /^asset workflow-bundle-/.test(entry.message));
  expect(listing.map((entry) => entry.level)).toEqual(['DEBUG']);
});

/** Workflow stack traces still name our files and lines; the sources' text stays out of the worker's memory. */
test('the bundle maps back to the workflow sources without carrying their text', () => {
  const inline = /\/\/# sourceMappingURL=data:application\/json;[^,]*base64,(\S+)\s*$/.exec(code);
  expect(inline).not.toBeNull();
  const map = JSON.parse(Buffer.from(inline![1], 'base64').toString('utf8')) as {
    sources: string[];
    sourcesContent?: unknown[];
  };
  expect(map.sources.some((source) => source.includes('workflows/purchase/workflow'))).toBe(true);
  expect(map.sourcesContent ?? []).toEqual([]);
});

/** With tracing off (no OTEL_*), the runs load nothing of OpenTelemetry: its interceptors are in the traced bundle only. */
test('the default bundle carries no OpenTelemetry', () => {
  // Webpack names each module it includes (`./node_modules/@opentelemetry/api/…`); the SDK's comments name the package.
  const modules = code.match(/^\/\*\*\*\/ "[^"]+"/gm) ?? [];
  expect(modules.length).toBeGreaterThan(10);
  expect(modules.filter((name) => /opentelemetry/.test(name))).toEqual([]);
});
