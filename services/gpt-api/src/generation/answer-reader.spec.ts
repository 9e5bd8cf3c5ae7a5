import { ErrorCode, type Tool } from '@shoshizan/shared-interfaces';
import type { OllamaChunk } from '../ollama/ollama.adapter';
import { AnswerReader, newToolCallId } from './answer-reader';
import { planTools } from './tool-plan';

const weather: Tool = { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } };
const time: Tool = { name: 'get_time' };

const text = (value: string, extra: Partial<OllamaChunk> = {}): OllamaChunk => ({ text: value, done: false, ...extra });
const lp = (token: string) => ({ token, logprob: -0.5 });

function reader(options: Parameters<typeof planTools>[0] = {}, trimLeadingWhitespace = true): AnswerReader {
  let n = 0;
  return new AnswerReader({ tools: planTools(options), trimLeadingWhitespace }, () => `call_${++n}`);
}

describe('AnswerReader', () => {
  it('starts a text answer at its first visible character, giving the log probabilities of what it trimmed with it', () => {
    const answer = reader();
    expect(answer.read(text('\n', { logprobs: [lp('\n')] }))).toEqual([]);
    expect(answer.read(text(' Hello', { logprobs: [lp(' Hello')] }))).toEqual([
      { type: 'token', text: 'Hello', logprobs: [lp('\n'), lp(' Hello')] },
    ]);
    expect(answer.read(text(' world'))).toEqual([{ type: 'token', text: ' world' }]);
    expect(answer.finish('stop')).toEqual({ chunks: [], finishReason: 'stop' });
  });

  it('keeps the leading space of an answer that goes on from text the client has', () => {
    expect(reader({}, false).read(text(' Paris'))).toEqual([{ type: 'token', text: ' Paris' }]);
  });

  it('makes the text and the log probability tokens storable', () => {
    const chunks = reader().read(text('a\u0000b', { logprobs: [{ token: '\u0000', logprob: -1, topLogprobs: [{ token: '\uD800', logprob: -2 }] }] }));
    expect(chunks).toEqual([
      { type: 'token', text: 'a\uFFFDb', logprobs: [{ token: '\uFFFD', logprob: -1, topLogprobs: [{ token: '\uFFFD', logprob: -2 }] }] },
    ]);
  });

  it('ends with length when the model ran out of tokens', () => {
    expect(reader().finish('length').finishReason).toBe('length');
  });

  it("numbers Ollama's calls in order, keeps its ids or makes some, and ends with tool_calls", () => {
    const answer = reader({ tools: [weather, time] });
    const calls = answer.read(
      text('', {
        toolCalls: [
          { id: 'call_ollama', name: 'get_weather', arguments: '{"city":"Paris"}' },
          { name: 'get_time', arguments: '{}' },
        ],
      }),
    );
    expect(calls).toEqual([
      { type: 'tool_call', index: 0, id: 'call_ollama', name: 'get_weather', arguments: '{"city":"Paris"}' },
      { type: 'tool_call', index: 1, id: 'call_1', name: 'get_time', arguments: '{}' },
    ]);
    expect(answer.finish('stop')).toEqual({ chunks: [], finishReason: 'tool_calls' });
  });

  it('keeps only the first call when parallel calls are off', () => {
    const answer = reader({ tools: [weather, time], parallelToolCalls: false });
    expect(answer.read(text('', { toolCalls: [{ name: 'get_time', arguments: '{}' }] }))).toHaveLength(1);
    expect(answer.read(text('', { toolCalls: [{ name: 'get_weather', arguments: '{}' }] }))).toEqual([]);
  });

  it('refuses a call to a tool that was not offered', () => {
    expect(() => reader({ tools: [weather] }).read(text('', { toolCalls: [{ name: 'rm_rf', arguments: '{}' }] }))).toThrow(
      expect.objectContaining({ code: ErrorCode.Internal, message: 'The model called "rm_rf", which is not one of the tools offered.' }),
    );
    expect(() => reader().read(text('', { toolCalls: [{ name: 'get_weather', arguments: '{}' }] }))).toThrow(/not one of the tools/);
  });

  it('shows nothing of a forced call until the end, then makes the whole output one call', () => {
    const answer = reader({ tools: [weather], toolChoice: { name: 'get_weather' } });
    expect(answer.read(text('{"city": ', { logprobs: [lp('{"')] }))).toEqual([]);
    expect(answer.read(text('"Paris"}'))).toEqual([]);
    expect(answer.finish('stop')).toEqual({
      chunks: [{ type: 'tool_call', index: 0, id: 'call_1', name: 'get_weather', arguments: '{"city": "Paris"}' }],
      finishReason: 'tool_calls',
    });
  });

  it('refuses a forced call cut short', () => {
    const answer = reader({ tools: [weather, time], toolChoice: 'required' });
    answer.read(text('{"name": "get_weather", "argu'));
    expect(() => answer.finish('length')).toThrow(
      expect.objectContaining({ code: ErrorCode.ValidationFailed, message: expect.stringContaining('maxTokens') }),
    );
  });
});

describe('newToolCallId', () => {
  it('makes distinct ids in the call_ form', () => {
    const [a, b] = [newToolCallId(), newToolCallId()];
    expect(a).toMatch(/^call_[0-9a-f]{24}$/);
    expect(a).not.toBe(b);
  });
});
