import { parseWith, SchemaValidationError } from '@shoshizan/shared-interfaces';
import { chatCompletionRequestSchema, toChatBody } from './openai.schemas';

const base = { model: 'gemma3:270m', messages: [{ role: 'user', content: 'hi' }] };

describe('OpenAI chat completion requests', () => {
  it('maps the options OpenAI clients send to Shoshizan options', () => {
    const request = chatCompletionRequestSchema.parse({
      ...base,
      messages: [
        { role: 'developer', content: 'Be brief.' },
        { role: 'user', content: [{ type: 'text', text: 'Hello ' }, { type: 'text', text: 'there' }] },
      ],
      max_completion_tokens: 32,
      max_tokens: 99,
      temperature: 0.2,
      top_p: 0.9,
      seed: 4,
      stop: 'END',
      user: 'someone',
    });
    expect(toChatBody(request)).toEqual({
      model: 'gemma3:270m',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hello there' },
      ],
      options: { maxTokens: 32, temperature: 0.2, topP: 0.9, seed: 4, stop: ['END'] },
      timeoutSeconds: 300,
    });
  });

  it('accepts nulls where OpenAI allows them', () => {
    const request = chatCompletionRequestSchema.parse({ ...base, max_tokens: null, stop: null, n: 1 });
    expect(toChatBody(request).options).toEqual({});
  });

  it.each([
    ['n above 1', { n: 2 }, 'n'],
    ['tools', { tools: [{ type: 'function' }] }, 'tools'],
    ['an unknown role', { messages: [{ role: 'tool', content: 'x' }] }, 'messages.0.role'],
    ['a JSON response format', { response_format: { type: 'json_object' } }, 'response_format.type'],
  ])('refuses %s and names the field', (_label, change, path) => {
    const result = parseWith(chatCompletionRequestSchema, { ...base, ...change });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues.map((i) => i.path)).toContain(path);
  });

  it('refuses what Shoshizan itself would refuse, such as a conversation with no user message', () => {
    const request = chatCompletionRequestSchema.parse({ ...base, messages: [{ role: 'system', content: 'x' }] });
    expect(() => toChatBody(request)).toThrow(SchemaValidationError);
  });
});
