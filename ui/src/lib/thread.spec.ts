import { describe, expect, it } from 'vitest';
import type { Message } from '@/api/client';
import { acceptedAnswer, placeEdited, placeRegenerated, placeSent, refusedAnswer, sentMessage } from './thread';

const NOW = new Date('2026-01-01T00:00:00.000Z');
const posted = {
  requestId: '0b5ad8b4-6e53-4a8a-9d86-2f1f5a1b3c4d',
  messageId: 'a0000000-0000-4000-8000-000000000001',
  queuePosition: 0,
  estimatedWaitSeconds: null,
  eventsUrl: '/v1/chat/0b5ad8b4-6e53-4a8a-9d86-2f1f5a1b3c4d/events',
};
const question = (id: string, content: string): Message => sentMessage(id, content, NOW);
const answer = (id: string, content: string): Message => ({ ...acceptedAnswer({ ...posted, messageId: id }, null, NOW), content, status: 'done' });
/** A thread as [role, content] pairs, the shape these tests read. */
const shape = (messages: Message[]) => messages.map((m) => [m.role, m.content]);

describe('placing an accepted answer in the thread', () => {
  it('the accepted answer is pending, empty, and carries the request it streams from and the model asked for', () => {
    expect(acceptedAnswer(posted, 'gemma3:270m', NOW)).toMatchObject({
      id: posted.messageId,
      role: 'assistant',
      requestId: posted.requestId,
      status: 'pending',
      content: '',
      model: 'gemma3:270m',
      createdAt: NOW.toISOString(),
    });
  });

  it('sent: the question and its answer come last', () => {
    const messages = [question('q1', 'Hi'), answer('a1', 'Hello')];
    placeSent(messages, question('local-1', 'Why?'), acceptedAnswer(posted, null, NOW));
    expect(shape(messages)).toEqual([
      ['user', 'Hi'],
      ['assistant', 'Hello'],
      ['user', 'Why?'],
      ['assistant', ''],
    ]);
    expect(messages[2]).toMatchObject({ id: 'local-1', status: 'done', requestId: null });
  });

  it('regenerated: the new answer replaces the last one, and only an answer is replaced', () => {
    const messages = [question('q1', 'Hi'), answer('a1', 'Hello')];
    placeRegenerated(messages, acceptedAnswer(posted, null, NOW));
    expect(messages.map((m) => m.id)).toEqual(['q1', posted.messageId]);
    // A question left without an answer (a refusal the page lost) stays.
    const unanswered = [question('q1', 'Hi')];
    placeRegenerated(unanswered, acceptedAnswer(posted, null, NOW));
    expect(unanswered.map((m) => m.id)).toEqual(['q1', posted.messageId]);
  });

  it('edited: the last question reads the new words, what followed it goes, the new answer follows', () => {
    const messages = [question('q1', 'Hi'), answer('a1', 'Hello'), question('q2', 'Why?'), answer('a2', 'Because.')];
    placeEdited(messages, 'Why not?', acceptedAnswer(posted, null, NOW));
    expect(shape(messages)).toEqual([
      ['user', 'Hi'],
      ['assistant', 'Hello'],
      ['user', 'Why not?'],
      ['assistant', ''],
    ]);
    expect(messages[2]!.id).toBe('q2');
  });
});

describe('the answer a refused request left', () => {
  const failed = (id: string): Message => ({ ...answer(id, ''), status: 'error', errorCode: 'rate_limited' });

  it('is the failed answer that ends the thread read back after the refusal', () => {
    const messages = [question('q1', 'Hi'), answer('a1', 'Hello'), question('q2', 'Again?'), failed('a2')];
    expect(refusedAnswer(messages, 2)?.id).toBe('a2');
  });

  it('is none when the thread ends otherwise, or lost messages (it is not the one just refused)', () => {
    expect(refusedAnswer([question('q1', 'Hi'), answer('a1', 'Hello')], 2)).toBeUndefined();
    expect(refusedAnswer([question('q1', 'Hi')], 1)).toBeUndefined();
    expect(refusedAnswer([question('q1', 'Hi'), failed('a1')], 4)).toBeUndefined();
  });
});
