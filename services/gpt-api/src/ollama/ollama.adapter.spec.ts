import { ErrorCode } from '@shoshizan/shared-interfaces';
import { chunkOf, classifyOllamaError, ollamaKeepAlive, toOllamaMessages, toOllamaOptions, toOllamaTools } from './ollama.adapter';

/** What the `ollama` client throws for an HTTP error. */
function responseError(message: string, status: number): Error {
  return Object.assign(new Error(message), { status_code: status });
}

describe('ollamaKeepAlive', () => {
  it('passes a duration with a unit as it is and a bare number as seconds', () => {
    expect(ollamaKeepAlive('10m')).toBe('10m');
    expect(ollamaKeepAlive('-1')).toBe(-1);
    expect(ollamaKeepAlive('300')).toBe(300);
  });
});

describe('toOllamaMessages', () => {
  it("passes calls with their arguments as an object, and a tool result with its call's id and function name", () => {
    expect(
      toOllamaMessages([
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', content: '', toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' }] },
        { role: 'tool', content: 'Sunny', toolCallId: 'call_1' },
        { role: 'tool', content: '?', toolCallId: 'call_unknown' },
      ]),
    ).toEqual([
      { role: 'user', content: 'Weather in Paris?' },
      { role: 'assistant', content: '', tool_calls: [{ id: 'call_1', function: { name: 'get_weather', arguments: { city: 'Paris' } } }] },
      { role: 'tool', content: 'Sunny', tool_call_id: 'call_1', tool_name: 'get_weather' },
      { role: 'tool', content: '?', tool_call_id: 'call_unknown' },
    ]);
  });
});

describe('toOllamaTools', () => {
  it('wraps each tool as a function, with an empty object schema for one that takes nothing', () => {
    const parameters = { type: 'object', properties: { city: { type: 'string' } } };
    expect(toOllamaTools([{ name: 'get_weather', description: 'Weather', parameters }, { name: 'get_time' }])).toEqual([
      { type: 'function', function: { name: 'get_weather', description: 'Weather', parameters } },
      { type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: {} } } },
    ]);
  });
});

describe('toOllamaOptions', () => {
  it("names the sampling options as Ollama does and leaves out those not given", () => {
    expect(toOllamaOptions({ temperature: 0, topP: 0.9, maxTokens: 5, seed: 1, stop: ['\n'], frequencyPenalty: 0.5, presencePenalty: -1 })).toEqual({
      temperature: 0,
      top_p: 0.9,
      num_predict: 5,
      seed: 1,
      stop: ['\n'],
      frequency_penalty: 0.5,
      presence_penalty: -1,
    });
    expect(toOllamaOptions({ logprobs: true })).toEqual({});
  });
});

describe('chunkOf', () => {
  it("reads a chat piece: its text, its calls' arguments as JSON text, its log probabilities", () => {
    expect(
      chunkOf({
        message: {
          content: '',
          tool_calls: [
            { id: 'call_x', function: { name: 'get_weather', arguments: { city: 'Paris' } } },
            { function: { name: 'get_time' } },
          ],
        },
        done: false,
        logprobs: [{ token: 'a', logprob: -0.1, bytes: [97], top_logprobs: [{ token: 'b', logprob: -2 }] }],
      }),
    ).toEqual({
      text: '',
      toolCalls: [
        { id: 'call_x', name: 'get_weather', arguments: '{"city":"Paris"}' },
        { name: 'get_time', arguments: '{}' },
      ],
      logprobs: [{ token: 'a', logprob: -0.1, bytes: [97], topLogprobs: [{ token: 'b', logprob: -2 }] }],
      done: false,
    });
  });

  it("reads the last piece of a raw completion: its text and the token counts", () => {
    expect(chunkOf({ response: ' Paris', done: true, done_reason: 'stop', prompt_eval_count: 5, eval_count: 2 })).toEqual({
      text: ' Paris',
      done: true,
      doneReason: 'stop',
      promptTokens: 5,
      completionTokens: 2,
    });
  });
});

describe('classifyOllamaError', () => {
  it('names the model when its template takes no tools', () => {
    const error = classifyOllamaError(responseError('registry.ollama.ai/library/gemma3:270m does not support tools', 400), 'gemma3:270m');
    expect(error).toMatchObject({ code: ErrorCode.ValidationFailed, message: expect.stringContaining("Model 'gemma3:270m' cannot be offered tools") });
  });

  it('refuses embeddings from a model that makes none, not as an outage', () => {
    const error = classifyOllamaError(responseError('this model does not support embeddings', 501), 'gemma3:270m');
    expect(error).toMatchObject({
      code: ErrorCode.ValidationFailed,
      message: "Model 'gemma3:270m' does not make embeddings: choose an embedding model.",
    });
  });

  it("takes a schema Ollama cannot compile as the caller's", () => {
    expect(classifyOllamaError(responseError('invalid JSON schema in format', 500), 'm')).toMatchObject({ code: ErrorCode.ValidationFailed });
  });

  it('keeps an outage retriable', () => {
    expect(classifyOllamaError(new Error('fetch failed'), 'm')).toMatchObject({ code: ErrorCode.UpstreamUnavailable });
  });
});
