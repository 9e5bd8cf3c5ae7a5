import { partitionForKey } from '@shoshizan/service-kit';
import { TOPICS, consumerGroup, isFinalEvent, topicName, type ResponseEvent } from '@shoshizan/shared-interfaces';
import { randomUUID } from 'node:crypto';
import { Stack, metricSamples } from './support/stack';
import { OwnOllama, freePort, scrape, stopService, type RunningService } from './support/system';

/**
 * Many generations at once from one worker (ParallelConsumer), against the real Kafka,
 * PostgreSQL and Ollama: one conversation's requests in order, different conversations at
 * once, a slow answer not holding a fast one on its partition, and a crash or a rebalance
 * with many requests in flight answering each once.
 */
jest.setTimeout(480_000);

// Ollama with four slots and the capacity to match, as local mode's CAPACITY would set it;
// the worker takes more in than Ollama runs, so 20 can be in flight at once (the rest of
// them wait in gpt-api, in order).
let ollama: OwnOllama;
const stack = new Stack({
  'kafka-consumer': { KAFKA_SESSION_TIMEOUT_MS: '6000', WORKER_MAX_IN_FLIGHT: '24' },
  'gpt-api': { OLLAMA_MAX_CONCURRENCY: '4' },
});
const extraWorkers: RunningService[] = [];

beforeAll(async () => {
  ollama = new OwnOllama(await freePort(), 4);
  await ollama.start(`${stack.runId}-ollama`);
  stack.setEnv('gpt-api', { OLLAMA_HOST: ollama.url });
  await stack.start();
}, 600_000);
afterAll(async () => {
  for (const worker of extraWorkers) await stopService(worker);
  await stack.stop();
  await ollama.stop();
}, 120_000);

const PARTITIONS = TOPICS.requests.partitions;
const requestsTopic = () => topicName('requests', stack.prefix);

/**
 * A request with a short answer (temperature 0, so the run is repeatable). The deadline is
 * generous: these tests are about order and once-only, not speed, and a busy shared machine
 * must not turn a slow answer into an `expired` one.
 */
const ask = (conversationId: string, maxTokens: number, content = 'Name a colour.') => ({
  conversationId,
  messages: [{ role: 'user', content }],
  options: { maxTokens, temperature: 0, stop: [] },
  deadline: new Date(Date.now() + 600_000).toISOString(),
});

/**
 * One answer as the responses topic has it: every seq exactly once from 0 (`queued` is
 * kafka-producer's; here the test wrote the request, so the worker's events start at 1),
 * one final event, last, and it is `done`.
 */
function expectAnsweredOnce(events: readonly ResponseEvent[]): void {
  const seqs = events.map((e) => e.seq);
  expect(seqs).toEqual(seqs.map((_, i) => (seqs[0] ?? 1) + i)); // no seq twice, none missing
  expect(events.filter(isFinalEvent)).toHaveLength(1);
  expect(events.at(-1)?.type).toBe('done');
  expect(events.filter((e) => e.type === 'started')).toHaveLength(1);
  // A resumed answer goes on right after the last event before it.
  events.forEach((e, i) => {
    if (e.type === 'resumed') expect(e.afterSeq).toBe(events[i - 1]?.seq ?? 0);
  });
}

