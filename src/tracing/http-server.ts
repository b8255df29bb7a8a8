import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/**
 * A server span per HTTP API request: `POST /v1/purchases`, named by the route's template (never its ids), a caller's
 * `traceparent` as its parent, its status code. The request's handler runs in the span's context, so the workflow it
 * starts joins the trace. Entered again before the handler: reading the body leaves Node's async context.
 */
export function traceRequests(app: FastifyInstance, tracer: Tracer): void {
  const open = new WeakMap<FastifyRequest, { span: Span; context: Context }>();
  app.addHook('onRequest', (request, _reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const parent = propagation.extract(ROOT_CONTEXT, request.headers);
    const span = tracer.startSpan(
      `${request.method} ${route}`,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': request.method, 'http.route': route } },
      parent,
    );
    const spanContext = trace.setSpan(parent, span);
    open.set(request, { span, context: spanContext });
    context.with(spanContext, done);
  });
  app.addHook('preHandler', (request, _reply, done) => {
    const traced = open.get(request);
    if (traced === undefined) done();
    else context.with(traced.context, done);
  });
  app.addHook('onResponse', (request, reply, done) => {
    const traced = open.get(request);
    if (traced !== undefined) {
      traced.span.setAttribute('http.response.status_code', reply.statusCode);
      if (reply.statusCode >= 500) traced.span.setStatus({ code: SpanStatusCode.ERROR });
      traced.span.end();
    }
    done();
  });
}
