import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { topicName, type ResponseEvent } from '@shoshizan/shared-interfaces';
import { Stack, collect } from './support/stack';
import { ARTIFACTS, infra, stopService, type ServiceName } from './support/system';
import { SPAN_KIND, TraceCollector, type ExportedSpan } from './support/trace-collector';

/**
 * Traces across the system, read from a real OpenTelemetry Collector: a chat sent with a
 * `traceparent` makes one trace through the gateway, kafka-producer, the Kafka record, the
 * worker, gpt-api and its call to Ollama, with each span's parent where it belongs; the
 * response events and every service's log lines for the request name that trace; and a
 * request handed back mid-answer is answered by a second attempt in the same trace.
 */
jest.setTimeout(240_000);

const collector = new TraceCollector();
// The broker's smallest session timeout, so a stopped worker's partitions move on in seconds.
const stack = new Stack({ 'kafka-consumer': { KAFKA_SESSION_TIMEOUT_MS: '6000' } });
const SERVICES: readonly ServiceName[] = ['gateway', 'kafka-producer', 'kafka-consumer', 'gpt-api'];
/** Log files of the stack's services, by the label they were started under. */
const logLabels: string[] = [...SERVICES];

beforeAll(async () => {
  await collector.start(`${stack.runId}-otelcol`);
  for (const name of SERVICES) stack.setEnv(name, { OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint });
  await stack.start();
}, 600_000);
afterAll(async () => {
  const exitCodes = await stack.stop();
  await collector.stop();
  expect(exitCodes).toEqual({ gateway: 0, 'kafka-consumer': 0, 'kafka-producer': 0, 'gpt-api': 0 });
}, 120_000);

/** A caller's own trace context: a sampled parent span of a trace no service made. */
function callerTrace(): { traceId: string; parentSpanId: string; traceparent: string } {
  const traceId = randomBytes(16).toString('hex');
  const parentSpanId = randomBytes(8).toString('hex');
  return { traceId, parentSpanId, traceparent: `00-${traceId}-${parentSpanId}-01` };
}

async function chatWithTrace(traceparent: string, body: unknown): Promise<Response> {
  const response = await fetch(`${stack.gateway}/v1/chat`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'text/event-stream',
      authorization: `Bearer ${stack.token()}`,
      traceparent,
    },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(200);
  return response;
}

function one(spans: readonly ExportedSpan[], service: string, kind: number, name: string): ExportedSpan {
  const found = spans.filter((s) => s.service === service && s.kind === kind && s.name === name);
  if (found.length !== 1) {
    throw new Error(`expected one ${service} span "${name}" (kind ${kind}), found ${found.length} in ${JSON.stringify(spans.map((s) => `${s.service}: ${s.name}`))}`);
  }
  return found[0]!;
}

function has(spans: readonly ExportedSpan[], service: string, kind: number, name: string, count = 1): boolean {
  return spans.filter((s) => s.service === service && s.kind === kind && s.name === name).length >= count;
}

/** The JSON log lines of every process the stack ran (replacements included). */
function logLines(): { label: string; line: Record<string, unknown> }[] {
  return logLabels.flatMap((label) =>
    readFileSync(join(ARTIFACTS, `${stack.runId}-${label}.log`), 'utf8')
      .split('\n')
      .filter((text) => text.startsWith('{'))
      .map((text) => ({ label, line: JSON.parse(text) as Record<string, unknown> })),
  );
}

const requestsTopic = () => topicName('requests', stack.prefix);
const modelCall = () => `chat ${infra.model}`;