async function inFlight(worker: RunningService): Promise<number> {
  return metricSamples(await scrape(worker), 'kafka_consumer_inflight_requests')[0]?.value ?? 0;
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('a crowd', () => {
  it('answers 32 conversations at once, each in order: a second message starts only after the first is final', async () => {
    const conversations = Array.from({ length: 32 }, () => randomUUID());
    // Both messages of each conversation at once, so only the worker's key order keeps them apart.
    const ids = await stack.writeRequests(conversations.flatMap((c) => [ask(c, 6), ask(c, 6, 'Name a fruit.')]));
    const answers = await stack.allFinal(ids, 300_000);
    for (let i = 0; i < conversations.length; i++) {
      const first = answers.get(ids[2 * i]!)!;
      const second = answers.get(ids[2 * i + 1]!)!;
      expectAnsweredOnce(first);
      expectAnsweredOnce(second);
      const firstFinal = Date.parse(first.find(isFinalEvent)!.at);
      expect(Date.parse(second[0]!.at)).toBeGreaterThanOrEqual(firstFinal);
    }
    // Different conversations ran at once: some first answers began before others ended.
    const spans = conversations.map((_, i) => {
      const events = answers.get(ids[2 * i]!)!;
      return [Date.parse(events[0]!.at), Date.parse(events.at(-1)!.at)] as const;
    });
    const concurrent = spans.filter(([start], i) => spans.some(([s, end], j) => j !== i && s <= start && start < end)).length;
    expect(concurrent).toBeGreaterThan(8);
  });

  it('a slow request on a partition does not delay a fast one on the same partition', async () => {
    const slow = randomUUID();
    let fast = randomUUID();
    while (partitionForKey(requestsTopic(), fast, PARTITIONS) !== partitionForKey(requestsTopic(), slow, PARTITIONS)) fast = randomUUID();
    const [slowId, fastId] = await stack.writeRequests([
      ask(slow, 240, 'Write a long story about a lighthouse keeper and the sea.'),
      ask(fast, 4),
    ]);
    const answers = await stack.allFinal([slowId!, fastId!], 300_000);
    const slowEvents = answers.get(slowId!)!;
    const fastEvents = answers.get(fastId!)!;
    expectAnsweredOnce(slowEvents);
    expectAnsweredOnce(fastEvents);
    const at = (events: ResponseEvent[], type: string) => Date.parse(events.find((e) => e.type === type)!.at);
    // The slow answer had started and was still going when the fast one was done.
    expect(at(slowEvents, 'started')).toBeLessThanOrEqual(at(fastEvents, 'done'));
    expect(at(fastEvents, 'done')).toBeLessThan(at(slowEvents, 'done'));
    expect(slowEvents.filter((e) => e.type === 'token').length).toBeGreaterThan(50);
  });

  it('kill -9 of a worker with 20 requests in flight: another answers all 20 once, no token doubled', async () => {
    const worker = stack.service('kafka-consumer');
    const ids = await stack.writeRequests(Array.from({ length: 20 }, () => ask(randomUUID(), 48, 'Describe the sea.')));
    await waitFor('20 requests in flight', async () => (await inFlight(worker)) >= 20);
    worker.process.kill('SIGKILL');
    await stack.startService('kafka-consumer', 'kafka-consumer-after-kill');
    const answers = await stack.allFinal(ids, 300_000);
    let resumed = 0;
    for (const id of ids) {
      const events = answers.get(id)!;
      expectAnsweredOnce(events);
      resumed += events.some((e) => e.type === 'resumed') ? 1 : 0;
    }
    // Every one was in flight at the kill, so every one was delivered again and resumed.
    expect(resumed).toBe(20);
  });

  it('a second worker joins mid-flight (a rebalance): nothing doubled, nothing lost', async () => {
    const first = stack.service('kafka-consumer');
    const ids = await stack.writeRequests(Array.from({ length: 16 }, () => ask(randomUUID(), 48, 'Describe a forest.')));
    await waitFor('requests in flight', async () => (await inFlight(first)) >= 8);
    const second = await (async () => {
      const before = stack.services['kafka-consumer'];
      const joined = await stack.startService('kafka-consumer', 'kafka-consumer-joined');
      stack.services['kafka-consumer'] = before; // the stack stops its own; the joined one is ours
      return joined;
    })();
    extraWorkers.push(second);
    const answers = await stack.allFinal(ids, 300_000);
    for (const id of ids) expectAnsweredOnce(answers.get(id)!);
    // Both workers own partitions now: the group rebalanced while answers were running.
    await waitFor('the joined worker to hold partitions', async () => {
      const groups = await stack.admin.describeGroups([consumerGroup('chatWorkers', stack.prefix)]);
      return (groups.groups[0]?.members.length ?? 0) === 2;
    });
  });
});
