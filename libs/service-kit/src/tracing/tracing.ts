import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context,
  createContextKey,
  isSpanContextValid,
  propagation,
  trace,
  type Attributes,
  type Context,
  type Span,
  type TextMapGetter,
  type TextMapSetter,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import type { TracingConfig } from './tracing.config';

/**
 * One process's tracing: W3C trace context in and out, spans in async context, and, only
 * when a collector is configured, OTLP/HTTP export. Without one, spans are not recorded
 * (no attributes kept, nothing queued or sent), but each still gets ids, so trace ids travel
 * from hop to hop and every log line can name its trace.
 */
export interface Tracing {
  /** True when spans are recorded and exported. */
  readonly exporting: boolean;
  /** Sends what is recorded and stops; call once the service has stopped working. */
  shutdown(): Promise<void>;
}

const TRACER_NAME = '@shoshizan/service-kit';

/** Sets the process-wide context manager, propagator and tracer provider. Call once, first. */
export function startTracing(config: TracingConfig): Tracing {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(W3C_PROPAGATOR);
  const exporting = config.tracesUrl !== undefined;
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': config.serviceName }),
    // Not parent-based without a collector: a caller's sampled flag must not make this
    // process record spans that nothing would send.
    sampler: exporting
      ? new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(config.samplingRatio) })
      : new AlwaysOffSampler(),
    spanProcessors: exporting ? [new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: config.tracesUrl }) })] : [],
  });
  trace.setGlobalTracerProvider(provider);
  return { exporting, shutdown: () => provider.shutdown() };
}

function tracer() {
  return trace.getTracer(TRACER_NAME);
}

/** Starts a span, a child of `parent` (default: the active context); end it yourself. */
export function startSpan(name: string, kind: SpanKind, attributes: Attributes, parent: Context = context.active()): Span {
  return tracer().startSpan(name, { kind, attributes }, parent);
}

/**
 * Runs `work` in a new span, active while it runs, and ends the span when it settles: an
 * exception marks it failed (and is rethrown).
 */
export async function inSpan<T>(
  name: string,
  kind: SpanKind,
  attributes: Attributes,
  work: (span: Span) => Promise<T>,
  parent: Context = context.active(),
): Promise<T> {
  const span = startSpan(name, kind, attributes, parent);
  try {
    return await context.with(trace.setSpan(parent, span), () => work(span));
  } catch (error) {
    failSpan(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/**
 * Marks a span failed with an exception; `error.type` is the error's code when it has one
 * (a DomainException's ErrorCode), else its class name.
 */
export function failSpan(span: Span, error: unknown): void {
  if (!span.isRecording()) return;
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  span.setStatus({ code: SpanStatusCode.ERROR, message });
  span.setAttribute('error.type', typeof code === 'string' ? code : error instanceof Error ? error.name : 'Error');
  if (error instanceof Error) span.recordException(error);
}

/** Adds attributes to the active span (nothing when it is not recorded, or outside any). */
export function annotateActiveSpan(attributes: Attributes): void {
  trace.getSpan(context.active())?.setAttributes(attributes);
}

/** The active context with `span` as its span: for traceHeaders, or to make it active. */
export function contextWithSpan(span: Span): Context {
  return trace.setSpan(context.active(), span);
}

/** `work` with `span` active: its outgoing calls and log lines join that span. */
export function withSpan<T>(span: Span, work: () => T): T {
  return context.with(trace.setSpan(context.active(), span), work);
}

/** `fn` bound to the active context: it runs in it wherever it is called from (a generator's body). */
export function bindToActiveContext<F extends (...args: never[]) => unknown>(fn: F): F {
  return context.bind(context.active(), fn);
}

/**
 * A fetch that adds the active context's `traceparent` to every request it makes, for a
 * client library (Ollama's) whose calls we do not write ourselves.
 */
export const tracedFetch: typeof fetch = (input, init) => {
  const headers = new Headers(init?.headers);
  for (const [name, value] of Object.entries(traceHeaders())) headers.set(name, value);
  return fetch(input, { ...init, headers });
};

/** The trace id of the active span; undefined outside any trace. */
export function activeTraceId(): string | undefined {
  const spanContext = trace.getSpanContext(context.active());
  return spanContext && isSpanContextValid(spanContext) ? spanContext.traceId : undefined;
}

/** `{ traceId }` of the active trace for a response event, or {} outside any trace. */
export function traceIdField(): { traceId?: string } {
  const traceId = activeTraceId();
  return traceId ? { traceId } : {};
}

const REQUEST_ID = createContextKey('shoshizan.chat-request-id');

/**
 * Runs `work` with `requestId` as the chat request id of the async context: every log line
 * it writes names it (logger.ts), and so does the active span.
 */
export function withRequestId<T>(requestId: string, work: () => T): T {
  trace.getSpan(context.active())?.setAttribute(REQUEST_ID_ATTRIBUTE, requestId);
  return context.with(context.active().setValue(REQUEST_ID, requestId), work);
}

/** The span attribute naming the chat request a span worked on (no convention names one). */
export const REQUEST_ID_ATTRIBUTE = 'shoshizan.request.id';

/** The chat request id of the async context, if one was set (withRequestId). */
export function activeRequestId(): string | undefined {
  const value = context.active().getValue(REQUEST_ID);
  return typeof value === 'string' ? value : undefined;
}

/** Trace and request ids for a log line: what the async context holds. */
export function logCorrelation(): { traceId?: string; spanId?: string; requestId?: string } {
  const active = context.active();
  const spanContext = trace.getSpanContext(active);
  const requestId = active.getValue(REQUEST_ID);
  return {
    ...(spanContext && isSpanContextValid(spanContext) ? { traceId: spanContext.traceId, spanId: spanContext.spanId } : {}),
    ...(typeof requestId === 'string' ? { requestId } : {}),
  };
}

/**
 * The W3C propagator itself, not the global one: what goes in and out of headers never
 * depends on set-up order (and unit tests need no global state).
 */
export const W3C_PROPAGATOR = new W3CTraceContextPropagator();

const recordSetter: TextMapSetter<Record<string, string>> = {
  set: (carrier, key, value) => {
    carrier[key] = value;
  },
};

/** `traceparent` (and `tracestate`) of `ctx`, for an outgoing request's headers; {} outside a trace. */
export function traceHeaders(ctx: Context = context.active()): Record<string, string> {
  const headers: Record<string, string> = {};
  W3C_PROPAGATOR.inject(ctx, headers, recordSetter);
  return headers;
}

/** The context a caller's `traceparent` (and `tracestate`) names, under ROOT_CONTEXT; ROOT_CONTEXT if none or malformed. */
export function contextFrom<C>(carrier: C, getter: TextMapGetter<C>): Context {
  return W3C_PROPAGATOR.extract(ROOT_CONTEXT, carrier, getter);
}

export { SpanKind };
