import { ErrorCode, HEADERS, type ResponseEvent } from '@shoshizan/shared-interfaces';
import { Stack, collect, metricSamples, startStackWithOwnOllama } from './support/stack';
import { scrape, type OwnOllama } from './support/system';

/**
 * Transient failures: with Ollama down a request is retried through the retry topics, then
 * dead-lettered with an error event to the client; an admin redrives it once Ollama is
 * back, and it is answered. Against an Ollama server of this test's own.
 */
jest.setTimeout(240_000);

let ollama: OwnOllama;
let stack: Stack;

beforeAll(async () => {
  ({ stack, ollama } = await startStackWithOwnOllama());
}, 600_000);

afterAll(async () => {
  const exitCodes = await stack.stop();
  await ollama.stop();
  expect(exitCodes).toEqual({ gateway: 0, 'kafka-consumer': 0, 'kafka-producer': 0, 'gpt-api': 0 });
}, 120_000);

const typesOf = (events: readonly ResponseEvent[]) => events.map((e) => e.type).filter((t) => t !== 'started');

describe('retries, dead letters and redrive', () => {
  it('retries while Ollama is down, dead-letters with an error event, and answers after a redrive', async () => {
    await ollama.stop();
    const response = await stack.chat({
      messages: [{ role: 'user', content: 'Say hello.' }],
      options: { maxTokens: 12 },
    });
    expect(response.status).toBe(200);
    const requestId = response.headers.get('x-chat-request-id')!;
    const events = await collect(response);

    // Two retries, each announced and then resumed, and then the error that ends the stream.
    expect(typesOf(events)).toEqual(['queued', 'retrying', 'resumed', 'retrying', 'resumed', 'error']);
    const retrying = events.filter((e) => e.type === 'retrying');
    expect(retrying.map((e) => [e.retry, e.delayMs])).toEqual([
      [1, 300],
      [2, 600],
    ]);
    const resumed = events.filter((e) => e.type === 'resumed');
    expect(resumed.map((e) => e.attempt)).toEqual([2, 3]);
    const error = events.at(-1)!;
    if (error.type !== 'error') throw new Error('no error event');
    expect([ErrorCode.UpstreamUnavailable, ErrorCode.ModelUnavailable]).toContain(error.code);
    expect(error.message).toMatch(/gave up after 2 retries/);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i));

    // The dead letter says why, after how many attempts; only an admin may see it.
    const forbidden = await fetch(`${stack.gateway}/v1/admin/dead-letters`, {
      headers: { authorization: `Bearer ${stack.token()}` },
    });
    expect(forbidden.status).toBe(403);
    const admin = { authorization: `Bearer ${stack.token({ roles: ['admin'] }, { subject: 'e2e-admin' })}` };
    const list = (await (await fetch(`${stack.gateway}/v1/admin/dead-letters`, { headers: admin })).json()) as {
      items: { id: string; requestId: string; code: string; reason: string; attempts: number; retries: number }[];
    };
    const letter = list.items.find((item) => item.requestId === requestId);
    expect(letter).toMatchObject({ code: error.code, attempts: 3, retries: 2, reason: error.message });
    const [dead] = (await stack.readTopic('deadLetter')).filter(
      (m) => m.headers?.[HEADERS.requestId]?.toString() === requestId,
    );
    expect(dead?.headers?.[HEADERS.dlqReason]?.toString()).toBe(error.message);
    expect(dead?.headers?.[HEADERS.attempt]?.toString()).toBe('3');
    // The worker counted both retries and the dead letter, by the code that failed them.
    const worker = await scrape(stack.service('kafka-consumer'));
    const retries = metricSamples(worker, 'kafka_consumer_retries_total');
    expect(retries.map((s) => s.labels.reason).every((r) => r === ErrorCode.UpstreamUnavailable || r === ErrorCode.ModelUnavailable)).toBe(true);
    expect(retries.reduce((n, s) => n + s.value, 0)).toBe(2);
    expect(metricSamples(worker, 'kafka_consumer_dead_letters_total')).toEqual([{ labels: expect.objectContaining({ reason: error.code }), value: 1 }]);

    // Ollama is back; the admin redrives; the owner sees the request answered.
    await ollama.start(`${stack.runId}-ollama`);
    const redrive = await fetch(`${stack.gateway}/v1/admin/dead-letters/${letter!.id}/redrive`, {
      method: 'POST',
      headers: admin,
    });
    expect(redrive.status).toBe(202);
    expect(await redrive.json()).toMatchObject({ requestId });

    const deadline = Date.now() + 120_000;
    let status = '';
    while (status !== 'done' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      const state = await fetch(`${stack.gateway}/v1/chat/${requestId}`, {
        headers: { authorization: `Bearer ${stack.token()}` },
      });
      status = ((await state.json()) as { status: string }).status;
    }
    expect(status).toBe('done');
    const all = await stack.eventsOf(requestId);
    expect(all.map((e) => e.seq)).toEqual(all.map((_, i) => i));
    const afterError = typesOf(all.slice(all.findIndex((e) => e.type === 'error') + 1));
    expect(afterError[0]).toBe('resumed');
    expect(afterError.at(-1)).toBe('done');
    expect(afterError).toContain('token');
    const { rows } = await stack.db.query('SELECT 1 FROM gpt_api.usage_ledger WHERE request_id = $1', [requestId]);
    expect(rows).toHaveLength(1);
  });

  it('refuses to redrive what is not a dead letter', async () => {
    const admin = { authorization: `Bearer ${stack.token({ roles: ['admin'] })}` };
    const bad = await fetch(`${stack.gateway}/v1/admin/dead-letters/nonsense/redrive`, { method: 'POST', headers: admin });
    expect(bad.status).toBe(400);
    const missing = await fetch(`${stack.gateway}/v1/admin/dead-letters/0:999999/redrive`, {
      method: 'POST',
      headers: admin,
    });
    expect(missing.status).toBe(404);
  });
});
