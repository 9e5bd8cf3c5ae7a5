import { randomUUID } from 'node:crypto';
import { Stack, collect, textOf } from './support/stack';
import { infra, stopService } from './support/system';

/** Conversations kept with their messages, answered through the real pipeline. */
jest.setTimeout(240_000);

const stack = new Stack();
beforeAll(() => stack.start(), 600_000);
afterAll(async () => {
  expect(await stack.stop()).toEqual({ gateway: 0, 'kafka-consumer': 0, 'kafka-producer': 0, 'gpt-api': 0 });
}, 120_000);

const alice = () => stack.token({}, { subject: 'alice' });
const bob = () => stack.token({}, { subject: 'bob' });

async function call(method: string, path: string, token: string, body?: unknown): Promise<Response> {
  return fetch(`${stack.gateway}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

interface Posted {
  requestId: string;
  messageId: string;
  queuePosition: number;
  eventsUrl: string;
}
interface Message {
  id: string;
  role: string;
  content: string;
  status: string;
  requestId: string | null;
  usage: { promptTokens: number; completionTokens: number } | null;
}

/** Follows a 202 answer's events to the end; returns the streamed text. */
async function answerOf(posted: Posted): Promise<string> {
  const events = await collect(await call('GET', posted.eventsUrl, alice()));
  expect(events.at(-1)?.type).toBe('done');
  return textOf(events);
}

describe('conversations', () => {
  it('are created, listed newest first a page at a time, renamed and deleted', async () => {
    const ids: string[] = [];
    for (const title of ['first', 'second', 'third']) {
      const created = await call('POST', '/v1/conversations', alice(), { title });
      expect(created.status).toBe(201);
      ids.push(((await created.json()) as { id: string }).id);
    }
    const page1 = (await (await call('GET', '/v1/conversations?limit=2', alice())).json()) as {
      items: { id: string; title: string }[];
      nextCursor: string | null;
    };
    expect(page1.items.map((c) => c.title)).toEqual(['third', 'second']);
    const page2 = (await (await call('GET', `/v1/conversations?limit=2&cursor=${page1.nextCursor}`, alice())).json()) as {
      items: { title: string }[];
    };
    expect(page2.items.map((c) => c.title)).toEqual(['first']);
    expect((await call('GET', '/v1/conversations?cursor=garbage', alice())).status).toBe(400);

    const renamed = await call('PATCH', `/v1/conversations/${ids[0]}`, alice(), { title: 'renamed' });
    expect(((await renamed.json()) as { title: string }).title).toBe('renamed');
    expect((await call('DELETE', `/v1/conversations/${ids[1]}`, alice())).status).toBe(204);
    expect((await call('GET', `/v1/conversations/${ids[1]}`, alice())).status).toBe(404);
    const after = (await (await call('GET', '/v1/conversations', alice())).json()) as { items: { title: string }[] };
    expect(after.items.map((c) => c.title)).toEqual(['renamed', 'third']);
    // Searched by title, case-insensitive, the text taken literally.
    const titles = async (q: string) =>
      ((await (await call('GET', `/v1/conversations?q=${encodeURIComponent(q)}`, alice())).json()) as {
        items: { title: string }[];
      }).items.map((c) => c.title);
    expect(await titles('NAME')).toEqual(['renamed']);
    expect(await titles('%')).toEqual([]);
  });

  it('a message gets 202 with the request id and queue position; the answer fills the conversation in', async () => {
    const { id } = (await (await call('POST', '/v1/conversations', alice(), {})).json()) as { id: string };
    const response = await call('POST', `/v1/conversations/${id}/messages`, alice(), {
      content: 'Name a fruit.',
      model: infra.model,
      options: { maxTokens: 12 },
    });
    expect(response.status).toBe(202);
    const posted = (await response.json()) as Posted;
    expect(posted.queuePosition).toBeGreaterThanOrEqual(0);
    expect(posted.eventsUrl).toBe(`/v1/chat/${posted.requestId}/events`);
    const text = await answerOf(posted);

    const conversation = (await (await call('GET', `/v1/conversations/${id}`, alice())).json()) as {
      model: string | null;
      messages: Message[];
    };
    // The model picked is remembered as the conversation's.
    expect(conversation.model).toBe(infra.model);
    expect(conversation.messages.map((m) => [m.role, m.status])).toEqual([
      ['user', 'done'],
      ['assistant', 'done'],
    ]);
    const answer = conversation.messages[1]!;
    expect(answer).toMatchObject({ id: posted.messageId, requestId: posted.requestId, content: text });
    expect(answer.usage?.completionTokens).toBeGreaterThan(0);

    // A second turn sends the history along: the prompt grows.
    const second = (await (
      await call('POST', `/v1/conversations/${id}/messages`, alice(), { content: 'And another?', options: { maxTokens: 8 } })
    ).json()) as Posted;
    await answerOf(second);
    const grown = (await (await call('GET', `/v1/conversations/${id}`, alice())).json()) as { messages: Message[] };
    expect(grown.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
    expect(grown.messages[3]!.usage!.promptTokens).toBeGreaterThan(answer.usage!.promptTokens);
  });

  it('regenerates the last answer and edits-and-resends the last message', async () => {
    const { id } = (await (await call('POST', '/v1/conversations', alice(), {})).json()) as { id: string };
    const first = (await (
      await call('POST', `/v1/conversations/${id}/messages`, alice(), { content: 'Say hi.', options: { maxTokens: 6 } })
    ).json()) as Posted;
    await answerOf(first);

    const regenerated = await call('POST', `/v1/conversations/${id}/regenerate`, alice(), { options: { maxTokens: 6 } });
    expect(regenerated.status).toBe(202);
    const again = (await regenerated.json()) as Posted;
    expect(again.requestId).not.toBe(first.requestId);
    await answerOf(again);
    let messages = ((await (await call('GET', `/v1/conversations/${id}`, alice())).json()) as { messages: Message[] })
      .messages;
    expect(messages.map((m) => m.role)).toEqual(['user', 'assistant']);
    expect(messages[1]!.requestId).toBe(again.requestId);

    const edited = await call('PUT', `/v1/conversations/${id}/messages/last`, alice(), {
      content: 'Say bye.',
      options: { maxTokens: 6 },
    });
    expect(edited.status).toBe(202);
    await answerOf((await edited.json()) as Posted);
    messages = ((await (await call('GET', `/v1/conversations/${id}`, alice())).json()) as { messages: Message[] }).messages;
    expect(messages.map((m) => [m.role, m.status])).toEqual([
      ['user', 'done'],
      ['assistant', 'done'],
    ]);
    expect(messages[0]!.content).toBe('Say bye.');
  });

  it("never lets one user read or act on another's conversation, route by route", async () => {
    const { id } = (await (await call('POST', '/v1/conversations', alice(), { title: 'private' })).json()) as {
      id: string;
    };
    const posted = (await (
      await call('POST', `/v1/conversations/${id}/messages`, alice(), { content: 'Secret?', options: { maxTokens: 4 } })
    ).json()) as Posted;
    await answerOf(posted);

    const attempts: [string, string, unknown?][] = [
      ['GET', `/v1/conversations/${id}`],
      ['PATCH', `/v1/conversations/${id}`, { title: 'mine now' }],
      ['DELETE', `/v1/conversations/${id}`],
      ['POST', `/v1/conversations/${id}/messages`, { content: 'hi' }],
      ['PUT', `/v1/conversations/${id}/messages/last`, { content: 'hi' }],
      ['POST', `/v1/conversations/${id}/regenerate`, {}],
      ['GET', `/v1/chat/${posted.requestId}`],
      ['GET', `/v1/chat/${posted.requestId}/events`],
      ['POST', `/v1/chat/${posted.requestId}/cancel`, {}],
    ];
    for (const [method, path, body] of attempts) {
      const response = await call(method, path, bob(), body);
      expect({ method, path, status: response.status }).toEqual({ method, path, status: 404 });
    }
    const bobs = (await (await call('GET', '/v1/conversations', bob())).json()) as { items: unknown[] };
    expect(bobs.items).toEqual([]);
    // And it is all still there for its owner.
    const mine = (await (await call('GET', `/v1/conversations/${id}`, alice())).json()) as { title: string; messages: unknown[] };
    expect(mine).toMatchObject({ title: 'private' });
    expect(mine.messages).toHaveLength(2);
  });

  it('POST /v1/chat queues nothing under a conversation id another user holds (404, as the routes above)', async () => {
    const chat = (conversationId: string, token: string) =>
      stack.chat({ conversationId, messages: [{ role: 'user', content: 'Say OK.' }], options: { maxTokens: 4 } }, token);
    const { id } = (await (await call('POST', '/v1/conversations', alice(), { title: 'hers' })).json()) as { id: string };
    // An id alice picked herself for /v1/chat, with no conversation behind it, is hers too.
    const picked = randomUUID();
    const first = await chat(picked, alice());
    expect(first.status).toBe(200);
    expect((await collect(first)).at(-1)?.type).toBe('done');

    const before = await stack.requestsTopicSize();
    for (const conversationId of [id, picked]) {
      const refused = await chat(conversationId, bob());
      expect(refused.status).toBe(404);
      expect(await refused.json()).toMatchObject({ code: 'not_found', detail: `No conversation ${conversationId}.` });
    }
    expect(await stack.requestsTopicSize()).toBe(before);

    // Its owner goes on using it; a deleted conversation is gone for its owner too.
    const again = await chat(picked, alice());
    expect(again.status).toBe(200);
    await collect(again);
    expect((await call('DELETE', `/v1/conversations/${id}`, alice())).status).toBe(204);
    expect((await chat(id, alice())).status).toBe(404);
    // An id nobody has used is still anyone's to take.
    const fresh = await chat(randomUUID(), bob());
    expect(fresh.status).toBe(200);
    await collect(fresh);
  });

  it("prunes stored events of requests finished long ago, keeping the conversation's text", async () => {
    const { id } = (await (await call('POST', '/v1/conversations', alice(), {})).json()) as { id: string };
    const old = (await (
      await call('POST', `/v1/conversations/${id}/messages`, alice(), { content: 'Say hi.', options: { maxTokens: 4 } })
    ).json()) as Posted;
    const oldText = await answerOf(old);
    const recent = (await (
      await call('POST', `/v1/conversations/${id}/messages`, alice(), { content: 'Say bye.', options: { maxTokens: 4 } })
    ).json()) as Posted;
    await answerOf(recent);
    // The first request finished "30 days ago"; a gateway starting now prunes its events.
    await stack.db.query(
      `UPDATE gateway.chat_requests SET finished_at = now() - interval '30 days' WHERE request_id = $1`,
      [old.requestId],
    );
    expect(await stopService(stack.service('gateway'))).toBe(0);
    await stack.startService('gateway', 'gateway-2');
    const count = async (requestId: string) =>
      Number(
        (
          await stack.db.query<{ n: string }>('SELECT count(*) AS n FROM gateway.response_events WHERE request_id = $1', [
            requestId,
          ])
        ).rows[0]!.n,
      );
    expect(await count(old.requestId)).toBe(0);
    expect(await count(recent.requestId)).toBeGreaterThan(0);
    const conversation = (await (await call('GET', `/v1/conversations/${id}`, alice())).json()) as { messages: Message[] };
    expect(conversation.messages[1]!.content).toBe(oldText);
  });
  it('tells the chat UI what it shows: the default model, each service\'s health, a place in the queue, an error in words', async () => {
    // The default model is marked among the models.
    const models = (await (await call('GET', '/v1/models', alice())).json()) as { data: { id: string; default: boolean }[] };
    expect(models.data.filter((m) => m.default).map((m) => m.id)).toEqual([infra.model]);

    // Every service, with what it depends on.
    const status = (await (await call('GET', '/v1/status', alice())).json()) as {
      state: string;
      services: { name: string; state: string; dependencies: { name: string; state: string }[] }[];
    };
    expect(status.services.map((s) => [s.name, s.state])).toEqual([
      ['gateway', 'up'],
      ['kafka-producer', 'up'],
      ['kafka-consumer', 'up'],
      ['gpt-api', 'up'],
    ]);
    expect(status.state).toBe('up');
    expect(status.services[0]!.dependencies.map((d) => d.name)).toEqual(['postgres', 'kafka', 'responses-stream']);
    expect((await fetch(`${stack.gateway}/v1/status`)).status).toBe(401);

    // A browser on another origin may read Retry-After (the UI says when to try again).
    const cors = await fetch(`${stack.gateway}/v1/models`, {
      headers: { authorization: `Bearer ${alice()}`, origin: 'http://localhost:5173' },
    });
    expect(cors.headers.get('access-control-expose-headers')).toContain('retry-after');

    // A refused request leaves its answer failed, with the reason in words.
    const { id } = (await (await call('POST', '/v1/conversations', alice(), {})).json()) as { id: string };
    const refused = await call('POST', `/v1/conversations/${id}/messages`, alice(), { content: 'hi', model: 'no-such-model:1b' });
    expect(refused.status).toBe(404);
    const failed = (await (await call('GET', `/v1/conversations/${id}`, alice())).json()) as {
      messages: (Message & { errorCode: string | null; errorMessage: string | null })[];
    };
    expect(failed.messages[1]).toMatchObject({ status: 'error', errorCode: 'model_not_found' });
    expect(failed.messages[1]!.errorMessage).toContain("Model 'no-such-model:1b' is not available");

    // With no worker running, a request waits: its place in the queue is told, and after
    // one answered request there is an estimate; once answered it has no place any more.
    const warmUp = await stack.chat({ messages: [{ role: 'user', content: 'Hi.' }], options: { maxTokens: 4 } }, alice());
    expect((await collect(warmUp)).at(-1)?.type).toBe('done');
    const consumer = stack.service('kafka-consumer');
    expect(await stopService(consumer)).toBe(0);
    try {
      const ahead = await stack.chat({ conversationId: id, messages: [{ role: 'user', content: 'Hi.' }], options: { maxTokens: 4 } }, alice());
      expect(ahead.status).toBe(200);
      await ahead.body?.cancel();
      const posted = (await (
        await call('POST', `/v1/conversations/${id}/regenerate`, alice(), { model: infra.model, options: { maxTokens: 4 } })
      ).json()) as Posted & { estimatedWaitSeconds: number | null };
      expect(posted.queuePosition).toBe(1);
      const waiting = (await (await call('GET', `/v1/chat/${posted.requestId}`, alice())).json()) as {
        status: string;
        queuePosition: number | null;
        estimatedWaitSeconds: number | null;
      };
      expect(waiting).toMatchObject({ status: 'queued', queuePosition: 1 });
      expect(waiting.estimatedWaitSeconds).toBeGreaterThan(0);
      expect(posted.estimatedWaitSeconds).toBe(waiting.estimatedWaitSeconds);
    } finally {
      await stack.startService('kafka-consumer', 'kafka-consumer-2');
    }
    const conversation = (await (await call('GET', `/v1/conversations/${id}`, alice())).json()) as { messages: Message[] };
    const answer = conversation.messages[1]!;
    await answerOf({ requestId: answer.requestId!, eventsUrl: `/v1/chat/${answer.requestId}/events` } as Posted);
    const after = (await (await call('GET', `/v1/chat/${answer.requestId}`, alice())).json()) as {
      status: string;
      queuePosition: number | null;
    };
    expect(after).toMatchObject({ status: 'done', queuePosition: null });
  });
});
