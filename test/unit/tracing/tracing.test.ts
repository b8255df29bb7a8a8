import { tracingRequested } from '../../../src/tracing';

/** Tracing is configured by the standard OTEL_* variables alone, and costs nothing when they ask for none. */

describe('tracingRequested', () => {
  it.each([
    [{}, false],
    [{ PATH: '/usr/bin', PCW_API_PORT: '8090' }, false],
    [{ OTEL_SERVICE_NAME: '' }, false],
    [{ OTEL_SERVICE_NAME: 'pcw' }, true],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, true],
    [{ OTEL_TRACES_EXPORTER: 'otlp' }, true],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' }, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_TRACES_EXPORTER: 'none' }, false],
  ])('%j → %s', (env, on) => expect(tracingRequested(env)).toBe(on));
});

describe('with no OTEL_* variable', () => {
  afterEach(() => jest.resetModules());

  it('the worker, the HTTP API, pcw and npm start load nothing of OpenTelemetry, and tracing stays off', async () => {
    await jest.isolateModulesAsync(async () => {
      for (const name of [
        '@opentelemetry/api',
        '@opentelemetry/sdk-node',
        '@temporalio/interceptors-opentelemetry/lib/client',
        '@temporalio/interceptors-opentelemetry/lib/worker',
        '../../../src/tracing/sdk',
      ])
        jest.doMock(name, () => {
          throw new Error(`${name} was loaded with tracing off`);
        });
      await import('../../../src/worker');
      await import('../../../src/api/server');
      await import('../../../src/cli/pcw');
      await import('../../../src/start');
      const tracing = await import('../../../src/tracing');
      await expect(tracing.startTracing('partner-center-worker', { PATH: '/usr/bin' })).resolves.toBeUndefined();
      expect(tracing.activeTracing()).toBeUndefined();
      expect(tracing.tracingClientInterceptors()).toBeUndefined();
    });
  });
});
