import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DomainException } from '@shoshizan/service-kit';
import {
  ErrorCode,
  type ConversationPage,
  type GenerationOptions,
  type PostMessage,
  type Posted,
} from '@shoshizan/shared-interfaces';
import type { AuthenticatedUser } from '../auth/authenticated-user';
import { ChatService } from '../chat/chat.service';
import { appendTo, editLastUserMessage, refusalOf, replaceLastAnswer, type TailChange } from './answer-placement';
import { chatHistory, stillAnswering } from './chat-history';
import { ConversationsRepository, type Conversation, type Message } from './conversations.repository';

export type { Posted };

function encodeCursor(c: Conversation): string {
  return Buffer.from(`${c.updatedAt}|${c.id}`).toString('base64url');
}

function decodeCursor(cursor: string): { updatedAt: string; id: string } {
  const [updatedAt, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (!updatedAt || !id || Number.isNaN(Date.parse(updatedAt)) || !/^[0-9a-f-]{36}$/.test(id)) {
    throw new DomainException(ErrorCode.ValidationFailed, 'The cursor is not one this API gave out.', {
      issues: [{ path: 'cursor', message: 'is not a valid cursor' }],
    });
  }
  return { updatedAt, id };
}

/**
 * Conversations kept with their messages. Posting a message answers 202 at once with the
 * request id and queue position; the assistant's message fills in from the request's events.
 */
@Injectable()
export class ConversationsService {
  constructor(
    private readonly repository: ConversationsRepository,
    private readonly chat: ChatService,
  ) {}

  async create(user: AuthenticatedUser, title?: string): Promise<Conversation> {
    return this.repository.create(randomUUID(), user.userId, title ?? 'New conversation');
  }

  async list(user: AuthenticatedUser, limit: number, cursor?: string, search?: string): Promise<ConversationPage> {
    const items = await this.repository.list(user.userId, limit, cursor ? decodeCursor(cursor) : undefined, search);
    const last = items.at(-1);
    return { items, nextCursor: items.length === limit && last ? encodeCursor(last) : null };
  }

  async get(user: AuthenticatedUser, id: string): Promise<Conversation & { messages: Message[] }> {
    const conversation = await this.own(user, id);
    return { ...conversation, messages: await this.repository.messages(id) };
  }

  async rename(user: AuthenticatedUser, id: string, title: string): Promise<Conversation> {
    const renamed = await this.repository.rename(user.userId, id, title);
    if (!renamed) throw this.notFound(id);
    return renamed;
  }

  async delete(user: AuthenticatedUser, id: string): Promise<void> {
    if (!(await this.repository.delete(user.userId, id))) throw this.notFound(id);
  }

  /** Adds a user message and asks for the answer. */
  async post(user: AuthenticatedUser, id: string, body: PostMessage): Promise<Posted> {
    const conversation = await this.own(user, id);
    return this.answer(user, conversation, body, (messages) => appendTo(messages, [{ role: 'user', content: body.content }]));
  }

  /** Answers the last user message again: the last answer is replaced. */
  async regenerate(
    user: AuthenticatedUser,
    id: string,
    body: { model?: string; options: GenerationOptions },
  ): Promise<Posted> {
    const conversation = await this.own(user, id);
    return this.answer(user, conversation, body, replaceLastAnswer);
  }

  /** Replaces the last user message and answers it again; what followed it goes. */
  async editLast(user: AuthenticatedUser, id: string, body: PostMessage): Promise<Posted> {
    const conversation = await this.own(user, id);
    return this.answer(user, conversation, body, (messages) => editLastUserMessage(messages, body.content));
  }

  /**
   * The shared part: `change` says how the end of the conversation changes (see
   * answer-placement.ts); a pending answer is placed after it, then the conversation so far
   * is sent as the request. If the request is refused (rate limit, queue down), the answer
   * is marked failed. A model named in the body is remembered as the conversation's; without
   * one, the conversation's model (or gpt-api's default) answers.
   */
  private async answer(
    user: AuthenticatedUser,
    conversation: Conversation,
    requested: { model?: string; options: GenerationOptions },
    change: (messages: readonly Message[]) => TailChange,
  ): Promise<Posted> {
    const conversationId = conversation.id;
    const model = requested.model ?? conversation.model ?? undefined;
    const requestId = randomUUID();
    const placed = await this.repository.placeAnswer(
      conversationId,
      { requestId, model, rememberModel: requested.model },
      (messages) => {
        this.refuseWhileAnswering(messages);
        return change(messages);
      },
    );
    try {
      const accepted = await this.chat.accept(
        user,
        {
          conversationId,
          messages: chatHistory(placed.after),
          options: requested.options,
          timeoutSeconds: 300,
          ...(model ? { model } : {}),
        },
        requestId,
      );
      accepted.events.close(); // the answer is read from /v1/chat/:id/events
      const queuePosition = await this.chat.queuePosition(accepted.enqueued);
      return {
        requestId,
        messageId: placed.messageId,
        queuePosition,
        estimatedWaitSeconds: (await this.chat.estimateWaitSeconds(queuePosition)) ?? null,
        eventsUrl: `/v1/chat/${requestId}/events`,
      };
    } catch (error) {
      await this.repository.failPending(requestId, refusalOf(error));
      throw error;
    }
  }

  private refuseWhileAnswering(messages: readonly Message[]): void {
    if (stillAnswering(messages)) {
      throw new DomainException(
        ErrorCode.Conflict,
        'An answer in this conversation is still coming; wait for it or cancel it first.',
      );
    }
  }

  private async own(user: AuthenticatedUser, id: string): Promise<Conversation> {
    const conversation = await this.repository.find(user.userId, id);
    if (!conversation) throw this.notFound(id);
    return conversation;
  }

  private notFound(id: string): DomainException {
    // Another user's conversation is indistinguishable from a missing one.
    return new DomainException(ErrorCode.NotFound, `No conversation ${id}.`);
  }
}
