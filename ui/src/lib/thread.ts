import type { Message, Posted } from '@/api/client';

/**
 * How the open conversation's messages change the moment the gateway accepts a new answer,
 * before its copy is read back: the page shows the question and the coming answer at once.
 * Sending, regenerating and editing differ only here (and in the route they post to); the
 * chat store's `placeAnswer` does the rest for all three. The functions change the array in
 * place, because the store's is reactive and the page watches it.
 */

/** The answer the gateway accepted, empty until its events fill it in. */
export function acceptedAnswer(posted: Posted, model: string | null, now = new Date()): Message {
  return {
    id: posted.messageId,
    role: 'assistant',
    content: '',
    toolCalls: null,
    toolCallId: null,
    model,
    requestId: posted.requestId,
    status: 'pending',
    errorCode: null,
    errorMessage: null,
    usage: null,
    durationMs: null,
    createdAt: now.toISOString(),
    finishedAt: null,
  };
}

/**
 * The person's message as sent. `id` is local: the gateway answers with the answer's id only,
 * and its own copy (with the message's id) is read back once the answer is done.
 */
export function sentMessage(id: string, content: string, now = new Date()): Message {
  return {
    id,
    role: 'user',
    content,
    toolCalls: null,
    toolCallId: null,
    model: null,
    requestId: null,
    status: 'done',
    errorCode: null,
    errorMessage: null,
    usage: null,
    durationMs: null,
    createdAt: now.toISOString(),
    finishedAt: null,
  };
}

/**
 * The failed answer the gateway kept for a request it refused (a rate limit, a spent quota),
 * read back after the refusal: the thread ends with an answer in error and lost nothing of
 * the `countBefore` messages it had. None: the gateway kept nothing, the page says why itself.
 */
export function refusedAnswer(messages: readonly Message[], countBefore: number): Message | undefined {
  const last = messages.at(-1);
  return last?.role === 'assistant' && last.status === 'error' && messages.length >= countBefore ? last : undefined;
}

/** Sent: the message and its answer come last. */
export function placeSent(messages: Message[], sent: Message, answer: Message): void {
  messages.push(sent, answer);
}

/** Regenerated: the new answer takes the last one's place. */
export function placeRegenerated(messages: Message[], answer: Message): void {
  if (messages.at(-1)?.role === 'assistant') messages.pop();
  messages.push(answer);
}

/** The last question edited: it reads `content` now, what followed it goes, the new answer follows. */
export function placeEdited(messages: Message[], content: string, answer: Message): void {
  const index = messages.map((m) => m.role).lastIndexOf('user');
  const question = messages[index];
  if (question) {
    messages.splice(index + 1);
    question.content = content;
  }
  messages.push(answer);
}
