import OpenAI from 'openai';
import { Stack } from './support/stack';
import { infra } from './support/system';

/**
 * The OpenAI-compatible API, driven by OpenAI's own npm SDK as the client: what a user's
 * existing code does, unchanged but for the base URL and the key.
 */
jest.setTimeout(240_000);

const stack = new Stack();
let client: OpenAI;

beforeAll(async () => {
  await stack.start();
  client = new OpenAI({ apiKey: stack.token(), baseURL: `${stack.gateway}/v1`, maxRetries: 0 });
}, 600_000);

afterAll(async () => {
  expect(await stack.stop()).toEqual({ gateway: 0, 'kafka-consumer': 0, 'kafka-producer': 0, 'gpt-api': 0 });
}, 120_000);

describe('the OpenAI-compatible API, with the official openai SDK', () => {
  it('lists the models', async () => {
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toContain(infra.model);
  });

  it('creates a chat completion', async () => {
    const completion = await client.chat.completions.create({
      model: infra.model,
      messages: [
        { role: 'system', content: 'You are brief.' },
        { role: 'user', content: 'Name a colour.' },
      ],
      max_tokens: 16,
    });
    expect(completion.id).toMatch(/^chatcmpl-[0-9a-f-]{36}$/);
    expect(completion.object).toBe('chat.completion');
    expect(completion.model).toBe(infra.model);
    const [choice] = completion.choices;
    expect(choice?.message.role).toBe('assistant');
    expect(choice?.message.content?.trim().length).toBeGreaterThan(0);
    expect(['stop', 'length']).toContain(choice?.finish_reason);
    expect(completion.usage!.completion_tokens).toBeGreaterThan(0);
    expect(completion.usage!.total_tokens).toBe(completion.usage!.prompt_tokens + completion.usage!.completion_tokens);
    // It went through the durable queue like any other request.
    const requestId = completion.id.slice('chatcmpl-'.length);
    const { rows } = await stack.db.query('SELECT status FROM gateway.chat_requests WHERE request_id = $1', [requestId]);
    expect(rows).toEqual([{ status: 'done' }]);
  });

  it('streams a chat completion, with usage at the end when asked', async () => {
    const stream = await client.chat.completions.create({
      model: infra.model,
      messages: [{ role: 'user', content: 'Count from one to five.' }],
      max_tokens: 24,
      // Greedy: sampled, the small model now and then answered in one piece, and the test
      // is about the chunks, not the model.
      temperature: 0,
      seed: 7,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let contentChunks = 0;
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      expect(chunk.object).toBe('chat.completion.chunk');
      const choice = chunk.choices[0];
      if (choice?.delta.content) {
        text += choice.delta.content;
        contentChunks++;
      }
      if (choice?.finish_reason) finish = choice.finish_reason;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(contentChunks).toBeGreaterThan(1);
    expect(text.trim().length).toBeGreaterThan(0);
    expect(['stop', 'length']).toContain(finish);
    expect(usage?.completion_tokens).toBeGreaterThan(0);
  });

  it("raises the SDK's own errors: bad key, unknown model, unsupported option", async () => {
    const stranger = new OpenAI({ apiKey: 'not-a-key', baseURL: `${stack.gateway}/v1`, maxRetries: 0 });
    await expect(stranger.models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);

    const unknown = client.chat.completions.create({
      model: 'no-such-model:1b',
      messages: [{ role: 'user', content: 'hi' }],
    });
    await expect(unknown).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(unknown).rejects.toMatchObject({ status: 404, code: 'model_not_found' });

    const many = client.chat.completions.create({
      model: infra.model,
      messages: [{ role: 'user', content: 'hi' }],
      n: 2,
    });
    await expect(many).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    await expect(many).rejects.toMatchObject({ status: 400, param: 'n' });
  });

  it("answers the curl example from OpenAI's documentation", async () => {
    const response = await fetch(`${stack.gateway}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${stack.token()}` },
      body: JSON.stringify({
        model: infra.model,
        messages: [
          { role: 'developer', content: 'You are a helpful assistant.' },
          { role: 'user', content: 'Hello!' },
        ],
      }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { object: string; choices: { message: { content: string } }[] };
    expect(body.object).toBe('chat.completion');
    expect(body.choices[0]!.message.content.length).toBeGreaterThan(0);
  });
});
