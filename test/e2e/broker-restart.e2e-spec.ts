import { isFinalEvent, type ResponseEvent } from '@shoshizan/shared-interfaces';
import { Stack, collect } from './support/stack';
import { OwnKafka, freePort } from './support/system';

/**
 * The broker stops and starts again while requests are in flight: every request that was
 * accepted still reaches a final state. Against a broker of this test's own.
 */
jest.setTimeout(300_000);

let kafka: OwnKafka;
let stack: Stack;

beforeAll(async () => {
  kafka = new OwnKafka(await freePort(), await freePort(), `e2e-${Date.now().toString(36)}`);
  kafka.start();
  stack = new Stack({}, { kafkaBrokers: kafka.brokers });
  await stack.start();
}, 600_000);

afterAll(async () => {
  const exitCodes = await stack.stop();
  kafka.remove();
  expect(exitCodes).toEqual({ gateway: 0, 'kafka-consumer': 0, 'kafka-producer': 0, 'gpt-api': 0 });
}, 180_000);

const FINAL = ['done', 'error', 'cancelled'];

it('every accepted request reaches a final state across a broker restart', async () => {
  const count = 3;
  const streams: Promise<ResponseEvent[]>[] = [];
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const response = await stack.chat({
      messages: [{ role: 'user', content: `Write a short poem about the number ${i}.` }],
      options: { maxTokens: 60, stop: [] },
    });
    // 200 with a request id: kafka-producer had the broker's acknowledgement.
    expect(response.status).toBe(200);
    ids.push(response.headers.get('x-chat-request-id')!);
    streams.push(collect(response).catch(() => []));
  }

  const stoppedAt = performance.now();
  kafka.stop();
  await new Promise((r) => setTimeout(r, 3000));
  kafka.start();
  const restartedAt = performance.now();

  // Every request ends, as its owner sees it on GET /v1/chat/:id.
  const deadline = Date.now() + 180_000;
  const states = new Map<string, string>();
  while (states.size < count && Date.now() < deadline) {
    for (const id of ids) {
      if (states.has(id)) continue;
      const res = await fetch(`${stack.gateway}/v1/chat/${id}`, { headers: { authorization: `Bearer ${stack.token()}` } });
      const status = res.ok ? ((await res.json()) as { status: string }).status : '';
      if (FINAL.includes(status)) states.set(id, status);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  const finalAt = performance.now();
  expect([...states.keys()].sort()).toEqual([...ids].sort());

  // On the responses topic, each request has exactly one final event and no seq twice.
  for (const id of ids) {
    const events = await stack.eventsOf(id);
    const seqs = events.map((e) => e.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(events.filter(isFinalEvent)).toHaveLength(1);
    expect(isFinalEvent(events.at(-1)!)).toBe(true);
  }
  const streamed = await Promise.all(streams);
  process.stdout.write(
    `[measure] broker down ${Math.round(restartedAt - stoppedAt)} ms; all ${count} requests final ` +
      `${Math.round(finalAt - restartedAt)} ms after the broker was back; outcomes: ` +
      `${[...states.values()].join(', ')}; SSE streams that saw their final event: ` +
      `${streamed.filter((events) => events.some(isFinalEvent)).length}/${count}\n`,
  );
});
