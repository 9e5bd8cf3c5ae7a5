import OpenAI from 'openai';
import { DomainException } from '@shoshizan/service-kit';
import { ENVELOPE_VERSION, ErrorCode, type ResponseEvent } from '@shoshizan/shared-interfaces';
import type { SseTranslation } from '../chat/sse-writer';
import {
  chatCompletionIdOf,
  chatCompletionOf,
  chatCompletionSse,
  chatCompletionToChatBody,
  completionToChatBody,
  embeddingListOf,
  embeddingsToEmbedRequest,
  float32Base64,
  gatherAnswer,
  openAiStreamEnd,
  requestIdOfChatCompletion,
  textCompletionOf,
  textCompletionSse,
} from './openai-translation';
import { chatCompletionRequestSchema, completionRequestSchema, embeddingsRequestSchema } from './openai.schemas';

const requestId = '0190a4c2-7e1b-7000-8000-00000000abcd';
const base = { version: ENVELOPE_VERSION, kind: 'chat.response', requestId, conversationId: requestId, userId: 'u1', at: '2026-01-01T00:00:00.000Z' } as const;
const usage = { promptTokens: 10, completionTokens: 5, totalTokens: 15 };

/** Events numbered from 0 as the pipeline numbers them. */
function events(...bodies: Record<string, unknown>[]): ResponseEvent[] {
  return bodies.map((body, seq) => ({ ...base, seq, ...body }) as ResponseEvent);
}
const done = (finishReason = 'stop') => ({ type: 'done', model: 'smollm2:135m', usage, finishReason, durationMs: 9 });
const logprob = (token: string, logprob: number) => ({ token, logprob, topLogprobs: [{ token, logprob }, { token: '?', logprob: -9 }] });

const chat = (body: Record<string, unknown>) =>
  chatCompletionToChatBody(chatCompletionRequestSchema.parse({ model: 'm:1', messages: [{ role: 'user', content: 'hi' }], ...body }));

describe('OpenAI chat completion requests as chat bodies', () => {
  it('maps the messages: developer as system, text parts joined, tool calls and their results', () => {
    const body = chat({
      messages: [
        { role: 'developer', content: 'Be brief.' },
        { role: 'user', content: [{ type: 'text', text: 'Weather in ' }, { type: 'text', text: 'Paris?' }] },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } }],
        },
        { role: 'tool', tool_call_id: 'call_1', content: [{ type: 'text', text: 'sunny' }] },
        { role: 'assistant', content: null, refusal: 'I will not.' },
      ],
    });
    expect(body.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Weather in Paris?' },
      { role: 'assistant', content: '', toolCalls: [{ id: 'call_1', name: 'weather', arguments: '{"city":"Paris"}' }] },
      { role: 'tool', content: 'sunny', toolCallId: 'call_1' },
      { role: 'assistant', content: 'I will not.' },
    ]);
  });

  it('maps every option OpenAI clients send', () => {
    const body = chat({
      max_completion_tokens: 32,
      max_tokens: 99,
      temperature: 0.2,
      top_p: 0.9,
      seed: 4,
      stop: 'END',
      frequency_penalty: 0.5,
      presence_penalty: -0.5,
      logprobs: true,
      top_logprobs: 3,
      tools: [{ type: 'function', function: { name: 'weather', description: 'Now', parameters: { type: 'object' }, strict: true } }],
      tool_choice: { type: 'function', function: { name: 'weather' } },
      parallel_tool_calls: false,
      response_format: { type: 'json_schema', json_schema: { name: 'w', description: 'ignored', schema: { type: 'object' }, strict: true } },
      user: 'end-user-7',
    });
    expect(body).toEqual({
      model: 'm:1',
      messages: [{ role: 'user', content: 'hi' }],
      options: {
        maxTokens: 32,
        temperature: 0.2,
        topP: 0.9,
        seed: 4,
        stop: ['END'],
        frequencyPenalty: 0.5,
        presencePenalty: -0.5,
        logprobs: true,
        topLogprobs: 3,
        tools: [{ name: 'weather', description: 'Now', parameters: { type: 'object' }, strict: true }],
        toolChoice: { name: 'weather' },
        parallelToolCalls: false,
        responseFormat: { type: 'json_schema', name: 'w', schema: { type: 'object' }, strict: true },
      },
      timeoutSeconds: 300,
    });
  });

  it.each([
    [{ response_format: { type: 'text' } }, {}],
    [{ response_format: { type: 'json_object' } }, { responseFormat: { type: 'json_object' } }],
    [{ max_tokens: 7, max_completion_tokens: null, stop: null, seed: null }, { maxTokens: 7 }],
    [{ tool_choice: 'none' }, { toolChoice: 'none' }],
  ])('takes %j as %j', (change, options) => {
    expect(chat(change).options).toEqual(options);
  });

  it.each([
    ['a tool choice without tools', { tool_choice: 'required' }, 'tool_choice', 'a tool choice needs tools'],
    ['top_logprobs without logprobs', { top_logprobs: 2 }, 'top_logprobs', 'needs logprobs: true'],
    ['a tool choice naming no tool', { tools: [{ type: 'function', function: { name: 'a' } }], tool_choice: { type: 'function', function: { name: 'b' } } }, 'tool_choice.name', 'names no tool: b'],
    ['two tools of one name', { tools: [{ type: 'function', function: { name: 'a' } }, { type: 'function', function: { name: 'a' } }] }, 'tools', 'two tools have the same name'],
    ['no user message', { messages: [{ role: 'system', content: 'x' }] }, 'messages', 'must hold at least one user message'],
  ])('refuses %s as Shoshizan does, naming the field as OpenAI does', (_label, change, path, message) => {
    expect(() => chat(change)).toThrow(DomainException);
    try {
      chat(change);
    } catch (error) {
      expect((error as DomainException).options.issues).toEqual([{ path, message }]);
    }
  });
});

