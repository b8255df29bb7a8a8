/**
 * OpenTelemetry traces, configured only by the standard `OTEL_*` variables. With none set (or `OTEL_SDK_DISABLED=true`,
 * or `OTEL_TRACES_EXPORTER=none`) nothing of OpenTelemetry is loaded and nothing changes: this module is the light
 * half every entry point imports; the SDK, the Temporal interceptors and the span helpers (`./sdk`) are loaded only
 * when tracing is on.
 */
import type { ClientInterceptors } from '@temporalio/client';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Tracing } from './sdk';

export type { Tracing } from './sdk';

/** Whether the environment asks for traces: some `OTEL_*` variable set, and none that turns them off. */
export function tracingRequested(env: NodeJS.ProcessEnv): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  if (env.OTEL_TRACES_EXPORTER?.trim().toLowerCase() === 'none') return false;
  return Object.entries(env).some(([name, value]) => name.startsWith('OTEL_') && (value ?? '').trim() !== '');
}

export interface TracingOptions {
  /** Where spans go instead of the exporters OTEL_TRACES_EXPORTER names (tests: an in-memory exporter). */
  spanProcessors?: SpanProcessor[];
}

let active: Tracing | undefined;

/** The tracing this process started, if any. */
export function activeTracing(): Tracing | undefined {
  return active;
}

/**
 * Starts the OpenTelemetry Node SDK once per process when `env` asks for it; `service` names the process when
 * OTEL_SERVICE_NAME does not. Returns undefined (and loads nothing) when tracing is off.
 */
export async function startTracing(
  service: string,
  env: NodeJS.ProcessEnv = process.env,
  options: TracingOptions = {},
): Promise<Tracing | undefined> {
  if (active !== undefined || !tracingRequested(env)) return active;
  const { createTracing } = await import('./sdk');
  active = createTracing(env.OTEL_SERVICE_NAME ? undefined : service, options.spanProcessors);
  return active;
}

/** Flushes what is buffered and stops the SDK (before a short-lived process exits). */
export async function stopTracing(): Promise<void> {
  const stopping = active;
  active = undefined;
  await stopping?.shutdown();
}

/** The Temporal client interceptors that carry the caller's trace into a workflow; none when tracing is off. */
export function tracingClientInterceptors(): ClientInterceptors | undefined {
  return active && { workflow: active.clientInterceptors() };
}
