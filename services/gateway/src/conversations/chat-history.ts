import type { ChatMessage, Message } from '@shoshizan/shared-interfaces';

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
