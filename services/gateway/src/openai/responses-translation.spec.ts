import { ENVELOPE_VERSION, ErrorCode, type ResponseEvent } from '@shoshizan/shared-interfaces';
import { createResponseRequestSchema } from './responses.schemas';
import {
  ResponseStreamTranslator,
  STORED_ECHO,
  echoOf,
  inputMessages,
  requestMessages,
  responseIdOf,
  responseOptions,
  titleOf,
} from './responses-translation';

const requestId = '0190a4c2-7e1b-7000-8000-00000000abcd';
const base = { version: ENVELOPE_VERSION, kind: 'chat.response', requestId, conversationId: requestId, userId: 'u', at: '2026-12-01T00:00:00Z' } as const;
let seq = 0;
const ev = (body: Record<string, unknown>): ResponseEvent => ({ ...base, seq: seq++, ...body }) as ResponseEvent;
const usage = { promptTokens: 10, completionTokens: 5, totalTokens: 15 };

function translator() {
  return new ResponseStreamTranslator({ id: responseIdOf(requestId), createdAt: 1, model: 'm', echo: STORED_ECHO });
}

describe('Responses request translation', () => {
  it('takes a string input as one user message', () => {
    expect(inputMessages('hi')).toEqual([{ role: 'user', content: 'hi' }]);
  });

  it('joins calls that follow an assistant turn into it, and makes outputs tool messages', () => {
    const parsed = createResponseRequestSchema.parse({
      model: 'm',
      input: [
        { role: 'developer', content: 'be brief' },
        { role: 'user', content: [{ type: 'input_text', text: 'weather?' }] },
        { type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
        { type: 'function_call', call_id: 'call_2', name: 'get_weather', arguments: '{"city":"Oslo"}' },
        { type: 'function_call_output', call_id: 'call_1', output: 'sunny' },
      ],
    });
    expect(inputMessages(parsed.input)).toEqual([
      { role: 'system', content: 'be brief' },
      { role: 'user', content: 'weather?' },
      {
        role: 'assistant',
        content: '',
        toolCalls: [
          { id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
          { id: 'call_2', name: 'get_weather', arguments: '{"city":"Oslo"}' },
        ],
      },
      { role: 'tool', content: 'sunny', toolCallId: 'call_1' },
    ]);
  });

  it('maps tools, tool choice, text format and sampling to generation options', () => {
    const request = createResponseRequestSchema.parse({
      model: 'm',
      input: 'x',
      tools: [{ type: 'function', name: 'f', description: 'd', parameters: { type: 'object' }, strict: true }],
      tool_choice: { type: 'function', name: 'f' },
      parallel_tool_calls: false,
      text: { format: { type: 'json_schema', name: 'out', schema: { type: 'object' }, strict: true } },
      max_output_tokens: 64,
      temperature: 0,
    });
    expect(responseOptions(request)).toEqual({
      maxTokens: 64,
      temperature: 0,
      tools: [{ name: 'f', description: 'd', parameters: { type: 'object' }, strict: true }],
      toolChoice: { name: 'f' },
      parallelToolCalls: false,
      responseFormat: { type: 'json_schema', name: 'out', schema: { type: 'object' }, strict: true },
    });
    expect(echoOf(request).tool_choice).toEqual({ type: 'function', name: 'f' });
  });

  it('puts the instructions first, before the conversation so far', () => {
    expect(requestMessages({ instructions: 'rules' }, [{ role: 'user', content: 'a' }], [{ role: 'user', content: 'b' }])).toEqual([
      { role: 'system', content: 'rules' },
      { role: 'user', content: 'a' },
      { role: 'user', content: 'b' },
    ]);
  });

  it('titles the conversation with the first line of the first user text', () => {
    expect(titleOf([{ role: 'user', content: '  Plan a trip\nto Oslo' }])).toBe('Plan a trip');
    expect(titleOf([{ role: 'tool', content: 'x', toolCallId: 'c' }])).toBe('Response');
  });

  it.each([
    ['a hosted tool', { tools: [{ type: 'web_search' }] }, 'tools.0.type'],
    ['background', { background: true }, 'background'],
    ['reasoning', { reasoning: { effort: 'low' } }, 'reasoning'],
    ['an item reference', { input: [{ type: 'item_reference', id: 'x' }] }, 'input'],
    ['a previous id that is not ours', { previous_response_id: 'resp_abc' }, 'previous_response_id'],
  ])('refuses %s and names the field', (_label, change, path) => {
    const result = createResponseRequestSchema.safeParse({ model: 'm', input: 'x', ...change });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual(expect.arrayContaining([expect.stringContaining(path)]));
  });
});

describe('ResponseStreamTranslator', () => {
  const answer = (): ResponseEvent[] => {
    seq = 0;
    return [
      ev({ type: 'queued' }),
      ev({ type: 'started', model: 'smollm2:135m' }),
      ev({ type: 'token', text: 'Let me ' }),
      ev({ type: 'token', text: 'check.' }),
      ev({ type: 'tool_call', index: 0, id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' }),
      ev({ type: 'done', model: 'smollm2:135m', usage, finishReason: 'tool_calls', durationMs: 5 }),
    ];
  };

  it('streams a text item, then a function call, then response.completed, numbered from 0', () => {
    const t = translator();
    const out = [...t.start(), ...answer().flatMap((e) => t.next(e))];
    expect(out.map((e) => e.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(out.map((e) => e.sequence_number)).toEqual(out.map((_, i) => i));
    const final = t.response;
    expect(final.status).toBe('completed');
    expect(final.model).toBe('smollm2:135m');
    expect(final.output_text).toBe('Let me check.');
    expect(final.output[1]).toEqual({
      type: 'function_call',
      id: `fc_${requestId.replaceAll('-', '')}_0`,
      call_id: 'call_1',
      name: 'get_weather',
      arguments: '{"city":"Paris"}',
      status: 'completed',
    });
    expect(final.usage).toEqual({
      input_tokens: 10,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: 5,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 15,
    });
  });

  it('gives the same events on a replay, so a resumed stream skips exactly what the client has', () => {
    const once = translator();
    const twice = translator();
    const first = [...once.start(), ...answer().flatMap((e) => once.next(e))];
    const second = [...twice.start(), ...answer().flatMap((e) => twice.next(e))];
    expect(second).toEqual(first);
  });

  it('ends a cut-off answer at max_output_tokens as incomplete', () => {
    seq = 0;
    const t = translator();
    t.start();
    t.next(ev({ type: 'token', text: 'a' }));
    const out = t.next(ev({ type: 'done', model: 'm', usage, finishReason: 'length', durationMs: 1 }));
    expect(out.at(-1)?.type).toBe('response.incomplete');
    expect(t.response.incomplete_details).toEqual({ reason: 'max_output_tokens' });
    expect(t.isEnded).toBe(true);
  });

  it('ends an error as response.failed with its code, and nothing after it', () => {
    seq = 0;
    const t = translator();
    t.start();
    const out = t.next(ev({ type: 'error', code: ErrorCode.ModelUnavailable, message: 'busy', retriable: true }));
    expect(out.map((e) => e.type)).toEqual(['response.failed']);
    expect(t.response.error).toEqual({ code: ErrorCode.ModelUnavailable, message: 'busy' });
    expect(t.next(ev({ type: 'token', text: 'late' }))).toEqual([]);
    expect(t.cut()).toEqual([]);
  });

  it('ends a stream that stopped without a final event with an error event, never a completion', () => {
    seq = 0;
    const t = translator();
    t.start();
    t.next(ev({ type: 'token', text: 'half' }));
    const out = t.cut();
    expect(out.map((e) => e.type)).toEqual(['error']);
    expect(out[0]).toMatchObject({ code: ErrorCode.UpstreamUnavailable, param: null });
    expect(t.response.status).toBe('in_progress');
  });
});
