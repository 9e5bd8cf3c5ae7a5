import { randomBytes, randomUUID } from 'node:crypto';
import type { KafkaMessage } from 'kafkajs';
import { HEADERS, TOPICS, responseEventSchema, topicName, type ResponseEvent } from '@shoshizan/shared-interfaces';
import { readSse } from './support/sse';
import { AUDIENCE, ISSUER, Stack, collect, metricSamples } from './support/stack';
import { infra, scrape, stopService } from './support/system';

jest.setTimeout(240_000);

const stack = new Stack();
const { kafka, prefix } = stack;
const token = stack.token.bind(stack);
const chat = stack.chat.bind(stack);
const issuer = ISSUER;
const audience = AUDIENCE;
const gateway = () => stack.gateway;
const requestsTopicSize = () => stack.requestsTopicSize();

beforeAll(() => stack.start(), 600_000);

afterAll(async () => {
  // Graceful shutdown on SIGTERM: every service exits by itself, with code 0.
  expect(await stack.stop()).toEqual({ gateway: 0, 'kafka-consumer': 0, 'kafka-producer': 0, 'gpt-api': 0 });
}, 120_000);

describe('a chat request, end to end through the real system', () => {
  it('streams a real model answer over SSE: tokens in order, ending with done and usage', async () => {
    const response = await chat({
      messages: [{ role: 'user', content: 'Name three colours of the rainbow.' }],
      options: { maxTokens: 48, temperature: 0 },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const requestId = response.headers.get('x-chat-request-id');
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);

    const events = await collect(response);
    const types = events.map((e) => e.type);
    expect(types).toContain('started');
    expect(types.at(-1)).toBe('done');
    expect(events.every((e) => e.requestId === requestId)).toBe(true);

    // In order, without gaps or duplicates: seqs rise by one from `started` to `done`.
    const seqs = events.map((e) => e.seq);
    const fromStarted = seqs.slice(types.indexOf('started'));
    expect(fromStarted).toEqual(fromStarted.map((_, i) => fromStarted[0]! + i));

    const tokens = events.filter((e) => e.type === 'token');
    expect(tokens.length).toBeGreaterThan(1);
    const text = tokens.map((e) => (e.type === 'token' ? e.text : '')).join('');
    expect(text.trim().length).toBeGreaterThan(0);

    const done = events.at(-1)!;
    if (done.type !== 'done') throw new Error('the stream did not end with done');
    expect(done.model).toBe(infra.model);
    expect(done.usage.promptTokens).toBeGreaterThan(0);
    expect(done.usage.completionTokens).toBeGreaterThan(0);
    expect(done.usage.completionTokens).toBeLessThanOrEqual(48);
    expect(done.usage.totalTokens).toBe(done.usage.promptTokens + done.usage.completionTokens);

    // Both services recorded the outcome in PostgreSQL.
    const request = await stack.db.query('SELECT status, completion_tokens FROM gateway.chat_requests WHERE request_id = $1', [
      requestId,
    ]);
    expect(request.rows).toEqual([{ status: 'done', completion_tokens: done.usage.completionTokens }]);
    const usage = await stack.db.query('SELECT user_id, completion_tokens FROM gpt_api.usage_ledger WHERE request_id = $1', [
      requestId,
    ]);
    expect(usage.rows).toEqual([{ user_id: 'e2e-user', completion_tokens: done.usage.completionTokens }]);

    // GET /v1/chat/:id tells the owner the final state.
    const status = await fetch(`${gateway()}/v1/chat/${requestId}`, { headers: { authorization: `Bearer ${token()}` } });
    expect(status.status).toBe(200);
    expect(await status.json()).toMatchObject({ requestId, status: 'done', model: infra.model });
  });

  it('keeps one conversation on one partition of the requests topic', async () => {
    const conversationId = randomUUID();
    for (let i = 0; i < 2; i++) {
      const response = await chat({
        conversationId,
        messages: [{ role: 'user', content: `Say the number ${i}.` }],
        options: { maxTokens: 8 },
      });
      expect(response.status).toBe(200);
      expect((await collect(response)).at(-1)?.type).toBe('done');
    }
    const consumer = kafka.consumer({ groupId: `${prefix}inspect-${randomUUID()}` });
    const seen: { partition: number; requestIdHeader?: string }[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic: topicName('requests', prefix), fromBeginning: true });
    await new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ partition, message }) => {
          if (message.key?.toString() !== conversationId) return;
          seen.push({ partition, requestIdHeader: message.headers?.[HEADERS.requestId]?.toString() });
          if (seen.length === 2) resolve();
        },
      });
    });
    await consumer.disconnect();
    expect(new Set(seen.map((s) => s.partition)).size).toBe(1);
    for (const s of seen) expect(s.requestIdHeader).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('cancels a running answer: the model stops and the stream ends with a cancelled event', async () => {
    const response = await chat({
      messages: [{ role: 'user', content: 'Write a very long story about a lighthouse keeper.' }],
      // No stop words: the small model would otherwise end its turn after a dozen tokens.
      options: { maxTokens: 2000, stop: [] },
    });
    expect(response.status).toBe(200);
    const requestId = response.headers.get('x-chat-request-id')!;
    const gptApiMetrics = () => scrape(stack.service('gpt-api'));
    const abortedBefore = metricSamples(await gptApiMetrics(), 'gpt_api_generation_duration_seconds_count')
      .filter((sample) => sample.labels.outcome === 'aborted')
      .reduce((sum, sample) => sum + sample.value, 0);
    let cancelSent: Promise<Response> | undefined;
    let cancelledAt = 0;
    let cancelledEventAt = 0;
    const events = await collect(response, (event) => {
      if (event.type === 'cancelled') cancelledEventAt = performance.now();
      if (event.type === 'token' && !cancelSent) {
        cancelledAt = performance.now();
        cancelSent = fetch(`${gateway()}/v1/chat/${requestId}/cancel`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token()}`, 'content-type': 'application/json' },
          body: JSON.stringify({ reason: 'e2e stop' }),
        });
      }
    });
    expect((await cancelSent!).status).toBe(202);
    const last = events.at(-1)!;
    expect(last).toMatchObject({ type: 'cancelled', reason: 'e2e stop' });
    const tokens = events.filter((e) => e.type === 'token').length;
    expect(tokens).toBeLessThan(2000);

    // The model stopped: gpt-api closed its stream to Ollama (the generation ends as
    // `aborted`) and runs nothing any more, far short of 2000 tokens.
    let metrics = await gptApiMetrics();
    for (let i = 0; i < 20 && metricSamples(metrics, 'gpt_api_inflight_generations')[0]?.value !== 0; i++) {
      await new Promise((r) => setTimeout(r, 250));
      metrics = await gptApiMetrics();
    }
    expect(metricSamples(metrics, 'gpt_api_inflight_generations')[0]?.value).toBe(0);
    const abortedAfter = metricSamples(metrics, 'gpt_api_generation_duration_seconds_count')
      .filter((sample) => sample.labels.outcome === 'aborted')
      .reduce((sum, sample) => sum + sample.value, 0);
    expect(abortedAfter).toBe(abortedBefore + 1);
    process.stdout.write(`[measure] cancel to cancelled event: ${Math.round(cancelledEventAt - cancelledAt)} ms\n`);
  });

  it('resumes a dropped stream from Last-Event-ID: exactly the missed events, then the live rest', async () => {
    const aborter = new AbortController();
    const response = await fetch(`${gateway()}/v1/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token()}` },
      body: JSON.stringify({
        messages: [{ role: 'user', content: 'Write a short story about a cat.' }],
        options: { maxTokens: 60, stop: [], temperature: 0 },
      }),
      signal: aborter.signal,
    });
    const requestId = response.headers.get('x-chat-request-id')!;
    // The client drops the connection after a few tokens (a reload, a network blip).
    const before: ResponseEvent[] = [];
    for await (const sse of readSse(response.body!)) {
      before.push(responseEventSchema.parse(JSON.parse(sse.data)));
      if (before.filter((e) => e.type === 'token').length === 5) break;
    }
    aborter.abort();
    const lastSeen = before.at(-1)!.seq;

    const resumed = await fetch(`${gateway()}/v1/chat/${requestId}/events`, {
      headers: { authorization: `Bearer ${token()}`, 'last-event-id': String(lastSeen) },
    });
    expect(resumed.status).toBe(200);
    const after = await collect(resumed);
    expect(after[0]!.seq).toBe(lastSeen + 1);
    expect(after.at(-1)!.type).toBe('done');
    const all = [...before, ...after];
    const seqs = all.map((e) => e.seq);
    expect(seqs).toEqual(seqs.map((_, i) => seqs[0]! + i));

    // After the end, a stream without Last-Event-ID replays everything, as Kafka has it.
    const replay = await collect(
      await fetch(`${gateway()}/v1/chat/${requestId}/events`, { headers: { authorization: `Bearer ${token()}` } }),
    );
    expect(replay).toEqual(await stack.eventsOf(requestId));
    expect(replay.slice(-after.length)).toEqual(after);

    // Only the owner may resume it, and Last-Event-ID must be a seq.
    const foreign = await fetch(`${gateway()}/v1/chat/${requestId}/events`, {
      headers: { authorization: `Bearer ${token({}, { subject: 'someone-else' })}` },
    });
    expect(foreign.status).toBe(404);
    const bad = await fetch(`${gateway()}/v1/chat/${requestId}/events`, {
      headers: { authorization: `Bearer ${token()}`, 'last-event-id': 'yesterday' },
    });
    expect(bad.status).toBe(400);
  });

  it('holds its edges: body size limit, CORS allow-list, a complete OpenAPI document', async () => {
    // A body over BODY_LIMIT_BYTES (512 KiB by default) is refused as problem details.
    const huge = await chat({ messages: [{ role: 'user', content: 'x'.repeat(600 * 1024) }] });
    expect(huge.status).toBe(413);
    expect(huge.headers.get('content-type')).toMatch(/^application\/problem\+json/);

    // CORS: an allowed origin is told so; another is not.
    const preflight = (origin: string) =>
      fetch(`${gateway()}/v1/chat`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' },
      });
    expect((await preflight('http://localhost:5173')).headers.get('access-control-allow-origin')).toBe(
      'http://localhost:5173',
    );
    expect((await preflight('https://evil.example')).headers.get('access-control-allow-origin')).toBeNull();

    // Every route is in the OpenAPI document, and so is the bearer scheme.
    const openapi = (await (await fetch(`${gateway()}/docs-json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
      components: { securitySchemes: Record<string, { scheme?: string }> };
    };
    const routes = Object.entries(openapi.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(routes).toEqual(
      expect.arrayContaining([
        'POST /v1/auth/login',
        'POST /v1/auth/refresh',
        'POST /v1/auth/logout',
        'POST /v1/api-keys',
        'GET /v1/api-keys',
        'DELETE /v1/api-keys/{id}',
        'POST /v1/conversations',
        'GET /v1/conversations',
        'GET /v1/conversations/{id}',
        'PATCH /v1/conversations/{id}',
        'DELETE /v1/conversations/{id}',
        'POST /v1/conversations/{id}/messages',
        'PUT /v1/conversations/{id}/messages/last',
        'POST /v1/conversations/{id}/regenerate',
        'POST /v1/chat',
        'GET /v1/chat/{requestId}',
        'GET /v1/chat/{requestId}/events',
        'POST /v1/chat/{requestId}/cancel',
        'POST /v1/chat/completions',
        'GET /v1/models',
        'GET /v1/status',
        'GET /v1/admin/dead-letters',
        'POST /v1/admin/dead-letters/{id}/redrive',
        'POST /v1/admin/users',
        'GET /health/live',
        'GET /health/ready',
      ]),
    );
    expect(openapi.components.securitySchemes.bearer?.scheme).toBe('bearer');
  });

  it('tells a bad body which field is wrong and enqueues nothing', async () => {
    const before = await requestsTopicSize();
    const response = await chat({ messages: [{ role: 'robot', content: 'hi' }] });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const problem = (await response.json()) as { code: string; errors: { path: string }[] };
    expect(problem.code).toBe('validation_failed');
    expect(problem.errors.map((e) => e.path)).toContain('messages.0.role');
    expect(await requestsTopicSize()).toBe(before);
  });

  it('answers 401 to a missing, forged, expired or foreign token, and none of them reaches Kafka', async () => {
    const before = await requestsTopicSize();
    const { rows: beforeRows } = await stack.db.query<{ n: string }>('SELECT count(*) AS n FROM gateway.chat_requests');
    const body = { messages: [{ role: 'user', content: 'hello' }] };
    const cases: Record<string, string | null> = {
      missing: null,
      'bad signature': token({}, {}, randomBytes(32).toString('base64url')),
      expired: token({}, { expiresIn: -60 }),
      'wrong issuer': token({}, { issuer: 'someone-else' }),
      'wrong audience': token({}, { audience: 'another-api' }),
      'not a JWT': 'not-a-token',
      'alg none': `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(
        JSON.stringify({ sub: 'x', iss: issuer, aud: audience, exp: Math.floor(Date.now() / 1000) + 60 }),
      ).toString('base64url')}.`,
    };
    for (const [label, bearer] of Object.entries(cases)) {
      const response = await chat(body, bearer);
      expect({ label, status: response.status }).toEqual({ label, status: 401 });
      const problem = (await response.json()) as { code: string };
      expect({ label, code: problem.code }).toEqual({ label, code: 'unauthenticated' });
    }
    expect(await requestsTopicSize()).toBe(before);
    const { rows: afterRows } = await stack.db.query<{ n: string }>('SELECT count(*) AS n FROM gateway.chat_requests');
    expect(afterRows[0]!.n).toBe(beforeRows[0]!.n);
  });

  it('serves health and the API docs without a token, and metrics only on the metrics port', async () => {
    for (const service of Object.values(stack.services)) {
      const ready = await fetch(`${service.url}/health/ready`);
      expect({ service: service.name, status: ready.status }).toEqual({ service: service.name, status: 200 });
      // Not on the API's port: that one the Ingress and every client reach.
      const onApiPort = await fetch(`${service.url}/metrics`);
      expect({ service: service.name, status: onApiPort.status }).toEqual({ service: service.name, status: 404 });
      expect(await onApiPort.text()).not.toContain('process_cpu_seconds_total');
    }
    for (const service of Object.values(stack.services)) {
      const metrics = await scrape(service);
      expect(metrics).toContain('process_cpu_seconds_total');
      // The API's own requests are still counted, the 404 above among them.
      expect(metricSamples(metrics, 'http_requests_total')).toContainEqual({
        labels: { method: 'GET', route: '/health/ready', status: '200', service: service.name },
        value: expect.any(Number),
      });
      expect(metricSamples(metrics, 'http_requests_total')).toContainEqual({
        labels: { method: 'GET', route: 'unmatched', status: '404', service: service.name },
        value: expect.any(Number),
      });
    }
    const gatewayMetrics = await scrape(stack.service('gateway'));
    expect(gatewayMetrics).toMatch(/gateway_auth_failures_total\{reason="missing_token",service="gateway"\} [1-9]/);
    // kafka-consumer reports the lag of the partitions it holds: all six, none behind now.
    const consumerMetrics = await scrape(stack.service('kafka-consumer'));
    const lag = metricSamples(consumerMetrics, 'kafka_consumer_group_lag').filter(
      (sample) => sample.labels.group === `${prefix}shoshizan.chat-workers`,
    );
    expect(lag.map((sample) => sample.labels.partition).sort()).toEqual(['0', '1', '2', '3', '4', '5']);
    expect(lag.map((sample) => sample.value)).toEqual([0, 0, 0, 0, 0, 0]);
    const docs = await fetch(`${gateway()}/docs`);
    expect(docs.status).toBe(200);
    expect(docs.headers.get('content-security-policy')).toContain("script-src 'self'");

    // The gateway's readiness covers what it cannot answer without, and no service it calls:
    // their being down is a 503 problem per request, not the entry point leaving its Service.
    const ready = (await (await fetch(`${gateway()}/health/ready`)).json()) as { info: Record<string, unknown> };
    expect(Object.keys(ready.info).sort()).toEqual(['kafka', 'postgres', 'responses-stream']);
    // Security headers on API answers: nothing may be loaded, framed or sniffed.
    const api = await fetch(`${gateway()}/v1/chat/${randomUUID()}`, { headers: { authorization: `Bearer ${token()}` } });
    expect(api.status).toBe(404);
    expect(api.headers.get('x-content-type-options')).toBe('nosniff');
    expect(api.headers.get('x-frame-options')).toBe('DENY');
    expect(api.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
    const openapi = (await (await fetch(`${gateway()}/docs-json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(openapi.paths)).toEqual(expect.arrayContaining(['/v1/chat', '/v1/chat/{requestId}']));
  });

  it('refuses an unknown model before enqueueing, naming the models there are', async () => {
    const before = await requestsTopicSize();
    const response = await chat({ model: 'no-such-model:1b', messages: [{ role: 'user', content: 'hi' }] });
    expect(response.status).toBe(404);
    const problem = (await response.json()) as { code: string; detail: string; errors: { path: string }[] };
    expect(problem.code).toBe('model_not_found');
    expect(problem.detail).toContain(infra.model);
    expect(problem.errors.map((e) => e.path)).toEqual(['model']);
    expect(await requestsTopicSize()).toBe(before);
  });

  it('sends a poison message to the dead-letter topic and keeps serving', async () => {
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: topicName('requests', prefix),
      messages: [{ key: 'poison', value: '{"version":1,"kind":"chat.request","requestId":"nope"}' }],
    });
    await producer.disconnect();

    // The worker dead-letters it (asynchronously): wait until it is there.
    let found: KafkaMessage | undefined;
    for (let i = 0; i < 60 && !found; i++) {
      found = (await stack.readTopic('deadLetter')).find((m) => m.key?.toString() === 'poison');
      if (!found) await new Promise((r) => setTimeout(r, 500));
    }
    const dead = {
      key: found?.key?.toString(),
      reason: found?.headers?.[HEADERS.dlqReason]?.toString(),
      code: found?.headers?.[HEADERS.dlqErrorCode]?.toString(),
    };
    expect(dead.key).toBe('poison');
    expect(dead.code).toBe('poison_message');
    expect(dead.reason).toMatch(/requestId/);

    const response = await chat({ messages: [{ role: 'user', content: 'Say OK.' }], options: { maxTokens: 8 } });
    expect((await collect(response)).at(-1)?.type).toBe('done');
    expect(TOPICS.deadLetter.partitions).toBeGreaterThan(0);
  });

  it('stays ready while kafka-producer is down, answering a chat with a 503 problem and Retry-After', async () => {
    expect(await stopService(stack.service('kafka-producer'))).toBe(0);
    try {
      // The entry point stays in its Service: its readiness is its own, not that of whom it calls.
      const ready = await fetch(`${gateway()}/health/ready`);
      expect(ready.status).toBe(200);
      const refused = await chat({ messages: [{ role: 'user', content: 'Say OK.' }], options: { maxTokens: 8 } });
      expect(refused.status).toBe(503);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(((await refused.json()) as { code: string }).code).toBe('queue_unavailable');
      // The status page tells which service is down.
      const status = (await (await fetch(`${gateway()}/v1/status`, { headers: { authorization: `Bearer ${token()}` } })).json()) as {
        state: string;
        services: { name: string; state: string }[];
      };
      expect(status.state).toBe('down');
      expect(status.services.map((s) => [s.name, s.state])).toEqual([
        ['gateway', 'up'],
        ['kafka-producer', 'down'],
        ['kafka-consumer', 'up'],
        ['gpt-api', 'up'],
      ]);
    } finally {
      // A new producer has a new port: the gateway is restarted with it.
      await stack.startService('kafka-producer', 'kafka-producer-2');
      expect(await stopService(stack.service('gateway'))).toBe(0);
      await stack.startService('gateway', 'gateway-2');
    }
    const response = await chat({ messages: [{ role: 'user', content: 'Say OK.' }], options: { maxTokens: 8 } });
    expect((await collect(response)).at(-1)?.type).toBe('done');
  });
});
