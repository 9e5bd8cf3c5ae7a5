import { parseWith } from '../validation';
import { isFinalEvent, responseEventSchema } from './response-event';
import { cancellationEnvelopeSchema } from './cancellation';
import { topicName, TOPICS, consumerGroup } from './topics';

const base = {
  version: 1,
  kind: 'chat.response',
  requestId: '0b5ad8b4-6e53-4a8a-9d86-2f1f5a1b3c4d',
  conversationId: '6f1c2a9e-1b7d-4c5e-8f3a-2d4b6c8e0f12',
  userId: 'user-1',
  at: '2026-01-01T00:00:00.000Z',
};

const valid: Record<string, Record<string, unknown>> = {
  queued: { seq: 0, type: 'queued' },
  started: { seq: 1, type: 'started', model: 'gemma3:270m' },
  resumed: { seq: 5, type: 'resumed', attempt: 2, afterSeq: 4 },
  retrying: { seq: 2, type: 'retrying', retry: 1, delayMs: 5000, code: 'upstream_unavailable', message: 'down' },
  token: { seq: 2, type: 'token', text: 'Hel' },
  done: {
    seq: 3,
    type: 'done',
    model: 'gemma3:270m',
    usage: { promptTokens: 10, completionTokens: 2, totalTokens: 12 },
    finishReason: 'stop',
    durationMs: 120.5,
  },
  error: { seq: 1, type: 'error', code: 'model_not_found', message: 'no such model', retriable: false },
  cancelled: { seq: 4, type: 'cancelled', reason: 'user pressed stop' },
};

describe('response events', () => {
  it.each(Object.keys(valid))('accepts a valid %s event', (type) => {
    expect(parseWith(responseEventSchema, { ...base, ...valid[type] }).ok).toBe(true);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['a negative seq', { ...valid.token, seq: -1 }, 'seq'],
    ['an unknown type', { seq: 1, type: 'thinking' }, 'type'],
    ['a token without text', { seq: 2, type: 'token' }, 'text'],
    ['done without usage', { ...valid.done, usage: undefined }, 'usage'],
    ['negative token counts', { ...valid.done, usage: { promptTokens: -1, completionTokens: 0, totalTokens: 0 } }, 'usage.promptTokens'],
    ['an unknown finish reason', { ...valid.done, finishReason: 'tired' }, 'finishReason'],
    ['an unknown error code', { ...valid.error, code: 'oops' }, 'code'],
    ['an error without retriable', { ...valid.error, retriable: undefined }, 'retriable'],
    ['a resume that claims to be the first attempt', { ...valid.resumed, attempt: 1 }, 'attempt'],
    ['a retry numbered 0', { ...valid.retrying, retry: 0 }, 'retry'],
    ['a retry without a code', { ...valid.retrying, code: undefined }, 'code'],
    ['a resume without afterSeq', { ...valid.resumed, afterSeq: undefined }, 'afterSeq'],
    ['a trace id in capitals', { ...valid.done, traceId: '4BF92F3577B34DA6A3CE929D0E0E4736' }, 'traceId'],
    ['an all-zero trace id', { ...valid.started, traceId: '0'.repeat(32) }, 'traceId'],
    ['a whole traceparent as trace id', { ...valid.error, traceId: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' }, 'traceId'],
  ])('rejects %s and names the field', (_label, change, path) => {
    const result = parseWith(responseEventSchema, { ...base, ...change });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((i) => i.path)).toContain(path);
  });

  it('carries the trace id a client quotes', () => {
    const event = responseEventSchema.parse({ ...base, ...valid.done, traceId: '4bf92f3577b34da6a3ce929d0e0e4736' });
    expect(event.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
  });

  it('knows which events end a stream', () => {
    const types = Object.keys(valid).filter((type) =>
      isFinalEvent(responseEventSchema.parse({ ...base, ...valid[type] })),
    );
    expect(types.sort()).toEqual(['cancelled', 'done', 'error']);
  });
});

describe('cancellation envelope', () => {
  it('fills a default reason', () => {
    const parsed = cancellationEnvelopeSchema.parse({
      version: 1,
      kind: 'chat.cancel',
      requestId: base.requestId,
      userId: 'user-1',
      at: base.at,
    });
    expect(parsed.reason).toBe('cancelled by the user');
  });

  it('rejects a missing request id', () => {
    expect(cancellationEnvelopeSchema.safeParse({ version: 1, kind: 'chat.cancel', userId: 'u', at: base.at }).success).toBe(
      false,
    );
  });
});

describe('topics', () => {
  it('prefixes names and group ids', () => {
    expect(topicName('requests')).toBe(TOPICS.requests.name);
    expect(topicName('requests', 'test-1.')).toBe(`test-1.${TOPICS.requests.name}`);
    expect(consumerGroup('chatWorkers', 'p.')).toBe('p.shoshizan.chat-workers');
  });

  it('gives every topic a distinct name and at least one partition', () => {
    const names = Object.values(TOPICS).map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
    for (const topic of Object.values(TOPICS)) expect(topic.partitions).toBeGreaterThan(0);
  });
});
