import { DomainException } from '@shoshizan/service-kit';
import { ErrorCode, type Message } from '@shoshizan/shared-interfaces';
import { storedMessage } from '../../../../test/unit/support/stored-message';
import { appendTo, editLastUserMessage, refusalOf, replaceLastAnswer } from './answer-placement';

const message = (id: string, role: Message['role'], content = id): Message => storedMessage({ id, role, content });

/** user, assistant, user, assistant: positions 0 to 3. */
const conversation = [message('u1', 'user'), message('a1', 'assistant'), message('u2', 'user'), message('a2', 'assistant')];

const conflict = (f: () => unknown) => {
  try {
    f();
  } catch (error) {
    return error instanceof DomainException ? error.code : error;
  }
  return 'no refusal';
};

describe('where a new answer goes', () => {
  it('appends the added messages at the end, and the answer after them', () => {
    const added = [{ role: 'user' as const, content: 'Next?' }, { role: 'tool' as const, content: '{}', toolCallId: 'c1' }];
    expect(appendTo(conversation, added)).toEqual({ kind: 'append', at: 4, messages: added, answerAt: 6 });
    expect(appendTo([], [added[0]!])).toEqual({ kind: 'append', at: 0, messages: [added[0]], answerAt: 1 });
  });

  it('replaces the last answer in its place', () => {
    expect(replaceLastAnswer(conversation)).toEqual({ kind: 'removeAnswer', messageId: 'a2', answerAt: 3 });
  });

  it('refuses to regenerate when the conversation does not end with an answer', () => {
    expect(conflict(() => replaceLastAnswer(conversation.slice(0, 3)))).toBe(ErrorCode.Conflict);
    expect(conflict(() => replaceLastAnswer([]))).toBe(ErrorCode.Conflict);
  });

  it('edits the last user message, drops what followed it and answers right after it', () => {
    expect(editLastUserMessage(conversation, 'Again?')).toEqual({
      kind: 'editLast',
      messageId: 'u2',
      content: 'Again?',
      removeAfter: 2,
      answerAt: 3,
    });
    // Nothing follows it yet (its answer was a failure that a refusal removed, say).
    expect(editLastUserMessage(conversation.slice(0, 3), 'x')).toMatchObject({ messageId: 'u2', removeAfter: 2, answerAt: 3 });
  });

  it('refuses to edit when there is no user message', () => {
    expect(conflict(() => editLastUserMessage([message('s', 'system')], 'x'))).toBe(ErrorCode.Conflict);
  });
});

describe('refusalOf (what a failed answer says when its request was not sent)', () => {
  it("keeps a domain refusal's code and words", () => {
    const error = new DomainException(ErrorCode.RateLimited, 'Too many requests.');
    expect(refusalOf(error)).toEqual({ code: ErrorCode.RateLimited, message: 'Too many requests.' });
  });

  it('tells nothing of an unexpected error', () => {
    expect(refusalOf(new Error('ECONNRESET 10.0.0.3'))).toEqual({ code: ErrorCode.Internal, message: 'The request could not be sent.' });
  });
});
