import { context, type Context, type TextMapGetter } from '@opentelemetry/api';
import type { IHeaders } from 'kafkajs';
import { HEADERS } from '@shoshizan/shared-interfaces';
import { contextFrom, traceHeaders } from '../tracing/tracing';
import { headerText } from './headers';

const kafkaHeaderGetter: TextMapGetter<IHeaders | undefined> = {
  keys: (headers) => Object.keys(headers ?? {}),
  get: (headers, key) => headerText(headers, key) ?? undefined,
};

/**
 * The `traceparent` and `tracestate` headers of `ctx` (default: the active context), to
 * put on a record so that whoever processes it continues the trace; {} outside a trace.
 * Also a chat request envelope's `trace`: the propagator keeps a tracestate within the 512
 * characters the contract takes, however long the caller's was.
 */
export function traceRecordHeaders(ctx: Context = context.active()): Record<string, string> {
  const headers = traceHeaders(ctx);
  const out: Record<string, string> = {};
  for (const name of [HEADERS.traceparent, HEADERS.tracestate]) {
    const value = headers[name];
    if (value) out[name] = value;
  }
  return out;
}

/**
 * The trace context a record's headers carry (ROOT_CONTEXT when none or malformed): the
 * parent of the span that processes it. A retried or redelivered record carries the same
 * headers, so each attempt joins the trace of the request.
 */
export function recordTraceContext(headers: IHeaders | undefined): Context {
  return contextFrom(headers, kafkaHeaderGetter);
}
