import { ErrorCode, type GenerateRequest, type Tool } from '@shoshizan/shared-interfaces';
import { maxTokensOf, planGeneration, withSystemInstruction } from './generation-plan';

const weather: Tool = { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } };

function request(overrides: Partial<GenerateRequest> = {}): GenerateRequest {
  return {
    requestId: '0b3c9a4e-5c1d-4f5e-9b7a-1d2e3f4a5b6c',
    userId: 'u1',
    roles: [],
    messages: [{ role: 'user', content: 'Weather in Paris?' }],
    options: {},
    ...overrides,
  };
}

const model = { name: 'qwen3:0.6b', keepAlive: '1h' };

describe('planGeneration', () => {
  it('asks for a chat with the sampling options and the model keep-alive, and trims the start of the answer', () => {
    const plan = planGeneration(request({ options: { temperature: 0.2, maxTokens: 9, logprobs: true, topLogprobs: 2 } }), model);
    expect(plan).toEqual({
      model,
      tools: { kind: 'text' },
      ollama: {
        endpoint: 'chat',
        request: {
          model: 'qwen3:0.6b',
          keepAlive: '1h',
          messages: [{ role: 'user', content: 'Weather in Paris?' }],
          options: { temperature: 0.2, maxTokens: 9, logprobs: true, topLogprobs: 2 },
        },
      },
      trimLeadingWhitespace: true,
    });
  });

  it('offers tools natively and keeps the response format beside them', () => {
    const plan = planGeneration(request({ options: { tools: [weather], responseFormat: { type: 'json_object' } } }), model);
    expect(plan.tools).toEqual({ kind: 'native', tools: [weather], parallel: true });
    expect(plan.ollama.request).toMatchObject({ tools: [weather], format: 'json' });
  });

  it('passes a json_schema response format as its schema', () => {
    const schema = { type: 'object', properties: { n: { type: 'number' } } };
    const plan = planGeneration(request({ options: { responseFormat: { type: 'json_schema', name: 'n', schema } } }), model);
    expect(plan.ollama.request).toMatchObject({ format: schema });
  });

  it('forces a call with an instruction and its schema, and no tools for the template', () => {
    const plan = planGeneration(request({ options: { tools: [weather], toolChoice: 'required' } }), model);
    expect(plan.tools.kind).toBe('constrained');
    expect(plan.ollama.request).not.toHaveProperty('tools');
    expect(plan.ollama.request).toMatchObject({
      format: weather.parameters,
      messages: [{ role: 'system', content: expect.stringContaining('Call the function get_weather now') }, { role: 'user' }],
    });
  });

  it('sends the history with the tools when the client says none', () => {
    const messages = [
      { role: 'user' as const, content: 'Weather in Paris?' },
      { role: 'assistant' as const, content: '', toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' }] },
      { role: 'tool' as const, content: 'Sunny', toolCallId: 'call_1' },
    ];
    const plan = planGeneration(request({ messages, options: { tools: [weather], toolChoice: 'none' } }), model);
    expect(plan.ollama.request).toMatchObject({ messages });
    expect(plan.ollama.request).not.toHaveProperty('tools');
  });

  it('goes on from a continuation as text, without tools, format or trimming', () => {
    const plan = planGeneration(
      request({ continuation: ' {"a": 1, ', options: { tools: [weather], toolChoice: 'required', responseFormat: { type: 'json_object' } } }),
      model,
    );
    expect(plan.tools).toEqual({ kind: 'text' });
    expect(plan.trimLeadingWhitespace).toBe(false);
    expect(plan.ollama.request).not.toHaveProperty('format');
    expect(plan.ollama.request).not.toHaveProperty('tools');
    expect(plan.ollama.request).toMatchObject({ messages: [{ role: 'user' }, { role: 'assistant', content: ' {"a": 1, ' }] });
  });

  it('continues a raw prompt as it is, through the completion endpoint', () => {
    const plan = planGeneration(
      request({ messages: [{ role: 'user', content: 'The capital of France is' }], continuation: ' Par', options: { raw: true, seed: 1 } }),
      { name: 'gemma3:270m' },
    );
    expect(plan).toMatchObject({
      ollama: { endpoint: 'completion', request: { model: 'gemma3:270m', prompt: 'The capital of France is Par', options: { seed: 1 } } },
      trimLeadingWhitespace: false,
    });
    expect(plan.ollama.request).not.toHaveProperty('keepAlive');
  });

  it('refuses a raw prompt that is not a single user message', () => {
    const messages = [
      { role: 'system' as const, content: 'Be brief.' },
      { role: 'user' as const, content: 'Once upon' },
    ];
    expect(() => planGeneration(request({ messages, options: { raw: true } }), model)).toThrow(
      expect.objectContaining({ code: ErrorCode.ValidationFailed, message: 'A raw prompt is a single user message.' }),
    );
  });

  it('refuses a history whose call arguments Ollama cannot take', () => {
    const messages = [
      { role: 'user' as const, content: 'Hi' },
      { role: 'assistant' as const, content: '', toolCalls: [{ id: 'c', name: 'f', arguments: 'not json' }] },
    ];
    expect(() => planGeneration(request({ messages }), model)).toThrow(expect.objectContaining({ code: ErrorCode.ValidationFailed }));
  });
});

describe('withSystemInstruction', () => {
  it('ends the system prompt with the instruction, or starts the conversation with it', () => {
    const user = { role: 'user' as const, content: 'Hi' };
    expect(withSystemInstruction([{ role: 'system', content: 'Be brief.' }, user], 'Call f.')).toEqual([
      { role: 'system', content: 'Be brief.\n\nCall f.' },
      user,
    ]);
    expect(withSystemInstruction([user], 'Call f.')).toEqual([{ role: 'system', content: 'Call f.' }, user]);
  });
});

describe('maxTokensOf: the request within the operator cap', () => {
  it.each([
    [undefined, undefined, undefined],
    [100, undefined, 100],
    [undefined, 64, 64],
    [100, 64, 64],
    [10, 64, 10],
  ])('asked %s, cap %s: %s', (asked, cap, expected) => {
    expect(maxTokensOf(asked, cap)).toBe(expected);
  });

  it('bounds the plan that goes to Ollama', () => {
    const plan = planGeneration(request({ options: {} }), model, 16);
    expect(plan.ollama.request.options.maxTokens).toBe(16);
  });
});
