import { ENVELOPE_VERSION, ErrorCode, type ResponseEvent } from '@shoshizan/shared-interfaces';
import { DomainException } from '@shoshizan/service-kit';
import { afterSeqOf, nativeSse } from './sse';

const request = { requestId: '0b5ad8b4-6e53-4a8a-9d86-2f1f5a1b3c4d', conversationId: '6f1c2a9e-1b7d-4c5e-8f3a-2d4b6c8e0f12', userId: 'u1' };
const base = { version: ENVELOPE_VERSION, kind: 'chat.response', ...request, at: '2026-01-01T00:00:00.000Z' } as const;
const token = (seq: number): ResponseEvent => ({ ...base, seq, type: 'token', text: `t${seq}` });
const done: ResponseEvent = {
  ...base,
  seq: 3,
  type: 'done',
  model: 'gemma3:270m',
  usage: { promptTokens: 1, completionTokens: 2, totalTokens: 3 },
  finishReason: 'stop',
  durationMs: 5,
};

/** The SSE blocks a text holds, each as its fields. */
const blocks = (sse: string) =>
  sse
    .split('\n\n')
    .filter(Boolean)
    .map((block) => Object.fromEntries(block.split('\n').map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)])));

describe('the native stream', () => {
  it('writes each event with its seq as id and its type as event, and nothing after a final event', () => {
    const sse = nativeSse(request);
    expect(blocks(sse.format([token(1), token(2)]))).toEqual([
      { id: '1', event: 'token', data: JSON.stringify(token(1)) },
      { id: '2', event: 'token', data: JSON.stringify(token(2)) },
    ]);
    expect(sse.end(done)).toBe('');
  });

  it('ends a stream cut before its final event with an error event that is none of the request’s: no id, the last seq sent', () => {
    const sse = nativeSse(request);
    sse.format([token(0), token(1)]);
    const [cut] = blocks(sse.end(undefined));
    expect(cut).toEqual({ event: 'error', data: expect.any(String) });
    expect(JSON.parse(cut!.data!)).toEqual({
      ...base,
      at: expect.any(String),
      seq: 1,
      type: 'error',
      code: ErrorCode.UpstreamUnavailable,
      message: expect.stringContaining(`GET /v1/chat/${request.requestId}/events`),
      retriable: true,
    });
  });

  it('says a resumed stream was cut after where it started, when nothing came', () => {
    const cut = blocks(nativeSse(request, { afterSeq: 5, status: 'running' }).end(undefined))[0]!;
    expect(JSON.parse(cut.data!)).toMatchObject({ seq: 5, type: 'error' });
  });

  it.each(['done', 'error', 'cancelled', 'rejected'] as const)(
    'ends a resumed stream of a request already %s with nothing: the client has every event there is',
    (status) => {
      expect(nativeSse(request, { afterSeq: 3, status }).end(undefined)).toBe('');
    },
  );
});

describe('where a resumed stream starts', () => {
  it('is after the seq the client names, or from the start', () => {
    expect(afterSeqOf(undefined, 'Last-Event-ID')).toBe(-1);
    expect(afterSeqOf(' ', 'Last-Event-ID')).toBe(-1);
    expect(afterSeqOf('-1', 'after')).toBe(-1);
    expect(afterSeqOf('17', 'after')).toBe(17);
  });

  it.each(['x', '1.5', '-2', '1234567890'])('refuses %j, naming where it came from', (value) => {
    expect(() => afterSeqOf(value, 'Last-Event-ID')).toThrow(DomainException);
    try {
      afterSeqOf(value, 'Last-Event-ID');
    } catch (error) {
      expect((error as DomainException).options.issues).toEqual([{ path: 'Last-Event-ID', message: 'must be a whole number, -1 or more' }]);
    }
  });
});
