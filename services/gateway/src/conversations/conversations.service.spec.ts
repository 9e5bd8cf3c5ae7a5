import { Test, type TestingModule } from '@nestjs/testing';
import { DomainException } from '@shoshizan/service-kit';
import { ErrorCode, type ChatBody, type Conversation, type Message } from '@shoshizan/shared-interfaces';
import type { AuthenticatedUser } from '../auth/authenticated-user';
import { storedMessage } from '../../../../test/unit/support/stored-message';
import { ChatService, type AcceptedChat } from '../chat/chat.service';
import { EventSubscription } from '../chat/event-subscription';
import type { TailChange } from './answer-placement';
import { ConversationsRepository, type PendingAnswer, type PlacedAnswer } from './conversations.repository';
import { ConversationsService } from './conversations.service';

/*
 * ConversationsService's decisions, with its repository and the chat pipeline replaced by
 * in-memory fakes, given to the service by Nest's testing module under the class tokens
 * ConversationsModule resolves them by.
 */

/** A fake of the public members a test needs; the class's private fields make a cast necessary. */
const fake = <T>(members: Partial<T>): T => members as unknown as T;

const ALICE: AuthenticatedUser = { userId: 'alice', roles: ['user'] };
const ID = '6f1c2a9e-1b7d-4c5e-8f3a-2d4b6c8e0f12';

const message = (id: string, role: Message['role'], content: string, status: Message['status'] = 'done'): Message =>
  storedMessage({ id, role, content, status, requestId: role === 'assistant' ? `r-${id}` : null });

const conversation = (model: string | null = null): Conversation => ({
  id: ID,
  title: 'Weather',
  model,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
});

const modules: TestingModule[] = [];
afterEach(async () => {
  await Promise.all(modules.splice(0).map((module) => module.close()));
});

async function buildConversationsService(ports: {
  repository: ConversationsRepository;
  chat: ChatService;
}): Promise<ConversationsService> {
  const module = await Test.createTestingModule({
    providers: [
      ConversationsService,
      { provide: ConversationsRepository, useValue: ports.repository },
      { provide: ChatService, useValue: ports.chat },
    ],
  }).compile();
  modules.push(module);
  return module.get(ConversationsService);
}

interface Scene {
  /** The conversation's model; null: gpt-api's default. */
  model?: string | null;
  messages?: Message[];
  /** What the conversation holds after the change (the repository re-reads it). */
  after?: Message[];
  /** Why the chat pipeline refuses the request, if it does. */
  refuse?: Error;
}

async function setUp(scene: Scene = {}) {
  const messages = scene.messages ?? [message('u1', 'user', 'Weather in Oslo?'), message('a1', 'assistant', 'Cold.')];
  const placements: { answer: PendingAnswer; change: TailChange }[] = [];
  const failed: { requestId: string; refusal: { code: string; message: string } }[] = [];
  const repository = fake<ConversationsRepository>({
    find: async (userId, id) => (userId === 'alice' && id === ID ? conversation(scene.model ?? null) : undefined),
    placeAnswer: async (_id, answer, decide): Promise<PlacedAnswer> => {
      const change = decide(messages); // throws, as under the lock, when it refuses
      placements.push({ answer, change });
      return { messageId: 'm-answer', before: messages, after: scene.after ?? messages };
    },
    failPending: async (requestId, refusal) => {
      failed.push({ requestId, refusal });
    },
  });
  const sent: { body: ChatBody; requestId: string | undefined }[] = [];
  const subscription = new EventSubscription();
  const chat = fake<ChatService>({
    accept: async (_user, body, requestId): Promise<AcceptedChat> => {
      if (scene.refuse) throw scene.refuse;
      sent.push({ body, requestId });
      return {
        requestId: requestId!,
        conversationId: ID,
        enqueued: { requestId: requestId!, topic: 'requests', partition: 0, offset: '7' },
        events: subscription,
      };
    },
    queuePosition: async () => 2,
    estimateWaitSeconds: async (position) => position * 4,
  });
  return { service: await buildConversationsService({ repository, chat }), placements, failed, sent, subscription };
}

const codeOf = async (promise: Promise<unknown>) =>
  promise.then(
    () => 'resolved',
    (error: unknown) => (error instanceof DomainException ? error.code : error),
  );

