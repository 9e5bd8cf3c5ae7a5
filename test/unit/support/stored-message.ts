import type { Message } from '@shoshizan/shared-interfaces';

/*
 * A conversation's message as the gateway stores it, for the unit specs of what reads or
 * reshapes a conversation (answer placement, the history sent for an answer, the
 * conversations service): a finished message with nothing but its id, role and content set,
 * and what a spec names over that.
 */
export function storedMessage(fields: Pick<Message, 'id' | 'role'> & Partial<Message>): Message {
  return {
    content: fields.id,
    toolCalls: null,
    toolCallId: null,
    model: null,
    requestId: null,
    status: 'done',
    errorCode: null,
    errorMessage: null,
    usage: null,
    durationMs: null,
    createdAt: '2026-01-01T00:00:00.000Z',
    finishedAt: null,
    ...fields,
  };
}