describe('OpenAI completion requests as chat bodies', () => {
  it('sends the prompt as the one user message, raw, with its log probabilities as a count', () => {
    const request = completionRequestSchema.parse({ model: 'm:1', prompt: ['Once'], max_tokens: 8, stop: ['\n'], logprobs: 0, seed: 1 });
    expect(completionToChatBody(request)).toEqual({
      model: 'm:1',
      messages: [{ role: 'user', content: 'Once' }],
      options: { raw: true, maxTokens: 8, stop: ['\n'], seed: 1, logprobs: true, topLogprobs: 0 },
      timeoutSeconds: 300,
    });
    expect(completionToChatBody(completionRequestSchema.parse({ model: 'm:1', prompt: 'x' })).options).toEqual({ raw: true });
  });
});

describe('OpenAI embeddings', () => {
  it('asks gpt-api for every input, for the caller', () => {
    const request = embeddingsRequestSchema.parse({ model: 'e:1', input: 'one', dimensions: 64, user: 'x' });
    expect(embeddingsToEmbedRequest(request, { userId: 'u1', roles: ['user'] }, requestId)).toEqual({
      requestId,
      userId: 'u1',
      roles: ['user'],
      model: 'e:1',
      input: ['one'],
      dimensions: 64,
    });
  });

  it('answers floats, or base64 of little-endian float32s as OpenAI does', () => {
    const result = { model: 'e:1', embeddings: [[0.5, -1], [2, 0.25]], promptTokens: 4 };
    expect(embeddingListOf(result)).toEqual({
      object: 'list',
      data: [
        { object: 'embedding', index: 0, embedding: [0.5, -1] },
        { object: 'embedding', index: 1, embedding: [2, 0.25] },
      ],
      model: 'e:1',
      usage: { prompt_tokens: 4, total_tokens: 4 },
    });
    const encoded = embeddingListOf(result, 'base64').data[1]!.embedding as string;
    const bytes = Buffer.from(encoded, 'base64');
    expect([bytes.readFloatLE(0), bytes.readFloatLE(4)]).toEqual([2, 0.25]);
    // 0.5 as a float32 is 0x3f000000: little-endian, the zero bytes come first.
    expect(float32Base64([0.5])).toBe(Buffer.from([0, 0, 0, 0x3f]).toString('base64'));
  });
});

