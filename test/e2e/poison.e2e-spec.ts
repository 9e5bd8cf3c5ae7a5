import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import type { Message } from 'kafkajs';
import { partitionForKey } from '@shoshizan/service-kit';
import { HEADERS, TOPICS, topicName, type QuarantinedRecord, type TopicKey } from '@shoshizan/shared-interfaces';
import { Stack, collect, metricSamples, textOf } from './support/stack';
import { scrape } from './support/system';

jest.setTimeout(300_000);

/*
 * No single record stops delivery. A hostile or broken producer writes random bytes and
 * hostile-but-valid envelopes to every topic the services read; good requests sent after
 * that are all answered in full, what could not be processed is listed for an admin, and
 * every service is still running. Text the stores cannot hold is refused at the edge.
 */
const stack = new Stack();
const admin = () => stack.token({ roles: ['admin'] }, { subject: 'e2e-admin' });

beforeAll(() => stack.start(), 600_000);

afterAll(async () => {
  expect(await stack.stop()).toEqual({ gateway: 0, 'kafka-consumer': 0, 'kafka-producer': 0, 'gpt-api': 0 });
}, 120_000);

async function produce(key: TopicKey, messages: Message[]): Promise<void> {
  const producer = stack.kafka.producer();
  await producer.connect();
  await producer.send({ topic: topicName(key, stack.prefix), messages });
  await producer.disconnect();
}

/** Bytes that are no message at all: random, empty, not UTF-8, JSON of every wrong shape. */
function garbage(): Message[] {
  const deep = '['.repeat(50_000) + ']'.repeat(50_000);
  const values: (Buffer | string | null)[] = [
    null,
    Buffer.alloc(0),
    Buffer.from([0xff, 0xfe, 0x00, 0xc3, 0x28]),
    'null',
    '[]',
    '{}',
    '"a string"',
    '12345678901234567890',
    deep,
    '{"version":1,"kind":"chat.response"',
    JSON.stringify({ version: 2, kind: 'chat.request' }),
    'x'.repeat(512 * 1024),
    ...Array.from({ length: 8 }, () => randomBytes(randomInt(1, 2048))),
  ];
  return values.map((value, i) => ({
    key: i % 3 === 0 ? null : i % 3 === 1 ? randomBytes(16) : randomUUID(),
    value,
    headers: i % 2 === 0 ? { [HEADERS.retries]: ['abc', '-5', '99999999999'][i % 3]!, 'x-junk': randomBytes(8) } : {},
  }));
}

const now = () => new Date().toISOString();

function event(fields: Record<string, unknown>): Message {
  const requestId = randomUUID();
  return {
    key: requestId,
    value: JSON.stringify({
      version: 1,
      kind: 'chat.response',
      requestId,
      conversationId: randomUUID(),
      userId: 'mallory',
      seq: 1,
      at: now(),
      ...fields,
    }),
  };
}

/**
 * Response events that PostgreSQL would refuse (the schema refuses them first, so they are
 * set aside at once), and valid ones that name nobody's request or are odd in allowed ways.
 */
function hostileEvents(): Message[] {
  return [
    event({ type: 'token', seq: 2 ** 31, text: 'seq past PostgreSQL integer' }),
    event({
      type: 'done',
      model: 'gemma3:270m',
      usage: { promptTokens: 2 ** 40, completionTokens: 2 ** 40, totalTokens: 2 ** 41 },
      finishReason: 'stop',
      durationMs: 1e12,
    }),
    event({ type: 'cancelled', reason: 'stop\u0000now' }),
    event({ type: 'token', text: 'lone \uD800 surrogate' }),
    event({ type: 'cancelled', reason: 'x'.repeat(500) }),
    event({ type: 'started', model: 'no-such-model:latest' }),
    event({ type: 'error', code: 'internal', message: '\u202Eright-to-left \uD83D\uDE00', retriable: false }),
  ];
}

function request(fields: Record<string, unknown>): Message {
  const envelope = {
    version: 1,
    kind: 'chat.request',
    requestId: randomUUID(),
    userId: 'mallory',
    conversationId: randomUUID(),
    messages: [{ role: 'user', content: 'Say OK.' }],
    options: { maxTokens: 2 },
    deadline: new Date(Date.now() + 120_000).toISOString(),
    createdAt: now(),
    ...fields,
  };
  return { key: envelope.conversationId, value: JSON.stringify(envelope), headers: { [HEADERS.requestId]: envelope.requestId } };
}

