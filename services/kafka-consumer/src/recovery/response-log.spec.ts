import type { ResponseEvent } from '@shoshizan/shared-interfaces';
import { summarise } from './response-log';

const base = {
  version: 1,
  kind: 'chat.response',
  requestId: '0b5ad8b4-6e53-4a8a-9d86-2f1f5a1b3c4d',
  conversationId: '6f1c2a9e-1b7d-4c5e-8f3a-2d4b6c8e0f12',
  userId: 'u',
  at: '2026-01-01T00:00:00.000Z',
} as const;
const queued = { ...base, seq: 0, type: 'queued' } as const satisfies ResponseEvent;
const started = { ...base, seq: 1, type: 'started', model: 'm' } as const satisfies ResponseEvent;
const token = (seq: number, text: string): ResponseEvent => ({ ...base, seq, type: 'token', text });

describe('summarise (what a resumed attempt starts from)', () => {
  it('is empty when nothing but the request was written', () => {
    expect(summarise([])).toEqual({ lastSeq: 0, started: false, text: '', tokens: 0, toolCalls: [] });
    expect(summarise([queued])).toEqual({ lastSeq: 0, started: false, text: '', tokens: 0, toolCalls: [] });
  });

  it('joins the tokens in seq order, whatever order they were read in', () => {
    expect(summarise([token(3, ' world'), queued, token(2, 'Hello'), started])).toEqual({
      lastSeq: 3,
      started: true,
      model: 'm',
      text: 'Hello world',
      tokens: 2,
      toolCalls: [],
    });
  });

  it('collects the tool calls in seq order, once each, apart from the text', () => {
    const call = (seq: number, index: number, id: string): ResponseEvent => ({
      ...base,
      seq,
      type: 'tool_call',
      index,
      id,
      name: 'get_weather',
      arguments: `{"city":"${id}"}`,
    });
    expect(
      summarise([queued, started, token(2, 'Let me look.'), call(4, 1, 'b'), call(3, 0, 'a'), call(3, 0, 'a')]),
    ).toEqual({
      lastSeq: 4,
      started: true,
      model: 'm',
      text: 'Let me look.',
      tokens: 1,
      toolCalls: [
        { id: 'a', name: 'get_weather', arguments: '{"city":"a"}' },
        { id: 'b', name: 'get_weather', arguments: '{"city":"b"}' },
      ],
    });
  });

  it('counts an event seen twice once', () => {
    expect(summarise([queued, started, token(2, 'a'), token(2, 'a'), token(3, 'b')])).toMatchObject({
      text: 'ab',
      tokens: 2,
      lastSeq: 3,
    });
  });

  it('carries on across an earlier resume', () => {
    const resumed: ResponseEvent = { ...base, seq: 3, type: 'resumed', attempt: 2, afterSeq: 2 };
    expect(summarise([queued, started, token(2, 'a'), resumed, token(4, 'b')])).toMatchObject({
      text: 'ab',
      lastSeq: 4,
    });
  });

  it('reports a final event, so the request is not answered again', () => {
    const done: ResponseEvent = {
      ...base,
      seq: 3,
      type: 'done',
      model: 'm',
      usage: { promptTokens: 1, completionTokens: 1, totalTokens: 2 },
      finishReason: 'stop',
      durationMs: 1,
    };
    expect(summarise([queued, started, token(2, 'a'), done]).final).toEqual(done);
  });
});
