import { isFinalMessageStatus, type ChatMessage, type Message } from '@shoshizan/shared-interfaces';

/**
 * A stored message as the model is sent it again: an answer's tool calls and the results
 * that name them go with the text (an answer that only called tools has none), or the
 * model would not know what it asked for and what came back.
 */
export function toChatMessage(m: Message): ChatMessage {
  return {
    role: m.role,
    content: m.content,
    ...(m.toolCalls ? { toolCalls: m.toolCalls } : {}),
    ...(m.toolCallId !== null ? { toolCallId: m.toolCallId } : {}),
  };
}

/**
 * The turns a new answer builds on, as the model is sent them: every message but the
 * answers that did not finish well (failed, cancelled, or still coming).
 */
export function chatHistory(messages: readonly Message[]): ChatMessage[] {
  return messages.filter((m) => m.role !== 'assistant' || m.status === 'done').map(toChatMessage);
}

/** Whether an answer in the conversation is still coming: a new one waits until it ends. */
export function stillAnswering(messages: readonly Message[]): boolean {
  return messages.some((m) => !isFinalMessageStatus(m.status));
}