describe('ConversationsService: asking for an answer', () => {
  it('adds the user message, places a pending answer after it and sends the conversation so far', async () => {
    const after = [
      message('u1', 'user', 'Weather in Oslo?'),
      message('a1', 'assistant', 'Cold.'),
      message('u2', 'user', 'And tomorrow?'),
    ];
    const { service, placements, sent, subscription } = await setUp({ after });
    const posted = await service.post(ALICE, ID, { content: 'And tomorrow?', options: { temperature: 0 } });

    expect(placements).toHaveLength(1);
    const { answer, change } = placements[0]!;
    expect(change).toEqual({ kind: 'append', at: 2, messages: [{ role: 'user', content: 'And tomorrow?' }], answerAt: 3 });
    // The pending answer and the request share one id.
    expect(sent).toEqual([
      {
        requestId: answer.requestId,
        body: {
          conversationId: ID,
          messages: [
            { role: 'user', content: 'Weather in Oslo?' },
            { role: 'assistant', content: 'Cold.' },
            { role: 'user', content: 'And tomorrow?' },
          ],
          options: { temperature: 0 },
          timeoutSeconds: 300,
        },
      },
    ]);
    expect(posted).toEqual({
      requestId: answer.requestId,
      messageId: 'm-answer',
      queuePosition: 2,
      estimatedWaitSeconds: 8,
      eventsUrl: `/v1/chat/${answer.requestId}/events`,
    });
    // The answer is read from its events route, not from this subscription.
    expect(subscription.closedSignal.aborted).toBe(true);
  });

  it('sends only the answers that finished well', async () => {
    const after = [
      message('u1', 'user', 'Weather in Oslo?'),
      message('a1', 'assistant', 'half an', 'error'),
      message('u2', 'user', 'Again?'),
    ];
    const { service, sent } = await setUp({ after });
    await service.post(ALICE, ID, { content: 'Again?', options: {} });
    expect(sent[0]!.body.messages).toEqual([
      { role: 'user', content: 'Weather in Oslo?' },
      { role: 'user', content: 'Again?' },
    ]);
  });

  it("answers with the conversation's model when the body names none, and remembers none", async () => {
    const { service, placements, sent } = await setUp({ model: 'qwen3:0.6b' });
    await service.post(ALICE, ID, { content: 'Hi', options: {} });
    expect(placements[0]!.answer).toEqual({ requestId: expect.any(String), model: 'qwen3:0.6b', rememberModel: undefined });
    expect(sent[0]!.body.model).toBe('qwen3:0.6b');
  });

  it('remembers a model the body names as the conversation’s, over the one it had', async () => {
    const { service, placements, sent } = await setUp({ model: 'qwen3:0.6b' });
    await service.post(ALICE, ID, { content: 'Hi', model: 'gemma3:270m', options: {} });
    expect(placements[0]!.answer).toMatchObject({ model: 'gemma3:270m', rememberModel: 'gemma3:270m' });
    expect(sent[0]!.body.model).toBe('gemma3:270m');
  });

  it('leaves the model to gpt-api when neither the body nor the conversation names one', async () => {
    const { service, placements, sent } = await setUp();
    await service.post(ALICE, ID, { content: 'Hi', options: {} });
    expect(placements[0]!.answer.model).toBeUndefined();
    expect(sent[0]!.body).not.toHaveProperty('model');
  });

  it.each(['pending', 'running'] as const)('refuses while an answer is %s, placing and sending nothing', async (status) => {
    const messages = [message('u1', 'user', 'Hi'), message('a1', 'assistant', '', status)];
    for (const ask of [
      (s: ConversationsService) => s.post(ALICE, ID, { content: 'More', options: {} }),
      (s: ConversationsService) => s.regenerate(ALICE, ID, { options: {} }),
      (s: ConversationsService) => s.editLast(ALICE, ID, { content: 'Edited', options: {} }),
    ]) {
      const { service, placements, sent } = await setUp({ messages });
      expect(await codeOf(ask(service))).toBe(ErrorCode.Conflict);
      expect({ placements, sent }).toEqual({ placements: [], sent: [] });
    }
  });

  it('regenerates by replacing the last answer in its place', async () => {
    const { service, placements } = await setUp();
    await service.regenerate(ALICE, ID, { options: {} });
    expect(placements[0]!.change).toEqual({ kind: 'removeAnswer', messageId: 'a1', answerAt: 1 });
  });

  it('edits the last user message and answers right after it', async () => {
    const { service, placements } = await setUp();
    await service.editLast(ALICE, ID, { content: 'Weather in Bergen?', options: {} });
    expect(placements[0]!.change).toEqual({
      kind: 'editLast',
      messageId: 'u1',
      content: 'Weather in Bergen?',
      removeAfter: 0,
      answerAt: 1,
    });
  });

  it('marks the pending answer failed with the refusal, and passes the refusal on', async () => {
    const refusal = new DomainException(ErrorCode.RateLimited, 'Too many requests a minute.');
    const { service, placements, failed } = await setUp({ refuse: refusal });
    await expect(service.post(ALICE, ID, { content: 'Hi', options: {} })).rejects.toBe(refusal);
    expect(failed).toEqual([
      { requestId: placements[0]!.answer.requestId, refusal: { code: ErrorCode.RateLimited, message: 'Too many requests a minute.' } },
    ]);
  });

  it("answers another user's conversation as a missing one, placing nothing", async () => {
    const { service, placements } = await setUp();
    expect(await codeOf(service.post({ userId: 'bob', roles: [] }, ID, { content: 'Hi', options: {} }))).toBe(ErrorCode.NotFound);
    expect(placements).toEqual([]);
  });
});

describe('ConversationsService.list (pages)', () => {
  const page = (n: number): Conversation[] =>
    Array.from({ length: n }, (_, i) => ({ ...conversation(), id: `00000000-0000-4000-8000-00000000000${i}` }));

  async function listing(items: Conversation[]) {
    const asked: unknown[] = [];
    const repository = fake<ConversationsRepository>({
      list: async (userId, limit, before, search) => {
        asked.push({ userId, limit, before, search });
        return items;
      },
    });
    return { service: await buildConversationsService({ repository, chat: fake<ChatService>({}) }), asked };
  }

  it('gives a cursor only when the page is full, and the cursor leads on from its last item', async () => {
    const full = await listing(page(2));
    const { nextCursor } = await full.service.list(ALICE, 2);
    expect(nextCursor).not.toBeNull();
    await full.service.list(ALICE, 2, nextCursor!);
    expect(full.asked[1]).toEqual({
      userId: 'alice',
      limit: 2,
      before: { updatedAt: '2026-01-01T00:00:00.000Z', id: '00000000-0000-4000-8000-000000000001' },
      search: undefined,
    });
    expect((await (await listing(page(1))).service.list(ALICE, 2)).nextCursor).toBeNull();
  });

  it('refuses a cursor it did not give out', async () => {
    expect(await codeOf((await listing([])).service.list(ALICE, 2, 'bm90IGEgY3Vyc29y'))).toBe(ErrorCode.ValidationFailed);
  });
});
