import { ROOT_CONTEXT, TraceFlags, trace } from '@opentelemetry/api';
import { traceContextSchema } from '@shoshizan/shared-interfaces';
import { recordTraceContext, traceRecordHeaders } from './trace-headers';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';

function contextOf(traceFlags: number) {
  return trace.setSpanContext(ROOT_CONTEXT, { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags });
}

describe('trace context in Kafka record headers', () => {
  it('writes the span context as a W3C traceparent', () => {
    expect(traceRecordHeaders(contextOf(TraceFlags.SAMPLED))).toEqual({ traceparent: `00-${TRACE_ID}-${SPAN_ID}-01` });
    expect(traceRecordHeaders(contextOf(TraceFlags.NONE))).toEqual({ traceparent: `00-${TRACE_ID}-${SPAN_ID}-00` });
  });

  it('writes nothing outside a trace', () => {
    expect(traceRecordHeaders(ROOT_CONTEXT)).toEqual({});
  });

  it('reads back what it wrote, as a remote parent, from strings or buffers', () => {
    const written = traceRecordHeaders(contextOf(TraceFlags.SAMPLED));
    for (const headers of [written, { traceparent: Buffer.from(written.traceparent!) }]) {
      const parent = trace.getSpanContext(recordTraceContext(headers));
      expect(parent).toEqual({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: TraceFlags.SAMPLED, isRemote: true });
    }
  });

  it('keeps tracestate with its traceparent', () => {
    const headers = { traceparent: `00-${TRACE_ID}-${SPAN_ID}-01`, tracestate: 'vendor=abc' };
    expect(traceRecordHeaders(recordTraceContext(headers))).toEqual(headers);
  });

  it('fits a chat request envelope, however long the caller’s tracestate was', () => {
    const traceparent = `00-${TRACE_ID}-${SPAN_ID}-01`;
    const long = Array.from({ length: 30 }, (_, i) => `v${i}=${'x'.repeat(40)}`).join(',');
    const written = traceRecordHeaders(recordTraceContext({ traceparent, tracestate: long }));
    expect(written.traceparent).toBe(traceparent);
    expect(written.tracestate?.startsWith('v0=')).toBe(true);
    expect(traceContextSchema.safeParse(written).success).toBe(true);
  });

  it.each([
    ['no headers', undefined],
    ['no traceparent', { 'x-request-id': 'r1' }],
    ['a malformed traceparent', { traceparent: 'abc' }],
    ['an all-zero trace id', { traceparent: `00-${'0'.repeat(32)}-${SPAN_ID}-01` }],
  ])('starts afresh from %s', (_label, headers) => {
    expect(trace.getSpanContext(recordTraceContext(headers))).toBeUndefined();
  });
});