describe('traces', () => {
  it('one trace spans the four services for a chat, with its ids on the events and in the log lines', async () => {
    const caller = callerTrace();
    const events = await collect(
      await chatWithTrace(caller.traceparent, { messages: [{ role: 'user', content: 'Say hello.' }], options: { maxTokens: 8 } }),
    );
    const done = events.at(-1) as Extract<ResponseEvent, { type: 'done' }>;
    expect(done.type).toBe('done');
    const requestId = done.requestId;

    // Every event but tokens names the caller's trace.
    for (const event of events) expect(event.traceId).toBe(event.type === 'token' ? undefined : caller.traceId);
    expect(events.filter((e) => e.type !== 'token').map((e) => e.type)).toEqual(['queued', 'started', 'done']);

    const spans = await collector.waitForTrace(caller.traceId, (s) =>
      has(s, 'gateway', SPAN_KIND.server, 'POST /v1/chat') && has(s, 'gpt-api', SPAN_KIND.client, modelCall()) &&
      has(s, 'kafka-consumer', SPAN_KIND.consumer, `process ${requestsTopic()}`),
    );
    const gateway = one(spans, 'gateway', SPAN_KIND.server, 'POST /v1/chat');
    const toProducer = one(spans, 'gateway', SPAN_KIND.client, 'POST');
    const producerServer = one(spans, 'kafka-producer', SPAN_KIND.server, 'POST /v1/requests');
    const send = one(spans, 'kafka-producer', SPAN_KIND.producer, `send ${requestsTopic()}`);
    const process = one(spans, 'kafka-consumer', SPAN_KIND.consumer, `process ${requestsTopic()}`);
    const toGptApi = one(spans, 'kafka-consumer', SPAN_KIND.client, 'POST');
    const generate = one(spans, 'gpt-api', SPAN_KIND.server, 'POST /v1/generate');
    const model = one(spans, 'gpt-api', SPAN_KIND.client, modelCall());

    // Each hop is the child of the one before: the caller, HTTP, Kafka's headers, HTTP, Ollama.
    expect([gateway, toProducer, producerServer, send, process, toGptApi, generate, model].map((s) => s.parentSpanId)).toEqual([
      caller.parentSpanId,
      gateway.spanId,
      toProducer.spanId,
      producerServer.spanId,
      send.spanId,
      process.spanId,
      toGptApi.spanId,
      generate.spanId,
    ]);

    expect(gateway.attributes).toMatchObject({ 'http.route': '/v1/chat', 'http.response.status_code': 200, 'shoshizan.request.id': requestId });
    expect(send.attributes).toMatchObject({
      'messaging.system': 'kafka',
      'messaging.destination.name': requestsTopic(),
      'messaging.message.id': requestId,
      'messaging.kafka.offset': expect.any(Number),
    });
    expect(process.attributes).toMatchObject({
      'messaging.operation.type': 'process',
      'shoshizan.request.id': requestId,
      'shoshizan.attempt': 1,
      'shoshizan.outcome': 'done',
      'gen_ai.request.model': done.model,
      'gen_ai.usage.input_tokens': done.usage.promptTokens,
      'gen_ai.usage.output_tokens': done.usage.completionTokens,
    });
    expect(model.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'ollama',
      'gen_ai.request.model': infra.model,
      'gen_ai.response.model': done.model,
      'gen_ai.usage.input_tokens': done.usage.promptTokens,
      'gen_ai.usage.output_tokens': done.usage.completionTokens,
      'gen_ai.response.finish_reasons': [done.finishReason],
      'shoshizan.outcome': 'done',
    });
    expect(spans.every((s) => s.statusCode !== 2)).toBe(true);

    // Every service logged for the request, and each of those lines names the trace.
    const lines = logLines().filter(({ line }) => line.requestId === requestId);
    expect(new Set(lines.map(({ label }) => label))).toEqual(new Set(SERVICES));
    const untraced = lines.filter(({ line }) => line.traceId !== caller.traceId);
    expect(untraced.map(({ label, line }) => `${label}: ${String(line.msg)}`)).toEqual([]);
  });

  it('a request handed back mid-answer is answered by a second attempt in the same trace', async () => {
    const caller = callerTrace();
    const response = await chatWithTrace(caller.traceparent, {
      messages: [{ role: 'user', content: 'Write a long story about a fisherman and a storm.' }],
      options: { maxTokens: 200, stop: [], temperature: 0 },
    });
    const first = stack.service('kafka-consumer');
    let tokens = 0;
    let exit: Promise<number | null> | undefined;
    let replacement: Promise<unknown> | undefined;
    const events = await collect(response, (event) => {
      if (event.type === 'token' && ++tokens === 10) {
        exit = stopService(first).then((code) => {
          logLabels.push('kafka-consumer-tracing-2');
          replacement = stack.startService('kafka-consumer', 'kafka-consumer-tracing-2');
          return code;
        });
      }
    });
    expect(await exit).toBe(0);
    await replacement;
    const resumed = events.find((e) => e.type === 'resumed');
    expect(resumed).toMatchObject({ attempt: 2, traceId: caller.traceId });
    expect(events.at(-1)).toMatchObject({ type: 'done', traceId: caller.traceId });

    const processName = `process ${requestsTopic()}`;
    const spans = await collector.waitForTrace(caller.traceId, (s) =>
      has(s, 'kafka-consumer', SPAN_KIND.consumer, processName, 2) && has(s, 'gpt-api', SPAN_KIND.client, modelCall(), 2) &&
      has(s, 'gpt-api', SPAN_KIND.server, 'POST /v1/generate', 2),
    );
    const send = one(spans, 'kafka-producer', SPAN_KIND.producer, `send ${requestsTopic()}`);
    const attempts = spans
      .filter((s) => s.kind === SPAN_KIND.consumer && s.name === processName)
      .sort((a, b) => Number(a.attributes['shoshizan.attempt']) - Number(b.attributes['shoshizan.attempt']));
    // Both deliveries of the one record continue the trace its headers carry.
    expect(attempts.map((s) => [s.parentSpanId, s.attributes['shoshizan.attempt']])).toEqual([
      [send.spanId, 1],
      [send.spanId, 2],
    ]);
    expect(attempts[0]).toMatchObject({ statusCode: 2, attributes: { 'error.type': 'HandedBack' } });
    expect(attempts[1]!.attributes).toMatchObject({ 'shoshizan.outcome': 'done' });
    // Each attempt called gpt-api, whose model call is in the same trace under that attempt.
    for (const attempt of attempts) {
      const call = one(spans.filter((s) => s.parentSpanId === attempt.spanId), 'kafka-consumer', SPAN_KIND.client, 'POST');
      const generate = one(spans.filter((s) => s.parentSpanId === call.spanId), 'gpt-api', SPAN_KIND.server, 'POST /v1/generate');
      one(spans.filter((s) => s.parentSpanId === generate.spanId), 'gpt-api', SPAN_KIND.client, modelCall());
    }
  });
});
