import { DomainException, ZodBodyPipe } from '@shoshizan/service-kit';
import { parseWith, type z } from '@shoshizan/shared-interfaces';
import { chatCompletionRequestSchema, completionRequestSchema, embeddingsRequestSchema } from './openai.schemas';

const chat = { model: 'gemma3:270m', messages: [{ role: 'user', content: 'hi' }] };
const completion = { model: 'gemma3:270m', prompt: 'Once upon a time' };
const embeddings = { model: 'nomic-embed-text', input: 'hi' };

/** The first issue's field and message, as the OpenAI error filter answers them (`param`, `message`). */
function refusal(schema: z.ZodType, body: unknown): { param: string; message: string } | undefined {
  const result = parseWith(schema, body);
  return result.ok ? undefined : { param: result.issues[0]!.path, message: result.issues[0]!.message };
}

describe('OpenAI chat completion requests', () => {
  it('takes what OpenAI clients send, nulls included', () => {
    const body = {
      ...chat,
      messages: [
        { role: 'developer', content: 'Be brief.' },
        { role: 'user', content: [{ type: 'text', text: 'Weather in Paris?' }], name: 'ann' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'weather', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 'c1', content: 'sunny' },
      ],
      tools: [{ type: 'function', function: { name: 'weather', parameters: { type: 'object' }, strict: null } }],
      tool_choice: { type: 'function', function: { name: 'weather' } },
      response_format: { type: 'json_schema', json_schema: { name: 'w', schema: { type: 'object' }, strict: true } },
      n: 1,
      logit_bias: {},
      max_tokens: null,
      stop: null,
      service_tier: 'auto',
      modalities: ['text'],
      audio: null,
      store: false,
      metadata: { team: 'a' },
      stream_options: { include_usage: true, include_obfuscation: false },
      user: 'end-user-7',
    };
    expect(refusal(chatCompletionRequestSchema, body)).toBeUndefined();
  });

  it.each([
    ['n above 1', { n: 2 }, 'n', 'only 1 is supported'],
    ['a logit bias', { logit_bias: { '50256': -100 } }, 'logit_bias', 'is not supported (only an empty map is)'],
    ['a paid service tier', { service_tier: 'priority' }, 'service_tier', 'only auto and default are supported'],
    ['audio output', { audio: { voice: 'alloy', format: 'mp3' } }, 'audio', 'audio output is not supported'],
    ['audio among the modalities', { modalities: ['text', 'audio'] }, 'modalities.1', 'only text is supported'],
    ['a prediction', { prediction: { type: 'content', content: 'x' } }, 'prediction', 'predicted outputs are not supported'],
    ['web search', { web_search_options: {} }, 'web_search_options', 'web search is not supported'],
    ['a reasoning effort', { reasoning_effort: 'low' }, 'reasoning_effort', 'reasoning effort is not supported'],
    ['the deprecated functions', { functions: [{ name: 'f' }] }, 'functions', '`functions` is deprecated and not supported: use `tools`'],
    ['the deprecated function_call', { function_call: 'auto' }, 'function_call', '`function_call` is deprecated and not supported: use `tool_choice`'],
    ['a custom tool', { tools: [{ type: 'custom', custom: { name: 'x' } }] }, 'tools.0.type', 'only function tools are supported'],
    ['an allowed_tools choice', { tool_choice: { type: 'allowed_tools', allowed_tools: {} } }, 'tool_choice', expect.stringContaining('allowed_tools')],
    ['a bad tool name', { tools: [{ type: 'function', function: { name: 'a b' } }] }, 'tools.0.function.name', expect.any(String)],
    ['a JSON schema format without its schema', { response_format: { type: 'json_schema', json_schema: { name: 'x' } } }, 'response_format.json_schema.schema', expect.any(String)],
    ['an image', { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'x' } }] }] }, 'messages.0.content', expect.stringContaining('images')],
    ['the deprecated function role', { messages: [{ role: 'function', name: 'f', content: 'x' }] }, 'messages.0.role', expect.stringContaining('function role')],
    ['a tool message without its call', { messages: [{ role: 'tool', content: 'x' }] }, 'messages.0.tool_call_id', expect.any(String)],
    ['max_tokens over what Shoshizan takes', { max_completion_tokens: 1_000_000 }, 'max_completion_tokens', expect.any(String)],
    ['a NUL in a message', { messages: [{ role: 'user', content: [{ type: 'text', text: 'a\u0000' }] }] }, 'messages.0.content.0.text', expect.any(String)],
  ])('refuses %s and names the field', (_label, change, param, message) => {
    expect(refusal(chatCompletionRequestSchema, { ...chat, ...change })).toEqual({ param, message });
  });

  it('is refused by the body pipe with the field as the first issue (the error filter’s `param`)', () => {
    const pipe = new ZodBodyPipe(chatCompletionRequestSchema, 'Chat completion request');
    let thrown: unknown;
    try {
      pipe.transform({ ...chat, n: 3 });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(DomainException);
    expect((thrown as DomainException).message).toBe('Chat completion request is invalid.');
    expect((thrown as DomainException).options.issues).toEqual([{ path: 'n', message: 'only 1 is supported' }]);
  });
});

describe('OpenAI completion requests', () => {
  it('takes a prompt as a string or an array of one', () => {
    expect(refusal(completionRequestSchema, completion)).toBeUndefined();
    expect(refusal(completionRequestSchema, { ...completion, prompt: ['one'], best_of: 1, echo: false, suffix: null, logprobs: 5 })).toBeUndefined();
  });

  it.each([
    ['several prompts', { prompt: ['one', 'two'] }, 'prompt'],
    ['token ids', { prompt: [1, 2, 3] }, 'prompt'],
    ['echo', { echo: true }, 'echo'],
    ['a suffix', { suffix: 'end' }, 'suffix'],
    ['best_of above 1', { best_of: 3 }, 'best_of'],
    ['n above 1', { n: 2 }, 'n'],
    ['more than 5 log probabilities', { logprobs: 6 }, 'logprobs'],
  ])('refuses %s and names the field', (_label, change, param) => {
    expect(refusal(completionRequestSchema, { ...completion, ...change })?.param).toBe(param);
  });
});

describe('OpenAI embeddings requests', () => {
  it('takes a string or an array of strings, and requires the model', () => {
    expect(refusal(embeddingsRequestSchema, embeddings)).toBeUndefined();
    expect(refusal(embeddingsRequestSchema, { ...embeddings, input: ['a', 'b'], encoding_format: 'base64', dimensions: 256 })).toBeUndefined();
    expect(refusal(embeddingsRequestSchema, { input: 'hi' })?.param).toBe('model');
  });

  it.each([
    ['token ids', { input: [1, 2] }, expect.stringContaining('token arrays are not supported')],
    ['arrays of token ids', { input: [[1, 2]] }, expect.stringContaining('token arrays are not supported')],
    ['an empty string', { input: '' }, 'Too small: expected string to have >=1 characters'],
    ['no input at all', { input: [] }, 'Too small: expected array to have >=1 items'],
  ])('refuses %s, naming input', (_label, change, message) => {
    expect(refusal(embeddingsRequestSchema, { ...embeddings, ...change })).toEqual({ param: 'input', message });
  });
});
