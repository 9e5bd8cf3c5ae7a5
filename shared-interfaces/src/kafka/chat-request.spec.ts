import { ErrorCode } from '../errors';
import { SchemaValidationError, decodeMessage, encodeMessage, parseWith } from '../validation';
import { chatRequestEnvelopeSchema, type ChatRequestEnvelopeInput } from './chat-request';

const valid: ChatRequestEnvelopeInput = {
  version: 1,
  kind: 'chat.request',
  requestId: '0b5ad8b4-6e53-4a8a-9d86-2f1f5a1b3c4d',
  userId: 'user-1',
  conversationId: '6f1c2a9e-1b7d-4c5e-8f3a-2d4b6c8e0f12',
  model: 'gemma3:270m',
  messages: [{ role: 'user', content: 'Hello' }],
  deadline: '2030-01-01T00:00:00.000Z',
  createdAt: '2026-01-01T00:00:00Z',
};

function pathsOf(input: unknown): string[] {
  const result = parseWith(chatRequestEnvelopeSchema, input);
  return result.ok ? [] : result.issues.map((i) => i.path);
}

describe('chat request envelope', () => {
  it('accepts a minimal valid envelope and fills defaults', () => {
    const result = parseWith(chatRequestEnvelopeSchema, valid);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.priority).toBe(5);
    expect(result.value.options).toEqual({});
    expect(result.value.trace).toEqual({});
  });

  it('accepts options, priority and trace context', () => {
    const result = parseWith(chatRequestEnvelopeSchema, {
      ...valid,
      options: { temperature: 0.2, maxTokens: 64, stop: ['\n\n'] },
      priority: 9,
      trace: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
    });
    expect(result.ok).toBe(true);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['an unknown version', { version: 2 }, 'version'],
    ['a wrong kind', { kind: 'chat.response' }, 'kind'],
    ['a request id that is no UUID', { requestId: '42' }, 'requestId'],
    ['an empty user id', { userId: '' }, 'userId'],
    ['no messages', { messages: [] }, 'messages'],
    ['no user message', { messages: [{ role: 'system', content: 'be brief' }] }, 'messages'],
    ['an unknown role', { messages: [{ role: 'function', content: 'x' }] }, 'messages.0.role'],
    ['a tool message naming no call', { messages: [{ role: 'user', content: 'q' }, { role: 'tool', content: 'x' }] }, 'messages.1.toolCallId'],
    ['tool calls on a user message', { messages: [{ role: 'user', content: 'q', toolCalls: [{ id: 'c', name: 'f', arguments: '{}' }] }] }, 'messages.0.toolCalls'],
    ['a tool choice naming no tool', { options: { tools: [{ name: 'f' }], toolChoice: { name: 'g' } } }, 'options.toolChoice.name'],
    ['a tool choice without tools', { options: { toolChoice: 'required' } }, 'options.toolChoice'],
    ['a tool name with spaces', { options: { tools: [{ name: 'get weather' }] } }, 'options.tools.0.name'],
    ['a json schema holding NUL', { options: { responseFormat: { type: 'json_schema', name: 'x', schema: { description: 'a\u0000' } } } }, 'options.responseFormat.schema'],
    ['a model name with spaces', { model: 'gemma 3' }, 'model'],
    ['a temperature above 2', { options: { temperature: 3 } }, 'options.temperature'],
    ['a fractional maxTokens', { options: { maxTokens: 1.5 } }, 'options.maxTokens'],
    ['a priority above 9', { priority: 10 }, 'priority'],
    ['a deadline that is no date', { deadline: 'tomorrow' }, 'deadline'],
    ['a malformed traceparent', { trace: { traceparent: 'abc' } }, 'trace.traceparent'],
    ['an unknown field', { extra: true }, '(root)'],
  ])('rejects %s and names the field', (_label, change, path) => {
    expect(pathsOf({ ...valid, ...change })).toContain(path);
  });

  it('round-trips through encode and decode', () => {
    const bytes = encodeMessage(chatRequestEnvelopeSchema, valid, 'chat request');
    expect(decodeMessage(chatRequestEnvelopeSchema, bytes, 'chat request')).toMatchObject({
      requestId: valid.requestId,
      messages: valid.messages,
    });
  });

  it('refuses to encode an invalid envelope', () => {
    expect(() => encodeMessage(chatRequestEnvelopeSchema, { ...valid, requestId: 'x' }, 'chat request')).toThrow(
      /chat request is invalid: requestId/,
    );
  });

  it.each([
    ['no value', null, /message has no value/],
    ['bytes that are not JSON', Buffer.from('{nope'), /not JSON/],
    ['JSON of the wrong shape', Buffer.from('{"version":1}'), /kind/],
  ])('decode rejects %s with a SchemaValidationError', (_label, bytes, message) => {
    let caught: unknown;
    try {
      decodeMessage(chatRequestEnvelopeSchema, bytes, 'chat request');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SchemaValidationError);
    expect((caught as Error).message).toMatch(message);
  });

  it('keeps error codes stable', () => {
    expect(ErrorCode.PoisonMessage).toBe('poison_message');
  });
});
