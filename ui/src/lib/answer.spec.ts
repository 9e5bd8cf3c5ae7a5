import { describe, expect, it } from 'vitest';
import type { ResponseEvent } from '@/api/client';
import { applyEvent, newAnswer } from './answer';

const base = {
  version: 1 as const,
  kind: 'chat.response' as const,
  requestId: '0b5ad8b4-6e53-4a8a-9d86-2f1f5a1b3c4d',
  conversationId: '6f1c2a9e-1b7d-4c5e-8f3a-2d4b6c8e0f12',
  userId: 'u',
  at: '2026-01-01T00:00:00.000Z',
};
const queued = (seq = 0): ResponseEvent => ({ ...base, seq, type: 'queued' });
const started = (seq = 1): ResponseEvent => ({ ...base, seq, type: 'started', model: 'gemma3:270m' });
const token = (seq: number, text: string): ResponseEvent => ({ ...base, seq, type: 'token', text });
const done = (seq: number): ResponseEvent => ({
  ...base,
  seq,
  type: 'done',
  model: 'gemma3:270m',
  usage: { promptTokens: 3, completionTokens: 2, totalTokens: 5 },
  finishReason: 'stop',
  durationMs: 12,
});

/** The answer of a stream: queued, started, "Hel", "lo", done. */
const stream = [queued(), started(), token(2, 'Hel'), token(3, 'lo'), done(4)];

describe('an answer rebuilt from its events', () => {
  it('keeps the tools the answer called, once each however often the stream is read', () => {
    const call: ResponseEvent = { ...base, seq: 2, type: 'tool_call', index: 0, id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' };
    const answer = newAnswer(base.requestId);
    for (const event of [queued(), started(), call, call, done(3)]) applyEvent(answer, event);
    expect(answer.toolCalls).toEqual([{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' }]);
    expect(answer.status).toBe('done');
  });

  it('keeps the trace id the events carry, for the person to quote', () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const answer = newAnswer(base.requestId);
    applyEvent(answer, queued());
    expect(answer.traceId).toBeNull();
    applyEvent(answer, { ...started(), traceId });
    applyEvent(answer, token(2, 'Hel'));
    expect(answer.traceId).toBe(traceId);
  });

  it('assembles the text in seq order and ends done with the usage', () => {
    const answer = newAnswer(base.requestId);
    for (const event of stream) expect(applyEvent(answer, event)).toBe('applied');
    expect(answer).toMatchObject({ text: 'Hello', status: 'done', lastSeq: 4, model: 'gemma3:270m' });
    expect(answer.usage).toEqual({ promptTokens: 3, completionTokens: 2 });
  });

  it('goes from queued to streaming when the model starts', () => {
    const answer = newAnswer(base.requestId, { queuePosition: 2 });
    applyEvent(answer, queued());
    expect(answer.status).toBe('queued');
    applyEvent(answer, started());
    expect(answer).toMatchObject({ status: 'streaming', queuePosition: null });
  });

  it('never doubles text when a stream is read again from the start (a reload) or overlaps a resume', () => {
    const answer = newAnswer(base.requestId);
    for (const event of stream.slice(0, 3)) applyEvent(answer, event);
    expect(answer.text).toBe('Hel');
    // A second read from the start, then the rest: the repeats are recognised by seq.
    const results = stream.map((event) => applyEvent(answer, event));
    expect(results).toEqual(['duplicate', 'duplicate', 'duplicate', 'applied', 'applied']);
    expect(answer.text).toBe('Hello');
  });

  it('reports a gap instead of applying an event that skips ahead', () => {
    const answer = newAnswer(base.requestId);
    applyEvent(answer, queued());
    applyEvent(answer, started());
    expect(applyEvent(answer, token(3, 'lo'))).toBe('gap');
    expect(answer).toMatchObject({ text: '', lastSeq: 1 });
  });

  it('continues the same text after a resumed event (another worker took over)', () => {
    const answer = newAnswer(base.requestId);
    for (const event of stream.slice(0, 3)) applyEvent(answer, event);
    applyEvent(answer, { ...base, seq: 3, type: 'resumed', attempt: 2, afterSeq: 2 });
    applyEvent(answer, token(4, 'lo'));
    expect(answer).toMatchObject({ text: 'Hello', resumed: true, status: 'streaming' });
  });

  it('keeps the reason of an error or a cancel, and shows a retry while it waits', () => {
    const failed = newAnswer(base.requestId);
    applyEvent(failed, queued());
    applyEvent(failed, { ...base, seq: 1, type: 'retrying', retry: 1, delayMs: 5000, code: 'upstream_unavailable', message: 'Ollama is down' });
    expect(failed.retrying).toEqual({ retry: 1, delayMs: 5000, message: 'Ollama is down' });
    applyEvent(failed, { ...base, seq: 2, type: 'error', code: 'upstream_unavailable', message: 'gave up after 3 retries', retriable: true });
    expect(failed).toMatchObject({ status: 'error', retrying: null, error: { code: 'upstream_unavailable', message: 'gave up after 3 retries' } });

    const cancelled = newAnswer(base.requestId, { stopping: true });
    applyEvent(cancelled, queued());
    applyEvent(cancelled, { ...base, seq: 1, type: 'cancelled', reason: 'cancelled by the user' });
    expect(cancelled).toMatchObject({ status: 'cancelled', stopping: false, cancelReason: 'cancelled by the user' });
    // Nothing after a final event changes it.
    applyEvent(cancelled, token(2, 'late'));
    expect(cancelled.text).toBe('');
  });
});