describe('chat completion ids', () => {
  it('are their request ids, prefixed; any other id names no completion', () => {
    expect(requestIdOfChatCompletion(chatCompletionIdOf(requestId))).toBe(requestId);
    for (const id of [requestId, `cmpl-${requestId}`, `chatcmpl-${requestId}x`, 'chatcmpl-../events']) {
      expect(() => requestIdOfChatCompletion(id)).toThrow(new DomainException(ErrorCode.NotFound, `No chat completion ${id}.`));
    }
  });
});

describe('whole answers', () => {
  const meta = { id: `chatcmpl-${requestId}`, created: 1 };

  it('gathers text, tool calls and log probabilities; content is null when there are only calls', () => {
    const answer = gatherAnswer(
      requestId,
      events(
        { type: 'queued' },
        { type: 'started', model: 'smollm2:135m' },
        { type: 'tool_call', index: 0, id: 'call_1', name: 'weather', arguments: '{"city":"Paris"}' },
        { type: 'tool_call', index: 1, id: 'call_2', name: 'weather', arguments: '{"city":"Oslo"}' },
        done('tool_calls'),
      ),
    );
    expect(chatCompletionOf(answer, meta)).toEqual({
      id: meta.id,
      object: 'chat.completion',
      created: 1,
      model: 'smollm2:135m',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: null,
            refusal: null,
            tool_calls: [
              { id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } },
              { id: 'call_2', type: 'function', function: { name: 'weather', arguments: '{"city":"Oslo"}' } },
            ],
          },
          finish_reason: 'tool_calls',
          logprobs: null,
        },
      ],
      usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
    });
  });

  it('gives the log probabilities when the tokens carry them', () => {
    const answer = gatherAnswer(
      requestId,
      events({ type: 'token', text: 'Hi', logprobs: [logprob('Hi', -0.1)] }, { type: 'token', text: '!', logprobs: [logprob('!', -0.2)] }, done('length')),
    );
    const [choice] = chatCompletionOf(answer, meta).choices;
    expect(choice!.message).toEqual({ role: 'assistant', content: 'Hi!', refusal: null });
    expect(choice!.finish_reason).toBe('length');
    expect(choice!.logprobs).toEqual({
      content: [
        { token: 'Hi', logprob: -0.1, bytes: null, top_logprobs: [{ token: 'Hi', logprob: -0.1, bytes: null }, { token: '?', logprob: -9, bytes: null }] },
        { token: '!', logprob: -0.2, bytes: null, top_logprobs: [{ token: '!', logprob: -0.2, bytes: null }, { token: '?', logprob: -9, bytes: null }] },
      ],
      refusal: null,
    });
    const text = textCompletionOf(answer, { id: `cmpl-${requestId}`, created: 1 });
    expect(text.object).toBe('text_completion');
    expect(text.choices[0]).toEqual({
      index: 0,
      text: 'Hi!',
      finish_reason: 'length',
      logprobs: { tokens: ['Hi', '!'], token_logprobs: [-0.1, -0.2], top_logprobs: [{ Hi: -0.1, '?': -9 }, { '!': -0.2, '?': -9 }], text_offset: [0, 2] },
    });
  });

  it.each([
    ['an error event, with its code', events({ type: 'token', text: 'a' }, { type: 'error', code: ErrorCode.ModelUnavailable, message: 'busy', retriable: true }), ErrorCode.ModelUnavailable, 'busy'],
    ['a cancel', events({ type: 'cancelled', reason: 'stop pressed' }), ErrorCode.Cancelled, 'Cancelled: stop pressed'],
    ['events that stop without a final one', events({ type: 'token', text: 'a' }), ErrorCode.UpstreamUnavailable, `The answer to ${requestId} ended before it was complete.`],
  ])('fails with %s', (_label, answerEvents, code, message) => {
    expect(() => gatherAnswer(requestId, answerEvents)).toThrow(new DomainException(code, message));
    try {
      gatherAnswer(requestId, answerEvents);
    } catch (error) {
      expect((error as DomainException).code).toBe(code);
    }
  });
});

