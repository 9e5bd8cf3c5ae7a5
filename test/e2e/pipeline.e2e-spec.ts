import {
  HEADERS,
  decodeMessage,
  responseEventSchema,
  topicName,
  type ResponseEvent,
} from '@shoshizan/shared-interfaces';
import { Stack, collect, textOf } from './support/stack';
import { stopService } from './support/system';

/**
 * The durable pipeline under failure: a request that was accepted is answered once, as
 * the client sees it, even when the worker answering it dies.
 */
jest.setTimeout(240_000);

// The broker's smallest session timeout, so a dead worker's partitions move on in seconds.
const stack = new Stack({ 'kafka-consumer': { KAFKA_SESSION_TIMEOUT_MS: '6000' } });

beforeAll(() => stack.start(), 600_000);
afterAll(async () => {
  const exitCodes = await stack.stop();
  expect(exitCodes).toEqual({ gateway: 0, 'kafka-consumer': 0, 'kafka-producer': 0, 'gpt-api': 0 });
}, 120_000);

async function usageRows(requestId: string): Promise<number> {
  const { rows } = await stack.db.query('SELECT 1 FROM gpt_api.usage_ledger WHERE request_id = $1', [requestId]);
  return rows.length;
}

function expectContiguous(events: readonly ResponseEvent[]): void {
  const seqs = events.map((e) => e.seq);
  const first = seqs[0] ?? 0;
  expect(seqs).toEqual(seqs.map((_, i) => first + i));
}

