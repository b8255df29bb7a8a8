/**
 * The heavy half of tracing, loaded only when OTEL_* asks for it (./index.ts): the OpenTelemetry Node SDK configured
 * from the environment, Temporal's OpenTelemetry interceptors for clients, activities and (through a sink) the
 * workflow code, and the spans of this project's own edges: the HTTP API's requests, a `pcw` command, and each
 * Partner Center or Graph exchange.
 */
import { SpanKind, SpanStatusCode, trace, type ProxyTracerProvider, type Tracer } from '@opentelemetry/api';
import { NodeSDK } from '@opentelemetry/sdk-node';
import type { Resource } from '@opentelemetry/resources';
import type { BasicTracerProvider, ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry/lib/client';
import {
  makeWorkflowExporter,
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry/lib/worker';
import type { WorkflowClientInterceptor } from '@temporalio/client';
import type { WorkerOptions } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import type { PartnerCenterCall } from '../partner-center';
import { traceRequests } from './http-server';

const TRACER = 'partner-center-worker';

export interface Tracing {
  /** For `new Client({ interceptors: { workflow } })`: a start, signal or update carries the caller's span. */
  clientInterceptors(): WorkflowClientInterceptor[];
  /** For `Worker.create`: activity spans, and the workflow spans' sink (the traced bundle makes them). */
  workerOptions(): Required<Pick<WorkerOptions, 'interceptors' | 'sinks'>>;
  /** A Partner Center connection's `onCall`: one client span per HTTP exchange, under the activity's span. */
  onCall(call: PartnerCenterCall): void;
  /** A server span per HTTP API request, named by its route template; a `traceparent` header is its parent. */
  traceRequests(app: FastifyInstance): void;
  /** `fn` under a span of its own (a `pcw` command: the root of what it starts). */
  inSpan<T>(name: string, fn: () => Promise<T>): Promise<T>;
  shutdown(): Promise<void>;
}

/** Starts the SDK (exporters, sampler and resource from OTEL_*) and builds the hooks over its tracer. */
export function createTracing(serviceName: string | undefined, spanProcessors?: SpanProcessor[]): Tracing {
  const sdk = new NodeSDK({ serviceName, spanProcessors });
  sdk.start();
  const provider = (trace.getTracerProvider() as ProxyTracerProvider).getDelegate() as BasicTracerProvider;
  const tracer = trace.getTracer(TRACER);
  return {
    clientInterceptors: () => [new OpenTelemetryWorkflowClientInterceptor()],
    workerOptions: () => ({
      interceptors: {
        activity: [
          (ctx) => ({
            inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
            outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
          }),
        ],
      },
      sinks: {
        exporter: makeWorkflowExporter(workflowSpans(provider.activeSpanProcessor), provider.resource as Resource),
      },
    }),
    onCall: (call) => exchangeSpan(tracer, call),
    traceRequests: (app) => traceRequests(app, tracer),
    inSpan: (name, fn) =>
      tracer.startActiveSpan(name, async (span) => {
        try {
          return await fn();
        } catch (error) {
          span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).name });
          throw error;
        } finally {
          span.end();
        }
      }),
    shutdown: () => sdk.shutdown(),
  };
}

/**
 * What a workflow span may carry. The sink copies the whole WorkflowInfo into each span's attributes: its search
 * attributes (a customer's id), memo, parent and root runs (objects, not valid attributes) go no further.
 */
const WORKFLOW_SPAN_ATTRIBUTES = new Set([
  'workflowId',
  'runId',
  'workflowType',
  'taskQueue',
  'namespace',
  'attempt',
  'temporalUpdateId',
]);

/** The workflow spans' processor: the SDK's own, given each span with only the attributes above. */
function workflowSpans(processor: SpanProcessor): SpanProcessor {
  return {
    onStart: () => undefined,
    onEnd: (span: ReadableSpan) =>
      processor.onEnd({
        ...span,
        attributes: Object.fromEntries(
          Object.entries(span.attributes).filter(([name]) => WORKFLOW_SPAN_ATTRIBUTES.has(name)),
        ),
      }),
    forceFlush: () => processor.forceFlush(),
    // The SDK shuts its processor down itself.
    shutdown: () => Promise.resolve(),
  };
}

/**
 * One Partner Center or Graph exchange as a client span, told after the fact (its start and duration known): method,
 * the route template (never an id, never a token), the status or the kind of failure, and the answer's request id.
 */
function exchangeSpan(tracer: Tracer, call: PartnerCenterCall): void {
  const status = Number(call.outcome);
  const answered = Number.isInteger(status);
  const span = tracer.startSpan(`${call.method} ${call.route}`, {
    kind: SpanKind.CLIENT,
    startTime: call.startedAt,
    attributes: {
      'http.request.method': call.method,
      'url.template': call.route,
      ...(answered ? { 'http.response.status_code': status } : { 'error.type': call.outcome }),
      ...(call.responseRequestId !== undefined
        ? { [`http.response.header.${call.responseRequestId.header}`]: [call.responseRequestId.value] }
        : {}),
    },
  });
  if (!answered || status >= 400) span.setStatus({ code: SpanStatusCode.ERROR, message: call.outcome });
  span.end(call.startedAt + call.durationMs);
}
