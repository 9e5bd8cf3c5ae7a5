import { HEADERS, chatRequestEnvelopeSchema, isFinalEvent, type ResponseEvent } from '@shoshizan/shared-interfaces';
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
  // A short enqueue deadline, so the request refused while the broker is down is refused soon.
  stack = new Stack({ gateway: { ENQUEUE_TIMEOUT_MS: '4000' } }, { kafkaBrokers: kafka.brokers });
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
  // While the broker is down a new request is refused: 503, Retry-After, nothing enqueued.
  const refusedAt = performance.now();
  const refused = await stack.chat({ messages: [{ role: 'user', content: 'Are you there?' }] });
  const refusedMs = performance.now() - refusedAt;
  expect(refused.status).toBe(503);
  expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
  expect(((await refused.json()) as { code: string }).code).toBe('queue_unavailable');
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
  // The refused request is never answered. Its send may still land once the broker is
  // back, but after its enqueue deadline, so the workers drop it: no events, no model.
  const { rows: rejected } = await stack.db.query<{ request_id: string }>(
    `SELECT request_id FROM gateway.chat_requests WHERE status = 'rejected'`,
  );
  expect(rejected).toHaveLength(1);
  const rejectedId = rejected[0]!.request_id;
  await new Promise((r) => setTimeout(r, 3000));
  const late = (await stack.readTopic('requests')).find((m) => m.headers?.[HEADERS.requestId]?.toString() === rejectedId);
  if (late) {
    const envelope = chatRequestEnvelopeSchema.parse(JSON.parse(late.value!.toString()));
    expect(Number(late.timestamp)).toBeGreaterThan(Date.parse(envelope.enqueueBy!));
  }
  expect(await stack.eventsOf(rejectedId)).toEqual([]);
  const { rows: admitted } = await stack.db.query('SELECT 1 FROM gpt_api.admissions WHERE request_id = $1', [rejectedId]);
  expect(admitted).toHaveLength(0);
  const streamed = await Promise.all(streams);
  process.stdout.write(
    `[measure] broker down ${Math.round(restartedAt - stoppedAt)} ms; a request while it was down refused ` +
      `(503) in ${Math.round(refusedMs)} ms (${late ? 'appended late, dropped' : 'never appended'}); all ${count} requests final ` +
      `${Math.round(finalAt - restartedAt)} ms after the broker was back; outcomes: ` +
      `${[...states.values()].join(', ')}; SSE streams that saw their final event: ` +
      `${streamed.filter((events) => events.some(isFinalEvent)).length}/${count}\n`,
  );
});
