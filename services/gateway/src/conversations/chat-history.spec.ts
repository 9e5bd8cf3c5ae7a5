import { chatMessageSchema, type Message } from '@shoshizan/shared-interfaces';
import { storedMessage } from '../../../../test/unit/support/stored-message';
import { chatHistory, stillAnswering, toChatMessage } from './chat-history';

const stored: Message = storedMessage({
  id: '0b5ad8b4-6e53-4a8a-9d86-2f1f5a1b3c4d',
  role: 'user',
  content: 'What is the weather in Oslo?',
});

describe('toChatMessage (the history sent for a new answer)', () => {
  it('sends a text message as role and content only', () => {
    expect(toChatMessage(stored)).toStrictEqual({ role: 'user', content: 'What is the weather in Oslo?' });
  });

  it('sends an answer that only called tools with its calls, a valid message for all its empty text', () => {
    const calls = [{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Oslo"}' }];
    const message = toChatMessage({ ...stored, role: 'assistant', content: '', toolCalls: calls, model: 'm' });
    expect(message).toStrictEqual({ role: 'assistant', content: '', toolCalls: calls });
    expect(chatMessageSchema.safeParse(message).success).toBe(true);
  });

  it('sends a tool result with the call it answers', () => {
    const message = toChatMessage({ ...stored, role: 'tool', content: '{"celsius":4}', toolCallId: 'call_1' });
    expect(message).toStrictEqual({ role: 'tool', content: '{"celsius":4}', toolCallId: 'call_1' });
    expect(chatMessageSchema.safeParse(message).success).toBe(true);
  });
});

describe('chatHistory (the turns a new answer builds on)', () => {
  const answer = (status: Message['status'], content: string): Message => ({ ...stored, role: 'assistant', status, content });

  it('keeps every message but the answers that did not finish well', () => {
    const messages = [
      stored,
      answer('error', 'half an answer'),
      answer('cancelled', 'stopped'),
      { ...stored, content: 'Try again' },
      answer('done', 'Cold.'),
      answer('pending', ''),
    ];
    expect(chatHistory(messages)).toStrictEqual([
      { role: 'user', content: 'What is the weather in Oslo?' },
      { role: 'user', content: 'Try again' },
      { role: 'assistant', content: 'Cold.' },
    ]);
  });

  it('sees an answer still coming while it is pending or running, not once it is final', () => {
    expect(stillAnswering([stored, answer('pending', '')])).toBe(true);
    expect(stillAnswering([stored, answer('running', '')])).toBe(true);
    for (const status of ['done', 'error', 'cancelled'] as const) expect(stillAnswering([stored, answer(status, '')])).toBe(false);
    expect(stillAnswering([])).toBe(false);
  });
});