/** Requests that pass the schema but that nothing can answer, or that are odd in every allowed way. */
function hostileRequests(): Message[] {
  return [
    request({ model: 'no-such-model:latest' }),
    request({ deadline: '2000-01-01T00:00:00Z' }),
    request({ createdAt: '0001-01-01T00:00:00Z' }),
    request({ userId: '\u202E'.repeat(200), roles: Array.from({ length: 32 }, (_, i) => `role-${i}`) }),
    request({ messages: Array.from({ length: 301 }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: 'hi' })) }),
    request({ enqueueBy: '2000-01-01T00:00:00Z' }),
  ];
}

function cancellation(fields: Record<string, unknown>): Message {
  return {
    key: randomUUID(),
    value: JSON.stringify({ version: 1, kind: 'chat.cancel', requestId: randomUUID(), userId: 'mallory', at: now(), ...fields }),
  };
}

/** Conversation ids, one for each partition of the requests topic, so every partition is tried. */
function conversationsOnEveryPartition(): string[] {
  const topic = topicName('requests', stack.prefix);
  const byPartition = new Map<number, string>();
  while (byPartition.size < TOPICS.requests.partitions) {
    const id = randomUUID();
    byPartition.set(partitionForKey(topic, id, TOPICS.requests.partitions), id);
  }
  return [...byPartition.values()];
}

