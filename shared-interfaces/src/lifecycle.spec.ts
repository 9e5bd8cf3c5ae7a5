import {
  CHAT_REQUEST_STATUSES,
  FINAL_REQUEST_STATUSES,
  MESSAGE_STATUSES,
  answerStatusOf,
  answerStatusOfMessage,
  isFinalAnswerStatus,
  isFinalEventType,
  isFinalMessageStatus,
  isFinalStatus,
  messageStatusOf,
  statusAfterEvent,
  type LifecycleEventType,
} from './lifecycle';

describe('the request lifecycle', () => {
  it('ends at done, error, cancelled and rejected', () => {
    expect(FINAL_REQUEST_STATUSES).toEqual(['done', 'error', 'cancelled', 'rejected']);
    expect(CHAT_REQUEST_STATUSES.filter(isFinalStatus)).toEqual(FINAL_REQUEST_STATUSES);
  });

  it.each([
    ['accepted', 'pending', 'queued'],
    ['queued', 'pending', 'queued'],
    ['running', 'running', 'streaming'],
    ['done', 'done', 'done'],
    ['error', 'error', 'error'],
    ['cancelled', 'cancelled', 'cancelled'],
    // Refused before it was queued: an answer that failed.
    ['rejected', 'error', 'error'],
  ] as const)('shows a %s request as a %s message and a %s answer', (request, message, answer) => {
    expect(messageStatusOf(request)).toBe(message);
    expect(answerStatusOf(request)).toBe(answer);
  });

  it.each([
    ['pending', 'queued', false],
    ['running', 'streaming', false],
    ['done', 'done', true],
    ['error', 'error', true],
    ['cancelled', 'cancelled', true],
  ] as const)('shows a %s message as a %s answer (final: %s)', (message, answer, final) => {
    expect(answerStatusOfMessage(message)).toBe(answer);
    expect(isFinalMessageStatus(message)).toBe(final);
    expect(isFinalAnswerStatus(answer)).toBe(final);
  });

  it('gives every message status one finality, whichever request status it comes from', () => {
    for (const message of MESSAGE_STATUSES) {
      const finals = new Set(CHAT_REQUEST_STATUSES.filter((s) => messageStatusOf(s) === message).map(isFinalStatus));
      expect({ message, finals: [...finals] }).toEqual({ message, finals: [isFinalMessageStatus(message)] });
    }
  });

  it.each([
    ['queued', null],
    ['started', 'running'],
    ['resumed', 'running'],
    ['retrying', null],
    ['token', 'running'],
    ['tool_call', 'running'],
    ['done', 'done'],
    ['error', 'error'],
    ['cancelled', 'cancelled'],
  ] as const)('moves a request on a %s event to %s', (type: LifecycleEventType, status) => {
    expect(statusAfterEvent(type)).toBe(status);
  });

  it('ends a stream at the events that make a request final', () => {
    const types: LifecycleEventType[] = ['queued', 'started', 'resumed', 'retrying', 'token', 'tool_call', 'done', 'error', 'cancelled'];
    expect(types.filter(isFinalEventType)).toEqual(['done', 'error', 'cancelled']);
  });
});
