import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
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
import { toChatMessage } from './chat-history';
import { ConversationsRepository, type Conversation, type Message } from './conversations.repository';

export type { Posted };

const ANSWERING: readonly Message['status'][] = ['pending', 'running'];

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
    return this.answer(user, conversation, body, async (messages, client, insert) => {
      this.refuseWhileAnswering(messages);
      await insert(client, messages.length, 'user', body.content);
      return messages.length + 1;
    });
  }

  /** Answers the last user message again: the last answer is replaced. */
  async regenerate(
    user: AuthenticatedUser,
    id: string,
    body: { model?: string; options: GenerationOptions },
  ): Promise<Posted> {
    const conversation = await this.own(user, id);
    return this.answer(user, conversation, body, async (messages, client) => {
      this.refuseWhileAnswering(messages);
      const last = messages.at(-1);
      if (!last || last.role !== 'assistant') {
        throw new DomainException(ErrorCode.Conflict, 'There is no answer to regenerate.');
      }
      await client.query('DELETE FROM gateway.messages WHERE message_id = $1', [last.id]);
      return messages.length - 1;
    });
  }

  /** Replaces the last user message and answers it again; what followed it goes. */
  async editLast(user: AuthenticatedUser, id: string, body: PostMessage): Promise<Posted> {
    const conversation = await this.own(user, id);
    return this.answer(user, conversation, body, async (messages, client) => {
      this.refuseWhileAnswering(messages);
      const index = messages.map((m) => m.role).lastIndexOf('user');
      const lastUser = messages[index];
      if (!lastUser) throw new DomainException(ErrorCode.Conflict, 'There is no user message to edit.');
      await client.query('DELETE FROM gateway.messages WHERE conversation_id = $1 AND position > $2', [id, index]);
      await client.query('UPDATE gateway.messages SET content = $2 WHERE message_id = $1', [lastUser.id, body.content]);
      return index + 1;
    });
  }

  /**
   * The shared part: `shape` changes the tail and says where the answer goes; a pending
   * assistant message is added there, and the conversation so far is sent as the request.
   * If the request is refused (rate limit, queue down), the answer is marked failed. A
   * model named in the body is remembered as the conversation's; without one, the
   * conversation's model (or gpt-api's default) answers.
   */
  private async answer(
    user: AuthenticatedUser,
    conversation: Conversation,
    requested: { model?: string; options: GenerationOptions },
    shape: (
      messages: Message[],
      client: PoolClient,
      insert: (client: PoolClient, position: number, role: Message['role'], content: string) => Promise<string>,
    ) => Promise<number>,
  ): Promise<Posted> {
    const id = conversation.id;
    const model = requested.model ?? conversation.model ?? undefined;
    const body = { ...requested, ...(model ? { model } : {}) };
    const requestId = randomUUID();
    const insert = (client: PoolClient, position: number, role: Message['role'], content: string) =>
      this.repository.insertMessage(client, {
        conversationId: id,
        position,
        role,
        content,
        ...(role === 'assistant' ? { model: body.model, requestId, status: 'pending' } : { status: 'done' }),
      });
    const { messageId, history } = await this.repository.withTail(id, async (messages, client) => {
      const position = await shape(messages, client, insert);
      const kept = (await this.repository.messagesWith(client, id)).filter(
        (m) => m.role !== 'assistant' || m.status === 'done',
      );
      const messageId = await insert(client, position, 'assistant', '');
      if (requested.model) {
        await client.query('UPDATE gateway.conversations SET model = $2 WHERE conversation_id = $1', [id, requested.model]);
      }
      return { messageId, history: kept.map(toChatMessage) };
    });
    try {
      const accepted = await this.chat.accept(
        user,
        {
          conversationId: id,
          messages: history,
          options: body.options,
          timeoutSeconds: 300,
          ...(body.model ? { model: body.model } : {}),
        },
        requestId,
      );
      accepted.events.close(); // the answer is read from /v1/chat/:id/events
      const queuePosition = await this.chat.queuePosition(accepted.enqueued);
      return {
        requestId,
        messageId,
        queuePosition,
        estimatedWaitSeconds: (await this.chat.estimateWaitSeconds(queuePosition)) ?? null,
        eventsUrl: `/v1/chat/${requestId}/events`,
      };
    } catch (error) {
      const code = error instanceof DomainException ? error.code : ErrorCode.Internal;
      const message = error instanceof DomainException ? error.message : 'The request could not be sent.';
      await this.repository.failPending(requestId, code, message);
      throw error;
    }
  }

  private refuseWhileAnswering(messages: readonly Message[]): void {
    if (messages.some((m) => ANSWERING.includes(m.status))) {
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
