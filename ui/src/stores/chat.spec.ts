import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError, NetworkError, type ApiClient, type ConversationWithMessages, type Message, type ResponseEvent } from '@/api/client';
import { setApiClient } from '@/api/app-client';
import { problemText } from '@/lib/errors';
import { useChatStore } from './chat';

const CONVERSATION = '6f1c2a9e-1b7d-4c5e-8f3a-2d4b6c8e0f12';
const REQUEST = '0b5ad8b4-6e53-4a8a-9d86-2f1f5a1b3c4d';
const base = { version: 1 as const, kind: 'chat.response' as const, requestId: REQUEST, conversationId: CONVERSATION, userId: 'u', at: '2026-01-01T00:00:00.000Z' };
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
};

const message = (fields: Partial<Message>): Message => ({
  id: crypto.randomUUID(),
  role: 'user',
  content: '',
  toolCalls: null,
  toolCallId: null,
  model: null,
  requestId: null,
  status: 'done',
  errorCode: null,
  errorMessage: null,
  usage: null,
  durationMs: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  finishedAt: null,
  ...fields,
});

function conversation(messages: Message[], id = CONVERSATION): ConversationWithMessages {
  return { id, title: 'Sky', model: null, createdAt: base.at, updatedAt: base.at, messages };
}

const posted = () => ({
  requestId: REQUEST,
  messageId: 'a0000000-0000-4000-8000-000000000001',
  queuePosition: 2,
  estimatedWaitSeconds: 10,
  eventsUrl: `/v1/chat/${REQUEST}/events`,
});

/** A stream script: events to give, then maybe a failure, or a wait until released. */
interface Script {
  events: ResponseEvent[];
  fail?: Error;
  hold?: Promise<void>;
}

function fakeApi(scripts: Script[], conversations: Record<string, ConversationWithMessages>) {
  const eventsCalls: (number | undefined)[] = [];
  const api = {
    getConversation: vi.fn(async (id: string) => structuredClone(conversations[id]!)),
    postMessage: vi.fn(async (id: string, body: { content: string }) => {
      // What the gateway keeps: the message, and the answer to come.
      conversations[id]!.messages.push(
        message({ role: 'user', content: body.content }),
        message({ id: 'a0000000-0000-4000-8000-000000000001', role: 'assistant', requestId: REQUEST, status: 'pending' }),
      );
      return posted();
    }),
    chatRequest: vi.fn(async () => ({ queuePosition: 1, estimatedWaitSeconds: 5 })),
    cancel: vi.fn(async () => ({ requestId: REQUEST })),
    events: vi.fn(async function* (_id: string, lastEventId: number | undefined, signal: AbortSignal) {
      eventsCalls.push(lastEventId);
      const script = scripts.shift();
      if (!script) return;
      for (const event of script.events) if (event.seq > (lastEventId ?? -1)) yield event;
      if (script.hold) {
        await Promise.race([script.hold, new Promise((resolve) => signal.addEventListener('abort', resolve))]);
      }
      if (script.fail) throw script.fail;
    }),
  };
  setApiClient(api as unknown as ApiClient);
  return { api, eventsCalls };
}

const flush = () => vi.advanceTimersByTimeAsync(0);

