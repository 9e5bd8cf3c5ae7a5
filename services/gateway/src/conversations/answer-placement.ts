import { DomainException } from '@shoshizan/service-kit';
import { ErrorCode, type ChatMessage, type Message } from '@shoshizan/shared-interfaces';

/*
 * Where a new answer goes in a conversation, decided from its messages as they stand under
 * the conversation's lock (ConversationsRepository.placeAnswer writes what is decided here).
 */

/** How the end of a conversation changes before a new answer is asked for, and where the answer goes. */
export type TailChange = { readonly answerAt: number } & (
  /** Messages added at the end, from position `at` (a user's message; a Responses input). */
  | { readonly kind: 'append'; readonly at: number; readonly messages: readonly ChatMessage[] }
  /** The last answer removed, to be answered again. */
  | { readonly kind: 'removeAnswer'; readonly messageId: string }
  /** The last user message's text replaced, and every message after position `removeAfter` removed. */
  | { readonly kind: 'editLast'; readonly messageId: string; readonly content: string; readonly removeAfter: number }
);

/** `added` after the last message; the answer after them. */
export function appendTo(messages: readonly Message[], added: readonly ChatMessage[]): TailChange {
  return { kind: 'append', at: messages.length, messages: added, answerAt: messages.length + added.length };
}

/** The last answer replaced by a new one, in its place. */
export function replaceLastAnswer(messages: readonly Message[]): TailChange {
  const last = messages.at(-1);
  if (!last || last.role !== 'assistant') throw new DomainException(ErrorCode.Conflict, 'There is no answer to regenerate.');
  return { kind: 'removeAnswer', messageId: last.id, answerAt: messages.length - 1 };
}

/** The last user message edited to `content`; what followed it goes, and the answer comes right after it. */
export function editLastUserMessage(messages: readonly Message[], content: string): TailChange {
  const index = messages.map((m) => m.role).lastIndexOf('user');
  const lastUser = messages[index];
  if (!lastUser) throw new DomainException(ErrorCode.Conflict, 'There is no user message to edit.');
  return { kind: 'editLast', messageId: lastUser.id, content, removeAfter: index, answerAt: index + 1 };
}

/** Why an answer's message failed when its request could not be sent: the refusal's code and words. */
export function refusalOf(error: unknown): { code: string; message: string } {
  return error instanceof DomainException
    ? { code: error.code, message: error.message }
    : { code: ErrorCode.Internal, message: 'The request could not be sent.' };
}
