import { describe, expect, it, vi } from 'vitest';
import { ApiError, NetworkError, type ErrorCode, type ResponseEvent } from '@/api/client';
import { newAnswer, type AnswerState } from './answer';
import { QUEUE_POLL_MS, followAnswer, reconnectDelay, type FollowDeps, type FollowEnd } from './follow-answer';

const REQUEST = '0b5ad8b4-6e53-4a8a-9d86-2f1f5a1b3c4d';
const base = {
  version: 1 as const,
  kind: 'chat.response' as const,
  requestId: REQUEST,
  conversationId: '6f1c2a9e-1b7d-4c5e-8f3a-2d4b6c8e0f12',
  userId: 'u',
  at: '2026-01-01T00:00:00.000Z',
};
const ev = {
  queued: (seq: number): ResponseEvent => ({ ...base, seq, type: 'queued' }),
  started: (seq: number): ResponseEvent => ({ ...base, seq, type: 'started', model: 'gemma3:270m' }),
  token: (seq: number, text: string): ResponseEvent => ({ ...base, seq, type: 'token', text }),
  done: (seq: number): ResponseEvent => ({
    ...base,
    seq,
    type: 'done',
    model: 'gemma3:270m',
    usage: { promptTokens: 1, completionTokens: 2, totalTokens: 3 },
    finishReason: 'stop',
    durationMs: 5,
  }),
  error: (seq: number, code: ErrorCode, message: string): ResponseEvent => ({ ...base, seq, type: 'error', code, message, retriable: true }),
  cancelled: (seq: number, reason: string): ResponseEvent => ({ ...base, seq, type: 'cancelled', reason }),
};
/** queued, started, "Hel", "lo", done. */
const whole = [ev.queued(0), ev.started(1), ev.token(2, 'Hel'), ev.token(3, 'lo'), ev.done(4)];

/** What one opening of the stream does: give events, maybe wait to be let go, then end or fail. */
interface Opening {
  events: ResponseEvent[];
  /** Holds the stream open after `events` until released (or aborted), then gives `then`. */
  hold?: Promise<void>;
  then?: ResponseEvent[];
  fail?: Error;
}

/** A gateway that plays one opening per call to `events`, and says the request is 1st in line. */
function fakeApi(openings: Opening[]) {
  /** The Last-Event-ID of every opening, in order. */
  const opened: (number | undefined)[] = [];
  return {
    opened,
    chatRequest: vi.fn(async () => ({ queuePosition: 1, estimatedWaitSeconds: 5 })),
    async *events(_id: string, lastEventId: number | undefined, signal: AbortSignal): AsyncGenerator<ResponseEvent> {
      opened.push(lastEventId);
      const opening = openings.shift();
      if (!opening) throw new Error('the stream was opened more often than the test expected');
      // Like the gateway: what is stored after Last-Event-ID, then what comes live.
      for (const event of opening.events) if (event.seq > (lastEventId ?? -1)) yield event;
      if (opening.hold) {
        await Promise.race([opening.hold, new Promise((resolve) => signal.addEventListener('abort', resolve))]);
        if (signal.aborted) throw new DOMException('aborted', 'AbortError');
      }
      for (const event of opening.then ?? []) yield event;
      if (opening.fail) throw opening.fail;
    },
  };
}