describe('the durable pipeline', () => {
  it('kill -9 of the consumer mid-answer: another worker resumes it, no gap and no duplicated token', async () => {
    const response = await stack.chat({
      messages: [{ role: 'user', content: 'Write a long story about a lighthouse keeper and the sea.' }],
      options: { maxTokens: 160, stop: [], temperature: 0 },
    });
    expect(response.status).toBe(200);
    const requestId = response.headers.get('x-chat-request-id')!;

    const first = stack.service('kafka-consumer');
    let tokens = 0;
    let killedAt = 0;
    let resumedAt = 0;
    let replacement: Promise<unknown> | undefined;
    const events = await collect(response, (event) => {
      if (event.type === 'token' && ++tokens === 10) {
        first.process.kill('SIGKILL');
        killedAt = performance.now();
        replacement = stack.startService('kafka-consumer', 'kafka-consumer-2');
      }
      if (event.type === 'resumed') resumedAt = performance.now();
    });
    await replacement;
    expect(killedAt).toBeGreaterThan(0);

    const types = events.map((e) => e.type);
    expect(types.at(-1)).toBe('done');
    expect(types.filter((t) => t === 'started')).toHaveLength(1);
    // One resume, by the second delivery, right after the last event of the first.
    const resumedIndex = types.indexOf('resumed');
    expect(types.filter((t) => t === 'resumed')).toHaveLength(1);
    const resumed = events[resumedIndex]!;
    if (resumed.type !== 'resumed') throw new Error('no resumed event');
    expect(resumed.attempt).toBe(2);
    expect(resumed.afterSeq).toBe(events[resumedIndex - 1]!.seq);
    // The stream as the client got it: every seq once, none missing, from queued/started to done.
    expectContiguous(events);
    const before = events.slice(0, resumedIndex).filter((e) => e.type === 'token');
    const after = events.slice(resumedIndex).filter((e) => e.type === 'token');
    expect(before.length).toBeGreaterThanOrEqual(10);
    expect(after.length).toBeGreaterThan(0);
    expect(textOf(events).trim().length).toBeGreaterThan(0);

    // Usage is recorded once; the gateway saw the request finish.
    expect(await usageRows(requestId)).toBe(1);
    const { rows } = await stack.db.query('SELECT status FROM gateway.chat_requests WHERE request_id = $1', [requestId]);
    expect(rows).toEqual([{ status: 'done' }]);
    const { rows: attempts } = await stack.db.query(
      'SELECT attempts, finished_at IS NOT NULL AS finished FROM kafka_consumer.request_attempts WHERE request_id = $1',
      [requestId],
    );
    // At least the killed delivery and the one that finished. On a loaded machine the new
    // worker can lose the partition in a rebalance and a third delivery finishes it: at
    // least once is the promise; once as the client sees it is what the events above check.
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({ finished: true });
    expect(attempts[0].attempts).toBeGreaterThanOrEqual(2);
    process.stdout.write(
      `[measure] kill -9 of the consumer to the resumed event at the client: ${Math.round(resumedAt - killedAt)} ms\n`,
    );
  });

  it('SIGTERM of the consumer mid-answer hands the request back: it exits at once and another worker resumes', async () => {
    const response = await stack.chat({
      messages: [{ role: 'user', content: 'Write a long story about a fisherman and a storm.' }],
      options: { maxTokens: 200, stop: [], temperature: 0 },
    });
    expect(response.status).toBe(200);
    const first = stack.service('kafka-consumer');
    let tokens = 0;
    let stoppedAt = 0;
    let resumedAt = 0;
    let exit: Promise<number | null> | undefined;
    let replacement: Promise<unknown> | undefined;
    const events = await collect(response, (event) => {
      if (event.type === 'token' && ++tokens === 10) {
        stoppedAt = performance.now();
        exit = stopService(first).then((code) => {
          replacement = stack.startService('kafka-consumer', 'kafka-consumer-3');
          return code;
        });
      }
      if (event.type === 'resumed') resumedAt = performance.now();
    });
    expect(await exit).toBe(0);
    await replacement;
    const types = events.map((e) => e.type);
    expect(types.at(-1)).toBe('done');
    expect(types.filter((t) => t === 'resumed')).toHaveLength(1);
    expect(types.filter((t) => t === 'started')).toHaveLength(1);
    expectContiguous(events);
    process.stdout.write(
      `[measure] SIGTERM of the consumer to the resumed event at the client: ${Math.round(resumedAt - stoppedAt)} ms\n`,
    );
  });

  it('a request past its deadline is dropped before it reaches the model', async () => {
    const requestId = await stack.writeRequest({
      userId: 'late-user',
      deadline: new Date(Date.now() - 1000).toISOString(),
      createdAt: new Date(Date.now() - 60_000).toISOString(),
    });
    const events = await stack.finalEventsOf(requestId);
    expect(events.map((e) => e.type)).toEqual(['error']);
    expect(events[0]).toMatchObject({ code: 'deadline_exceeded', retriable: false });
    const { rows } = await stack.db.query('SELECT 1 FROM gpt_api.admissions WHERE request_id = $1', [requestId]);
    expect(rows).toHaveLength(0);
  });

  it('a request for a model that is gone gets an error event and goes to the dead-letter topic', async () => {
    // The gateway refuses unknown models; one can still be removed after a request was queued.
    const requestId = await stack.writeRequest({ model: 'removed-model:1b' });
    const events = await stack.finalEventsOf(requestId);
    expect(events.at(-1)).toMatchObject({ type: 'error', code: 'model_not_found', retriable: false });
    const dead = (await stack.readTopic('deadLetter')).find((m) => m.headers?.[HEADERS.requestId]?.toString() === requestId);
    expect(dead?.headers?.[HEADERS.dlqErrorCode]?.toString()).toBe('model_not_found');
    expect(dead?.headers?.[HEADERS.dlqReason]?.toString()).toMatch(/removed-model:1b/);
    expect(dead?.headers?.[HEADERS.attempt]?.toString()).toBe('1');
  });

  it('a request delivered again after it was answered is not answered twice', async () => {
    const response = await stack.chat({ messages: [{ role: 'user', content: 'Say OK.' }], options: { maxTokens: 8 } });
    const requestId = response.headers.get('x-chat-request-id')!;
    const answered = await collect(response);
    expect(answered.at(-1)?.type).toBe('done');
    const first = answered[0]!;

    // The same message again on the requests topic, as a producer retry or a lost commit gives.
    const original = (await stack.readTopic('requests')).find((m) => m.headers?.[HEADERS.requestId]?.toString() === requestId);
    if (!original) throw new Error('the request is not on the requests topic');
    const producer = stack.kafka.producer();
    await producer.connect();
    await producer.send({
      topic: topicName('requests', stack.prefix),
      messages: [{ key: original.key, value: original.value, headers: original.headers ?? {} }],
    });
    await producer.disconnect();

    // A request behind it on the same conversation (same partition, answered in order):
    // once it is done, the worker has dealt with the duplicate.
    const marker = await stack.chat({
      conversationId: first.conversationId,
      messages: [{ role: 'user', content: 'Say OK.' }],
      options: { maxTokens: 4 },
    });
    expect((await collect(marker)).at(-1)?.type).toBe('done');
    const { rows } = await stack.db.query('SELECT attempts FROM kafka_consumer.request_attempts WHERE request_id = $1', [
      requestId,
    ]);
    expect(rows).toEqual([{ attempts: 2 }]);
    const finals = (await stack.readTopic('responses'))
      .filter((m) => m.key?.toString() === requestId)
      .map((m) => decodeMessage(responseEventSchema, m.value, 'response event'))
      .filter((e) => e.type === 'done' || e.type === 'error' || e.type === 'cancelled' || e.type === 'resumed');
    expect(finals.map((e) => e.type)).toEqual(['done']);
    expect(await usageRows(requestId)).toBe(1);
  });

  it('a cancel made while no worker runs still stops its request when a worker comes', async () => {
    expect(await stopService(stack.service('kafka-consumer'))).toBe(0);
    const response = await stack.chat({ messages: [{ role: 'user', content: 'Tell me a story.' }] });
    expect(response.status).toBe(200);
    const requestId = response.headers.get('x-chat-request-id')!;
    const cancel = await fetch(`${stack.gateway}/v1/chat/${requestId}/cancel`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.token()}`, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'changed my mind' }),
    });
    expect(cancel.status).toBe(202);
    // A new worker, started after the cancel, learns of it from the topic and never runs the model.
    const [events] = await Promise.all([collect(response), stack.startService('kafka-consumer', 'kafka-consumer-4')]);
    expect(events.at(-1)).toMatchObject({ type: 'cancelled', reason: 'changed my mind' });
    expect(events.some((e) => e.type === 'token')).toBe(false);
    const { rows } = await stack.db.query('SELECT 1 FROM gpt_api.admissions WHERE request_id = $1', [requestId]);
    expect(rows).toHaveLength(0);
  });
  it('kill -9 of the only gateway mid-answer: what was written while it was down is kept, and the stream resumes to the end', async () => {
    const response = await stack.chat({
      messages: [{ role: 'user', content: 'Write a long story about a baker and a mountain.' }],
      options: { maxTokens: 120, stop: [], temperature: 0 },
    });
    expect(response.status).toBe(200);
    const requestId = response.headers.get('x-chat-request-id')!;
    const token = stack.token();
    const gateway = stack.service('gateway');
    const before: ResponseEvent[] = [];
    await collect(response, (event) => {
      before.push(event);
      if (event.type === 'token' && before.filter((e) => e.type === 'token').length === 5) gateway.process.kill('SIGKILL');
    }).catch(() => undefined); // the connection dies with the gateway
    const lastSeen = before.at(-1)!.seq;
    // The worker goes on and finishes while no gateway runs.
    const final = async () =>
      (await stack.readTopic('responses'))
        .map((m) => decodeMessage(responseEventSchema, m.value, 'response event'))
        .some((e) => e.requestId === requestId && e.type === 'done');
    for (let i = 0; i < 120 && !(await final()); i++) await new Promise((r) => setTimeout(r, 500));
    expect(await final()).toBe(true);

    await stack.startService('gateway', 'gateway-2');
    const resumed = await fetch(`${stack.gateway}/v1/chat/${requestId}/events`, {
      headers: { authorization: `Bearer ${token}`, 'last-event-id': String(lastSeen) },
    });
    expect(resumed.status).toBe(200);
    const after = await collect(resumed);
    expect(after[0]!.seq).toBe(lastSeen + 1);
    expect(after.at(-1)?.type).toBe('done');
    expectContiguous([...before, ...after]);
    const { rows } = await stack.db.query('SELECT status FROM gateway.chat_requests WHERE request_id = $1', [requestId]);
    expect(rows).toEqual([{ status: 'done' }]);
  });
});