describe('the chat store', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    setActivePinia(createPinia());
  });
  afterEach(() => {
    useChatStore().reset();
    vi.useRealTimers();
  });

  it('sends a message and streams the answer into it, queued first with its place in line', async () => {
    let release!: () => void;
    const { api } = fakeApi(
      [{ events: [ev.queued(0)], hold: new Promise((r) => (release = r)) }, { events: [ev.queued(0), ev.started(1), ev.token(2, 'Blue'), ev.token(3, ' light.'), ev.done(4)] }],
      { [CONVERSATION]: conversation([]) },
    );
    const chat = useChatStore();
    await chat.open(CONVERSATION);
    expect(await chat.send('Why is the sky blue?', 'gemma3:270m')).toBe(true);
    expect(api.postMessage).toHaveBeenCalledWith(CONVERSATION, { content: 'Why is the sky blue?', model: 'gemma3:270m' });
    await flush();
    expect(chat.messages.map((m) => [m.role, m.status])).toEqual([
      ['user', 'done'],
      ['assistant', 'queued'],
    ]);
    expect(chat.messages[1]!.answer).toMatchObject({ queuePosition: 2, estimatedWaitSeconds: 10 });
    expect(chat.answering).toBe(true);
    // While it waits, its place is asked for again.
    await vi.advanceTimersByTimeAsync(2600);
    expect(chat.messages[1]!.answer).toMatchObject({ queuePosition: 1, estimatedWaitSeconds: 5 });
    release();
    await vi.advanceTimersByTimeAsync(1000);
    expect(chat.messages[1]).toMatchObject({ status: 'done', text: 'Blue light.' });
    expect(chat.answering).toBe(false);
  });

  it('reconnects after the network drops, from the last event it has, without doubling text', async () => {
    const { eventsCalls } = fakeApi(
      [
        { events: [ev.queued(0), ev.started(1), ev.token(2, 'Hel')], fail: new NetworkError(new TypeError('network')) },
        { events: [], fail: new NetworkError(new TypeError('still offline')) },
        { events: [ev.queued(0), ev.started(1), ev.token(2, 'Hel'), ev.token(3, 'lo'), ev.done(4)] },
      ],
      { [CONVERSATION]: conversation([message({ role: 'user', content: 'Hi' }), message({ role: 'assistant', requestId: REQUEST, status: 'running' })]) },
    );
    const chat = useChatStore();
    await chat.open(CONVERSATION);
    await flush();
    expect(chat.messages[1]).toMatchObject({ status: 'streaming', text: 'Hel' });
    expect(chat.messages[1]!.answer?.reconnecting).toBe(true);
    await vi.advanceTimersByTimeAsync(5000);
    expect(eventsCalls).toEqual([undefined, 2, 2]);
    expect(chat.messages[1]).toMatchObject({ status: 'done', text: 'Hello' });
    expect(chat.messages[1]!.answer?.reconnecting).toBe(false);
  });

  it('after a reload, rebuilds an answer still coming from its events, from the start', async () => {
    const { eventsCalls } = fakeApi(
      [{ events: [ev.queued(0), ev.started(1), ev.token(2, 'Rayleigh'), ev.token(3, ' scattering'), ev.done(4)] }],
      {
        [CONVERSATION]: conversation([
          message({ role: 'user', content: 'Why?' }),
          // What the gateway has while it answers: no content yet.
          message({ role: 'assistant', requestId: REQUEST, status: 'running', content: '' }),
        ]),
      },
    );
    const chat = useChatStore();
    await chat.open(CONVERSATION);
    await vi.advanceTimersByTimeAsync(10);
    expect(eventsCalls).toEqual([undefined]);
    expect(chat.messages[1]).toMatchObject({ status: 'done', text: 'Rayleigh scattering' });
  });

  it('keeps an answer streaming while another chat is open, and shows it on coming back', async () => {
    const OTHER = '7f1c2a9e-1b7d-4c5e-8f3a-2d4b6c8e0f13';
    let release!: () => void;
    const { eventsCalls } = fakeApi(
      [{ events: [ev.queued(0), ev.started(1), ev.token(2, 'One'), ev.token(3, ' two')], hold: new Promise((r) => (release = r)) }],
      {
        [CONVERSATION]: conversation([message({ role: 'user', content: 'Count' }), message({ role: 'assistant', requestId: REQUEST, status: 'running' })]),
        [OTHER]: conversation([message({ role: 'user', content: 'Other' })], OTHER),
      },
    );
    const chat = useChatStore();
    await chat.open(CONVERSATION);
    await flush();
    expect(chat.messages[1]!.text).toBe('One two');
    await chat.open(OTHER);
    expect(chat.messages.map((m) => m.text)).toEqual(['Other']);
    await chat.open(CONVERSATION);
    await flush();
    expect(chat.messages[1]).toMatchObject({ status: 'streaming', text: 'One two' });
    expect(eventsCalls).toEqual([undefined]); // the same stream went on: not opened again
    release();
    await flush();
  });

  it('stops an answer through the gateway, which ends it with cancelled', async () => {
    let release!: () => void;
    const { api } = fakeApi(
      [{ events: [ev.queued(0), ev.started(1), ev.token(2, 'Long')], hold: new Promise((r) => (release = r)) }, { events: [{ ...base, seq: 3, type: 'cancelled', reason: 'cancelled by the user' }] }],
      { [CONVERSATION]: conversation([message({ role: 'user', content: 'Go' }), message({ role: 'assistant', requestId: REQUEST, status: 'running' })]) },
    );
    const chat = useChatStore();
    await chat.open(CONVERSATION);
    await flush();
    expect(chat.activeAnswer?.requestId).toBe(REQUEST);
    await chat.stop();
    expect(api.cancel).toHaveBeenCalledWith(REQUEST);
    expect(chat.activeAnswer?.stopping).toBe(true);
    release();
    await vi.advanceTimersByTimeAsync(1000);
    expect(chat.messages[1]).toMatchObject({ status: 'cancelled', text: 'Long' });
    expect(chat.answering).toBe(false);
  });
  it('regenerates the last answer and edits the last question, each posting to its route and following the new answer', async () => {
    const stored = { [CONVERSATION]: conversation([message({ role: 'user', content: 'Hi' }), message({ role: 'assistant', content: 'Hello', requestId: 'r0' })]) };
    const { api } = fakeApi([{ events: [ev.queued(0), ev.started(1), ev.token(2, 'Again'), ev.done(3)] }, { events: [ev.queued(0), ev.started(1)] }], stored);
    // What the gateway keeps: the new answer in the last one's place.
    const regenerate = vi.fn(async () => {
      stored[CONVERSATION].messages.splice(1, 1, message({ id: posted().messageId, role: 'assistant', requestId: REQUEST, status: 'pending' }));
      return posted();
    });
    const editLastMessage = vi.fn(async () => ({ ...posted(), requestId: '1b5ad8b4-6e53-4a8a-9d86-2f1f5a1b3c4e', messageId: 'a0000000-0000-4000-8000-000000000002' }));
    Object.assign(api, { regenerate, editLastMessage });
    const chat = useChatStore();
    await chat.open(CONVERSATION);

    expect(await chat.regenerate('gemma3:270m')).toBe(true);
    expect(regenerate).toHaveBeenCalledWith(CONVERSATION, { model: 'gemma3:270m' });
    expect(chat.conversation?.model).toBe('gemma3:270m');
    await vi.advanceTimersByTimeAsync(10);
    expect(chat.messages.map((m) => [m.role, m.status, m.text])).toEqual([
      ['user', 'done', 'Hi'],
      ['assistant', 'done', 'Again'],
    ]);

    expect(await chat.editLast('Hi there', null)).toBe(true);
    expect(editLastMessage).toHaveBeenCalledWith(CONVERSATION, { content: 'Hi there' });
    expect(chat.messages.map((m) => [m.role, m.text])).toEqual([
      ['user', 'Hi there'],
      ['assistant', ''],
    ]);
    expect(chat.answering).toBe(true);
  });

  it('shows a refused message at its failed answer, with when to try again', async () => {
    const { api } = fakeApi([], { [CONVERSATION]: conversation([]) });
    // The gateway keeps the message and fails its answer, then answers 429 (read back below).
    api.postMessage.mockImplementation(async () => Promise.reject(new ApiError(429, 'rate_limited', 'Over your request rate.', 30, undefined)));
    api.getConversation.mockImplementationOnce(async () => conversation([]));
    api.getConversation.mockImplementationOnce(async () =>
      conversation([
        message({ role: 'user', content: 'Hi' }),
        message({ id: 'b0000000-0000-4000-8000-000000000002', role: 'assistant', requestId: REQUEST, status: 'error', errorCode: 'rate_limited' }),
      ]),
    );
    const chat = useChatStore();
    await chat.open(CONVERSATION);
    expect(await chat.send('Hi', null)).toBe(false);
    expect(chat.actionError).toBeNull();
    expect(chat.refusal).toEqual({
      messageId: 'b0000000-0000-4000-8000-000000000002',
      problem: { code: 'rate_limited', retryAt: new Date(Date.now() + 30_000), text: 'You are sending requests too quickly.' },
    });
    expect(problemText(chat.refusal!.problem)).toBe('You are sending requests too quickly. Try again in 30 s.');
    expect(chat.messages.map((m) => [m.role, m.status])).toEqual([
      ['user', 'done'],
      ['assistant', 'error'],
    ]);
  });

  it('says plainly when the server cannot be reached to send', async () => {
    const { api } = fakeApi([], { [CONVERSATION]: conversation([]) });
    api.postMessage.mockImplementation(async () => Promise.reject(new NetworkError(new TypeError('Failed to fetch'))));
    const chat = useChatStore();
    await chat.open(CONVERSATION);
    expect(await chat.send('Hi', null)).toBe(false);
    expect(chat.actionError?.text).toBe('Cannot reach the server. Check your connection and try again.');
    expect(chat.refusal).toBeNull();
  });
  it('backs off when a stream keeps ending with nothing new, instead of asking in a loop', async () => {
    const { eventsCalls } = fakeApi(
      [{ events: [] }, { events: [] }, { events: [] }, { events: [] }, { events: [ev.queued(0), ev.started(1), ev.token(2, 'ok'), ev.done(3)] }],
      { [CONVERSATION]: conversation([message({ role: 'user', content: 'Hi' }), message({ role: 'assistant', requestId: REQUEST, status: 'running' })]) },
    );
    const chat = useChatStore();
    await chat.open(CONVERSATION);
    await vi.advanceTimersByTimeAsync(1000);
    expect(eventsCalls.length).toBeLessThanOrEqual(2);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(eventsCalls).toHaveLength(5);
    expect(chat.messages[1]).toMatchObject({ status: 'done', text: 'ok' });
  });
});