/** What a stream writes for these events, batch by batch, as SseWriter writes it. */
function written(translation: SseTranslation, batches: ResponseEvent[][], final: ResponseEvent | undefined): string {
  return (translation.open?.() ?? '') + batches.map((batch) => translation.format(batch)).join('') + translation.end(final);
}
/** The `data:` payloads of an SSE text, each with the `id` it carried. */
function messages(sse: string): { id?: string; data: unknown }[] {
  return sse
    .split('\n\n')
    .filter(Boolean)
    .map((block) => {
      const id = /^id: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)![1]!;
      return { ...(id !== undefined ? { id } : {}), data: data === '[DONE]' ? data : JSON.parse(data) };
    });
}

/** The official SDK reading a stream: what its users get from our SSE text. */
function sdkReading(sse: string): OpenAI {
  return new OpenAI({
    apiKey: 'k',
    baseURL: 'http://gateway.invalid/v1',
    maxRetries: 0,
    fetch: () => Promise.resolve(new Response(sse, { headers: { 'content-type': 'text/event-stream' } })),
  });
}

describe('chat completion streams', () => {
  const meta = { id: `chatcmpl-${requestId}`, created: 1, requestId, model: 'asked:1', includeUsage: true };
  const answer = events(
    { type: 'queued' },
    { type: 'started', model: 'smollm2:135m' },
    { type: 'token', text: 'Let me check.', logprobs: [logprob('Let me check.', -0.5)] },
    { type: 'tool_call', index: 0, id: 'call_1', name: 'weather', arguments: '{"city":"Paris"}' },
    done('tool_calls'),
  );

  it('sends the role first, then content, whole tool calls, the finish reason and the usage, then [DONE]', () => {
    const sse = written(chatCompletionSse(meta), [answer.slice(0, 2), answer.slice(2)], answer.at(-1));
    const out = messages(sse);
    const chunk = (choices: unknown[], model = 'smollm2:135m') => ({ id: meta.id, object: 'chat.completion.chunk', created: 1, model, choices, usage: null });
    expect(out).toEqual([
      { data: chunk([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null, logprobs: null }], 'asked:1') },
      {
        id: '2',
        data: chunk([
          {
            index: 0,
            delta: { content: 'Let me check.' },
            finish_reason: null,
            logprobs: { content: [expect.objectContaining({ token: 'Let me check.', logprob: -0.5 })], refusal: null },
          },
        ]),
      },
      {
        id: '3',
        data: chunk([
          {
            index: 0,
            delta: { tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } }] },
            finish_reason: null,
            logprobs: null,
          },
        ]),
      },
      // The finish and the usage both come from `done`: only the last carries its seq.
      { data: chunk([{ index: 0, delta: {}, finish_reason: 'tool_calls', logprobs: null }]) },
      { id: '4', data: { ...chunk([]), usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 } } },
      { data: '[DONE]' },
    ]);
  });

  it('leaves usage out without include_usage, and the opening chunk out of a resumed stream', () => {
    const out = messages(written(chatCompletionSse({ ...meta, includeUsage: false, afterSeq: 2 }), [answer.slice(3)], answer.at(-1)));
    expect(out.map((m) => m.id)).toEqual(['3', '4', undefined]);
    expect(out.every((m) => m.data === '[DONE]' || !('usage' in (m.data as object)))).toBe(true);
  });

  it('is assembled by the official SDK’s stream helper into the tool call and the text', async () => {
    const sse = written(chatCompletionSse(meta), [answer], answer.at(-1));
    const tools = [{ type: 'function' as const, function: { name: 'weather', parameters: { type: 'object' }, strict: true } }];
    const stream = sdkReading(sse).chat.completions.stream({ model: 'asked:1', messages: [{ role: 'user', content: 'hi' }], tools });
    const argumentsDone: unknown[] = [];
    stream.on('tool_calls.function.arguments.done', (event) => argumentsDone.push(event));
    const completion = await stream.finalChatCompletion();
    expect(argumentsDone).toEqual([expect.objectContaining({ name: 'weather', index: 0, parsed_arguments: { city: 'Paris' } })]);
    expect(completion.choices[0]!.message).toMatchObject({
      content: 'Let me check.',
      tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } }],
    });
    expect(completion.choices[0]!.finish_reason).toBe('tool_calls');
  });

  it.each([
    ['an error event', events({ type: 'token', text: 'a' }, { type: 'error', code: ErrorCode.ModelUnavailable, message: 'busy', retriable: true }), ErrorCode.ModelUnavailable, 'busy'],
    ['a cancel', events({ type: 'cancelled', reason: 'stop pressed' }), ErrorCode.Cancelled, 'Cancelled: stop pressed'],
    [
      'events that stop without a final one (a cut stream)',
      events({ type: 'token', text: 'a' }),
      ErrorCode.UpstreamUnavailable,
      'The stream was cut before the answer ended; the request goes on. ' +
        `Resume it with GET /v1/chat/completions/chatcmpl-${requestId}?stream=true and the last event id as Last-Event-ID.`,
    ],
  ])('ends %s with an error object, never [DONE], which the SDK raises', async (_label, answerEvents, code, message) => {
    const final = answerEvents.find((e) => e.type === 'error' || e.type === 'cancelled');
    const sse = written(chatCompletionSse(meta), [answerEvents], final);
    expect(sse).not.toContain('[DONE]');
    expect(messages(sse).at(-1)!.data).toEqual({ error: { message, type: 'server_error', param: null, code } });
    const stream = await sdkReading(sse).chat.completions.create({ model: 'asked:1', messages: [{ role: 'user', content: 'hi' }], stream: true });
    const read = async () => {
      for await (const _chunk of stream);
    };
    await expect(read()).rejects.toMatchObject({ code, message });
  });

  it('ends only after done with [DONE]; after an error or a cancel with nothing more', () => {
    const [error, cancelled, complete] = events(
      { type: 'error', code: ErrorCode.Internal, message: 'x', retriable: false },
      { type: 'cancelled', reason: 'x' },
      done(),
    );
    expect(openAiStreamEnd(complete, '')).toBe('data: [DONE]\n\n');
    expect(openAiStreamEnd(error, '')).toBe('');
    expect(openAiStreamEnd(cancelled, '')).toBe('');
    expect(openAiStreamEnd(undefined, '')).toContain('"code":"upstream_unavailable"');
  });

  it('ends a stream resumed after the end as the answer ended, not as a cut one', () => {
    expect(openAiStreamEnd(undefined, '', 'done')).toBe('data: [DONE]\n\n');
    expect(openAiStreamEnd(undefined, '', 'error')).toBe('');
    expect(openAiStreamEnd(undefined, '', 'cancelled')).toBe('');
    expect(openAiStreamEnd(undefined, '', 'running')).toContain('"code":"upstream_unavailable"');
  });
});