async function quarantined(): Promise<QuarantinedRecord[]> {
  const response = await fetch(`${stack.gateway}/v1/admin/quarantine?limit=500`, {
    headers: { authorization: `Bearer ${admin()}` },
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { items: QuarantinedRecord[] }).items;
}

describe('no record stops delivery', () => {
  it('answers every good request in full after garbage and hostile envelopes on every topic the services read', async () => {
    const responsesTopic = topicName('responses', stack.prefix);
    await produce('responses', [...garbage(), ...hostileEvents()]);
    await produce('cancellations', [
      ...garbage(),
      cancellation({ at: '1970-01-01T00:00:00Z' }),
      cancellation({ reason: 'r'.repeat(500) }),
    ]);
    await produce('requests', [...garbage(), ...hostileRequests()]);
    for (const key of ['requestsRetry1', 'requestsRetry2', 'requestsRetry3'] as const) {
      await produce(key, [...garbage(), request({ model: 'no-such-model:latest' })]);
    }
    // Read by the admin routes: their lists must still answer.
    await produce('deadLetter', garbage());
    await produce('quarantine', garbage());

    // Good requests on every partition of the requests topic, sent at once.
    const answers = await Promise.all(
      conversationsOnEveryPartition().map(async (conversationId) => {
        const response = await stack.chat({
          conversationId,
          messages: [{ role: 'user', content: 'Name one colour.' }],
          options: { maxTokens: 8, temperature: 0 },
        });
        expect(response.status).toBe(200);
        return collect(response);
      }),
    );
    for (const events of answers) {
      expect(events.at(-1)?.type).toBe('done');
      // Every event from the start on, each once, in order: nothing was held back or lost.
      // The start is kafka-producer's `queued` (seq 0), or the worker's `started` (seq 1)
      // when `queued` landed after it (another producer's write; a stream drops it then).
      const first = events[0]!;
      expect(first.seq === 0 ? first.type : `${first.seq} ${first.type}`).toMatch(/^(queued|1 started)$/);
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => first.seq + i));
      expect(textOf(events).length).toBeGreaterThan(0);
    }

    // What could not be processed is listed for an admin, with its reason.
    const unstorable = 4;
    let items: QuarantinedRecord[] = [];
    for (let i = 0; i < 60; i++) {
      items = await quarantined();
      if (items.filter((q) => q.sourceTopic === responsesTopic).length >= garbage().length + unstorable) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const fromResponses = items.filter((q) => q.sourceTopic === responsesTopic);
    expect(fromResponses).toHaveLength(garbage().length + unstorable);
    expect(fromResponses.every((q) => q.code === 'poison_message' && q.consumers.every((c) => c.startsWith('gateway.responses@')))).toBe(
      true,
    );
    const reasons = fromResponses.map((q) => q.reason).join('\n');
    expect(reasons).toMatch(/seq: Too big/);
    expect(reasons).toMatch(/usage.promptTokens: Too big/);
    expect(reasons).toMatch(/reason: must not contain NUL/);
    expect(reasons).toMatch(/text: must not contain NUL characters or unpaired UTF-16 surrogates/);
    expect(items.some((q) => q.sourceTopic === topicName('cancellations', stack.prefix) && q.code === 'poison_message')).toBe(true);

    // The admin lists answer despite the garbage in their own topics.
    const deadLetters = await fetch(`${stack.gateway}/v1/admin/dead-letters?limit=500`, {
      headers: { authorization: `Bearer ${admin()}` },
    });
    expect(deadLetters.status).toBe(200);
    const letters = ((await deadLetters.json()) as { items: { code: string | null; redrivable: boolean }[] }).items;
    expect(letters.some((l) => l.code === 'poison_message' && !l.redrivable)).toBe(true);
    expect(letters.some((l) => l.code === 'model_not_found' && l.redrivable)).toBe(true);

    // Counted where an alert can see it.
    const gatewayMetrics = await scrape(stack.service('gateway'));
    const quarantinedByGateway = metricSamples(gatewayMetrics, 'kafka_records_quarantined_total')
      .filter((s) => s.labels.topic === responsesTopic)
      .reduce((sum, s) => sum + s.value, 0);
    expect(quarantinedByGateway).toBe(garbage().length + unstorable);
    const consumerMetrics = await scrape(stack.service('kafka-consumer'));
    expect(metricSamples(consumerMetrics, 'kafka_records_quarantined_total').length).toBeGreaterThan(0);
    expect(metricSamples(consumerMetrics, 'kafka_consumer_partition_stalled_seconds').length).toBeGreaterThan(0);

    for (const name of ['gateway', 'kafka-consumer', 'kafka-producer', 'gpt-api'] as const) {
      expect(stack.service(name).process.exitCode).toBeNull();
    }
  });

  it('refuses a NUL in a cancel reason at the edge, and the stream goes on to its end', async () => {
    const response = await stack.chat({ messages: [{ role: 'user', content: 'Count to five.' }], options: { maxTokens: 24 } });
    const requestId = response.headers.get('x-chat-request-id');
    const cancel = await fetch(`${stack.gateway}/v1/chat/${requestId}/cancel`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.token()}`, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'stop\u0000now' }),
    });
    expect(cancel.status).toBe(400);
    const problem = (await cancel.json()) as { errors?: { path: string; message: string }[] };
    expect(problem.errors).toEqual([{ path: 'reason', message: 'must not contain NUL characters or unpaired UTF-16 surrogates' }]);
    expect((await collect(response)).at(-1)?.type).toBe('done');
  });
});

describe('text the stores cannot hold is a 400 that names the field, never a 500', () => {
  const NUL = 'a\u0000b';
  const LONE = 'a\uD800b';
  const send = (method: string, path: string, body?: unknown, bearer: string | null = stack.token()) =>
    fetch(`${stack.gateway}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  let conversationId = '';

  beforeAll(async () => {
    const created = await send('POST', '/v1/conversations', { title: 'fine' });
    conversationId = ((await created.json()) as { id: string }).id;
  });

  it.each([
    ['the login username', '/v1/auth/login', { username: NUL, password: 'whatever-it-is' }, 'username', false],
    ['the login password', '/v1/auth/login', { username: 'someone', password: LONE }, 'password', false],
    ['a new conversation title', '/v1/conversations', { title: NUL }, 'title', true],
    ['a chat message', '/v1/chat', { messages: [{ role: 'user', content: LONE }] }, 'messages.0.content', true],
    ['a stop sequence', '/v1/chat', { messages: [{ role: 'user', content: 'hi' }], options: { stop: [NUL] } }, 'options.stop.0', true],
    ['an API key name', '/v1/api-keys', { name: NUL }, 'name', true],
  ] as const)('%s', async (_what, path, body, field, signedIn) => {
    const response = await send('POST', path, body, signedIn ? stack.token() : null);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { errors: { path: string }[] }).errors.map((i) => i.path)).toContain(field);
  });

  it('an OpenAI chat message, in OpenAI’s error shape', async () => {
    const response = await send('POST', '/v1/chat/completions', { model: 'gemma3:270m', messages: [{ role: 'user', content: NUL }] });
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as { error: { param: string; message: string } };
    expect(error.param).toBe('messages.0.content');
    expect(error.message).toMatch(/NUL/);
  });

  it('a renamed conversation title', async () => {
    const response = await send('PATCH', `/v1/conversations/${conversationId}`, { title: LONE });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { errors: { path: string }[] }).errors.map((i) => i.path)).toEqual(['title']);
  });

  it('a message posted to a conversation', async () => {
    const response = await send('POST', `/v1/conversations/${conversationId}/messages`, { content: NUL });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { errors: { path: string }[] }).errors.map((i) => i.path)).toEqual(['content']);
  });

  it('the conversation search', async () => {
    const response = await send('GET', `/v1/conversations?q=${encodeURIComponent(NUL)}`);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { errors: { path: string }[] }).errors.map((i) => i.path)).toEqual(['q']);
  });
});
