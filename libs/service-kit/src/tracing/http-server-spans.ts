import type { IncomingHttpHeaders } from 'node:http';
import { SpanKind, SpanStatusCode, context, trace, type Span, type TextMapGetter } from '@opentelemetry/api';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { httpResponseAttributes, httpServerAttributes, httpServerSpanName } from './span-attributes';
import { contextFrom, startSpan } from './tracing';

const headerGetter: TextMapGetter<IncomingHttpHeaders> = {
  keys: (headers) => Object.keys(headers),
  get: (headers, key) => headers[key],
};

/** Probes and scrapes are not traced: they would drown the traces that matter. */
function untraced(url: string): boolean {
  return url.startsWith('/health');
}

/**
 * A SERVER span for every HTTP request, a child of the caller's `traceparent` (a new trace
 * without one), active while the route runs: the handler's own spans, its outgoing calls
 * and its log lines join it. Started at onRequest (so it times the whole request) and made
 * active at preHandler, after the body is read: what runs from there (guards, pipes, the
 * handler, a stream it writes) is in its async context.
 */
export function traceHttpRequests(fastify: FastifyInstance): void {
  const spans = new WeakMap<FastifyRequest, Span>();
  fastify.addHook('onRequest', (request, _reply, done) => {
    if (!untraced(request.url)) {
      const parent = contextFrom(request.headers, headerGetter);
      const path = request.url.split('?', 1)[0] ?? request.url;
      spans.set(request, startSpan(httpServerSpanName(request.method, undefined), SpanKind.SERVER, httpServerAttributes({ method: request.method, path }), parent));
    }
    done();
  });
  fastify.addHook('preHandler', (request, _reply, done) => {
    const span = spans.get(request);
    if (!span) return done();
    const route = request.routeOptions.url;
    if (route) {
      span.updateName(httpServerSpanName(request.method, route));
      span.setAttribute('http.route', route);
    }
    context.with(trace.setSpan(context.active(), span), done);
  });
  const end = (request: FastifyRequest, statusCode: number | undefined) => {
    const span = spans.get(request);
    if (!span) return;
    spans.delete(request);
    if (statusCode === undefined) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: 'the client went away before the response' });
      span.setAttribute('error.type', 'aborted');
    } else {
      const response = httpResponseAttributes(statusCode);
      span.setAttributes(response.attributes);
      if (response.failed) span.setStatus({ code: SpanStatusCode.ERROR });
    }
    span.end();
  };
  fastify.addHook('onResponse', (request, reply, done) => {
    end(request, reply.statusCode);
    done();
  });
  fastify.addHook('onRequestAbort', (request, done) => {
    end(request, undefined);
    done();
  });
}
