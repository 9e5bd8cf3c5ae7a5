import { context, trace } from '@opentelemetry/api';
import { SpanKind, activeTraceId, inSpan, logCorrelation, startTracing, traceHeaders, withRequestId } from './tracing';

describe('tracing without a collector', () => {
  const tracing = startTracing({ serviceName: 'tracing-spec', tracesUrl: undefined, samplingRatio: 1 });
  afterAll(async () => {
    await tracing.shutdown();
    trace.disable();
    context.disable();
  });

  it('records nothing, yet gives every span ids that travel and reach the log lines', async () => {
    expect(tracing.exporting).toBe(false);
    await inSpan('outer', SpanKind.SERVER, {}, async (span) => {
      expect(span.isRecording()).toBe(false);
      const traceId = activeTraceId();
      expect(traceId).toMatch(/^[0-9a-f]{32}$/);
      await withRequestId('req-1', async () => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        expect(logCorrelation()).toEqual({ traceId, spanId: span.spanContext().spanId, requestId: 'req-1' });
        // Not sampled: a downstream service records nothing either.
        expect(traceHeaders().traceparent).toBe(`00-${traceId}-${span.spanContext().spanId}-00`);
      });
      await inSpan('inner', SpanKind.CLIENT, {}, async () => expect(activeTraceId()).toBe(traceId));
    });
    expect(logCorrelation()).toEqual({});
    expect(activeTraceId()).toBeUndefined();
  });

  it('ends a span that failed and rethrows', async () => {
    await expect(inSpan('failing', SpanKind.INTERNAL, {}, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
  });
});