describe('legacy completion streams', () => {
  it('sends a text_completion a token with running offsets, then the finish reason, and is read by the SDK', async () => {
    const meta = { id: `cmpl-${requestId}`, created: 1, requestId, model: 'asked:1', includeUsage: false };
    const answer = events(
      { type: 'started', model: 'smollm2:135m' },
      { type: 'token', text: 'Once', logprobs: [logprob('Once', -1)] },
      { type: 'token', text: ' upon', logprobs: [logprob(' up', -2), logprob('on', -3)] },
      done('length'),
    );
    const sse = written(textCompletionSse(meta), [answer], answer.at(-1));
    const out = messages(sse);
    expect(out.map((m) => m.id)).toEqual(['1', '2', '3', undefined]);
    expect((out[1]!.data as { choices: { logprobs: { text_offset: number[] } }[] }).choices[0]!.logprobs.text_offset).toEqual([4, 7]);
    expect(out[2]!.data).toEqual({
      id: meta.id,
      object: 'text_completion',
      created: 1,
      model: 'smollm2:135m',
      choices: [{ index: 0, text: '', finish_reason: 'length', logprobs: null }],
    });
    const stream = await sdkReading(sse).completions.create({ model: 'asked:1', prompt: 'x', stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.text ?? '';
    expect(text).toBe('Once upon');
  });
});