/** A clock that moves only when the test says: every wait asked for is noted and ends on `pass`. */
function fakeClock() {
  let now = 0;
  const waits: { at: number; end: () => void }[] = [];
  /** Every delay asked for, ms, in order. */
  const slept: number[] = [];
  const sleep = (ms: number, signal: AbortSignal) =>
    new Promise<void>((resolve) => {
      slept.push(ms);
      const wait = { at: now + ms, end: resolve };
      waits.push(wait);
      signal.addEventListener('abort', () => {
        waits.splice(waits.indexOf(wait), 1);
        resolve();
      });
    });
  /** Lets `ms` pass: the waits due end in time order, each one's consequences run before the next. */
  async function pass(ms: number): Promise<void> {
    const until = now + ms;
    await settle();
    for (;;) {
      const next = waits.filter((w) => w.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      waits.splice(waits.indexOf(next), 1);
      now = next.at;
      next.end();
      await settle();
    }
    now = until;
  }
  return { sleep, slept, pass };
}

/** Lets every promise chain that can move, move (the fakes never wait on a real timer). */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

/** Starts following; `end` is how it ended, once it has. */
function follow(answer: AnswerState, openings: Opening[], random = () => 0) {
  const api = fakeApi(openings);
  const clock = fakeClock();
  const controller = new AbortController();
  const deps: FollowDeps = { api, sleep: clock.sleep, random };
  const result: { end: FollowEnd | undefined } = { end: undefined };
  void followAnswer(answer, deps, controller.signal).then((end) => (result.end = end));
  return { api, clock, controller, result };
}

describe('following an answer', () => {
  it('reads the stream to the final event, once, and asks for nothing else', async () => {
    const answer = newAnswer(REQUEST, { status: 'streaming' });
    const { api, clock, result } = follow(answer, [{ events: whole }]);
    await clock.pass(0);
    expect(result.end).toBe('final');
    expect(answer).toMatchObject({ status: 'done', text: 'Hello', lastSeq: 4, usage: { promptTokens: 1, completionTokens: 2 } });
    expect(api.opened).toEqual([undefined]);
    expect(clock.slept).toEqual([]);
    expect(api.chatRequest).not.toHaveBeenCalled();
  });

  it('opens a lost stream again after the last event it applied, waiting longer (with jitter) each failure', async () => {
    const answer = newAnswer(REQUEST, { status: 'streaming' });
    const offline = new NetworkError(new TypeError('network'));
    const { api, clock, result } = follow(answer, [
      { events: whole.slice(0, 3), fail: offline },
      { events: [], fail: offline },
      { events: whole },
    ]);
    await clock.pass(0);
    expect(answer).toMatchObject({ status: 'streaming', text: 'Hel', reconnecting: true });
    // random() = 0: the lowest jitter, 0.8 of each delay.
    expect(clock.slept).toEqual([0.8 * reconnectDelay(0)]);
    await clock.pass(0.8 * reconnectDelay(0));
    expect(api.opened).toEqual([undefined, 2]);
    expect(clock.slept).toEqual([0.8 * reconnectDelay(0), 0.8 * reconnectDelay(1)]);
    expect(reconnectDelay(1)).toBeGreaterThan(reconnectDelay(0));
    await clock.pass(0.8 * reconnectDelay(1));
    expect(api.opened).toEqual([undefined, 2, 2]);
    expect(result.end).toBe('final');
    expect(answer).toMatchObject({ status: 'done', text: 'Hello', reconnecting: false });
  });

  it('opens a stream that ended early again soon, and waits longer while it keeps bringing nothing', async () => {
    const answer = newAnswer(REQUEST, { status: 'streaming' });
    const { api, clock, result } = follow(answer, [{ events: whole.slice(0, 2) }, { events: [] }, { events: [] }, { events: whole }]);
    await clock.pass(60_000);
    expect(api.opened).toEqual([undefined, 1, 1, 1]);
    // No jitter here: the gateway ended the stream itself, nothing was lost.
    expect(clock.slept).toEqual([reconnectDelay(0), reconnectDelay(0), reconnectDelay(1)]);
    expect(result.end).toBe('final');
    expect(answer.reconnecting).toBe(false);
  });

  it('reads again after the last event it applied when events are missing (a gap)', async () => {
    const answer = newAnswer(REQUEST, { status: 'streaming' });
    // The stream goes on after the gap; reading on would only bring more events it cannot apply.
    const { api, clock, result } = follow(answer, [
      { events: [ev.queued(0), ev.started(1), ev.token(3, 'lo')], hold: new Promise(() => undefined) },
      { events: whole },
    ]);
    await clock.pass(reconnectDelay(0));
    expect(api.opened).toEqual([undefined, 1]);
    expect(result.end).toBe('final');
    expect(answer.text).toBe('Hello');
  });

  it('while queued, asks for its place every so often until the model starts, then only streams', async () => {
    // Just posted: the gateway said where it is in line, so the first ask waits a turn.
    const answer = newAnswer(REQUEST, { queuePosition: 2, estimatedWaitSeconds: 10 });
    let start!: () => void;
    const { api, clock, result } = follow(answer, [
      { events: [ev.queued(0)], hold: new Promise((resolve) => (start = resolve)), then: whole.slice(1) },
    ]);
    await clock.pass(QUEUE_POLL_MS - 1);
    expect(api.chatRequest).not.toHaveBeenCalled();
    expect(answer).toMatchObject({ status: 'queued', queuePosition: 2, estimatedWaitSeconds: 10 });
    await clock.pass(1);
    expect(api.chatRequest).toHaveBeenCalledTimes(1);
    expect(answer).toMatchObject({ status: 'queued', queuePosition: 1, estimatedWaitSeconds: 5 });
    await clock.pass(QUEUE_POLL_MS);
    expect(api.chatRequest).toHaveBeenCalledTimes(2);
    start();
    await clock.pass(10 * QUEUE_POLL_MS);
    expect(api.chatRequest).toHaveBeenCalledTimes(2);
    expect(result.end).toBe('final');
    expect(answer).toMatchObject({ status: 'done', text: 'Hello', queuePosition: null });
  });

  it('after a reload, asks for a queued answer’s place at once', async () => {
    const answer = newAnswer(REQUEST);
    const { api, clock } = follow(answer, [{ events: [ev.queued(0)], hold: new Promise(() => undefined) }]);
    await clock.pass(0);
    expect(api.chatRequest).toHaveBeenCalledTimes(1);
    expect(answer.queuePosition).toBe(1);
  });

  it('stops when told: the stream is not opened again and the place is not asked for', async () => {
    const answer = newAnswer(REQUEST);
    const { api, clock, controller, result } = follow(answer, [{ events: [ev.queued(0)], hold: new Promise(() => undefined) }]);
    await clock.pass(0);
    controller.abort();
    await clock.pass(60_000);
    expect(result.end).toBe('stopped');
    expect(api.opened).toEqual([undefined]);
    expect(api.chatRequest).toHaveBeenCalledTimes(1);
    expect(answer).toMatchObject({ status: 'queued', reconnecting: false });
  });

  it('ignores a place in the queue that arrives after the model started', async () => {
    const answer = newAnswer(REQUEST, { queuePosition: 2, estimatedWaitSeconds: 10 });
    let start!: () => void;
    const { api, clock } = follow(answer, [
      { events: [ev.queued(0)], hold: new Promise((resolve) => (start = resolve)), then: [ev.started(1)] },
    ]);
    let answerPlace!: () => void;
    api.chatRequest.mockImplementationOnce(
      () => new Promise((resolve) => (answerPlace = () => resolve({ queuePosition: 4, estimatedWaitSeconds: 40 }))),
    );
    await clock.pass(QUEUE_POLL_MS);
    expect(api.chatRequest).toHaveBeenCalledTimes(1);
    start();
    await clock.pass(0);
    expect(answer.status).toBe('streaming');
    answerPlace();
    await clock.pass(0);
    expect(answer).toMatchObject({ queuePosition: null, estimatedWaitSeconds: null });
  });

  it.each([
    [
      'an error event ends it failed, with the reason',
      ev.error(2, 'upstream_unavailable', 'gave up after 3 retries'),
      { status: 'error', error: { code: 'upstream_unavailable', message: 'gave up after 3 retries' } },
    ],
    [
      'a cancelled event (Stop) ends it cancelled, with what came before',
      ev.cancelled(2, 'cancelled by the user'),
      { status: 'cancelled', cancelReason: 'cancelled by the user', stopping: false },
    ],
  ])('%s, and the stream is not opened again', async (_, last, expected) => {
    const answer = newAnswer(REQUEST, { status: 'streaming', stopping: true });
    const { api, clock, result } = follow(answer, [{ events: [ev.queued(0), ev.started(1), last] }]);
    await clock.pass(60_000);
    expect(result.end).toBe('final');
    expect(answer).toMatchObject(expected);
    expect(api.opened).toEqual([undefined]);
    expect(clock.slept).toEqual([]);
  });

  it('marks an answer the gateway no longer has (404) failed, and stops', async () => {
    const answer = newAnswer(REQUEST, { status: 'streaming' });
    const { api, clock, result } = follow(answer, [{ events: [], fail: new ApiError(404, 'not_found', 'No such request.', undefined, undefined) }]);
    await clock.pass(60_000);
    expect(result.end).toBe('gone');
    expect(answer).toMatchObject({ status: 'error', reconnecting: false, error: { code: 'not_found', message: 'This answer is no longer available.' } });
    expect(api.opened).toHaveLength(1);
  });

  it('stops quietly, the answer as it was, when the session has ended (401)', async () => {
    const answer = newAnswer(REQUEST, { status: 'streaming' });
    const { api, clock, result } = follow(answer, [
      { events: [], fail: new ApiError(401, 'unauthenticated', 'Sign in again.', undefined, undefined) },
    ]);
    await clock.pass(60_000);
    expect(result.end).toBe('signed-out');
    expect(answer).toMatchObject({ status: 'streaming', reconnecting: false, error: null });
    expect(api.opened).toHaveLength(1);
  });
});
