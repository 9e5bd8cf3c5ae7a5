import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
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
  fastify.addHook('onRequest', (request, reply, done) => {
    if (!untraced(request.url)) {
      const parent = contextFrom(request.headers, headerGetter);
      const path = request.url.split('?', 1)[0] ?? request.url;
      const attributes = httpServerAttributes({ method: request.method, path });
      const span = startSpan(httpServerSpanName(request.method, undefined), SpanKind.SERVER, attributes, parent);
      spans.set(request, span);
      endOnClose(reply.raw, span);
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
}

/**
 * Ends a request's span when its response closes: after the last byte, or when the client
 * went away first. The raw response's `close`, not Fastify's onResponse: a stream that took
 * the reply over (reply.hijack) and then lost its client never gets an onResponse.
 */
function endOnClose(response: ServerResponse, span: Span): void {
  response.once('close', () => {
    if (response.writableFinished) {
      const { attributes, failed } = httpResponseAttributes(response.statusCode);
      span.setAttributes(attributes);
      if (failed) span.setStatus({ code: SpanStatusCode.ERROR });
    } else {
      span.setStatus({ code: SpanStatusCode.ERROR, message: 'the client went away before the response ended' });
      span.setAttribute('error.type', 'aborted');
    }
    span.end();
  });
}
