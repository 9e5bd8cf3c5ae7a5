import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import { PG_POOL, inTransaction } from '@shoshizan/service-kit';
import {
  messageStatusOf,
  statusAfterEvent,
  type Conversation,
  type Message,
  type ResponseEvent,
  type ToolCall,
} from '@shoshizan/shared-interfaces';
import type { ResponseEventListener } from '../chat/response-event-listener';
import type { TailChange } from './answer-placement';

export type { Conversation, Message };

interface ConversationRow {
  conversation_id: string;
  title: string;
  model: string | null;
  created_at: Date;
  updated_at: Date;
}

interface MessageRow {
  message_id: string;
  role: Message['role'];
  content: string;
  tool_calls: ToolCall[] | null;
  tool_call_id: string | null;
  model: string | null;
  request_id: string | null;
  status: Message['status'];
  error_code: string | null;
  error_message: string | null;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  duration_ms: number | null;
  created_at: Date;
  finished_at: Date | null;
}

/** The answer a new request will give: its message names the request and is `pending` until it starts. */
export interface PendingAnswer {
  readonly requestId: string;
  /** The model asked for; none: gpt-api's default. */
  readonly model?: string | undefined;
  /** A model to keep as the conversation's, for the answers after this one. */
  readonly rememberModel?: string | undefined;
}

/** What placeAnswer did: the new answer's message, and the conversation before and after the change. */
export interface PlacedAnswer {
  readonly messageId: string;
  readonly before: readonly Message[];
  readonly after: readonly Message[];
}

/** A message to add; an assistant's that is still to be answered names its request and is `pending`. */
interface NewMessage {
  readonly conversationId: string;
  readonly position: number;
  readonly role: Message['role'];
  readonly content: string;
  readonly toolCalls?: readonly ToolCall[];
  readonly toolCallId?: string;
  readonly model?: string;
  readonly requestId?: string;
  readonly status: Message['status'];
}

const toConversation = (r: ConversationRow): Conversation => ({
  id: r.conversation_id,
  title: r.title,
  model: r.model,
  createdAt: r.created_at.toISOString(),
  updatedAt: r.updated_at.toISOString(),
});

const toMessage = (r: MessageRow): Message => ({
  id: r.message_id,
  role: r.role,
  content: r.content,
  toolCalls: r.tool_calls,
  toolCallId: r.tool_call_id,
  model: r.model,
  requestId: r.request_id,
  status: r.status,
  errorCode: r.error_code,
  errorMessage: r.error_message,
  usage:
    r.prompt_tokens === null || r.completion_tokens === null
      ? null
      : { promptTokens: r.prompt_tokens, completionTokens: r.completion_tokens },
  durationMs: r.duration_ms,
  createdAt: r.created_at.toISOString(),
  finishedAt: r.finished_at?.toISOString() ?? null,
});

/** Conversations and their messages (schema `gateway`). Every query is scoped to its owner. */
@Injectable()
export class ConversationsRepository implements ResponseEventListener {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async create(id: string, userId: string, title: string): Promise<Conversation> {
    const { rows } = await this.pool.query<ConversationRow>(
      `INSERT INTO gateway.conversations (conversation_id, user_id, title) VALUES ($1, $2, $3)
       RETURNING conversation_id, title, model, created_at, updated_at`,
      [id, userId, title],
    );
    return toConversation(rows[0]!);
  }

  /**
   * Newest first; `before` is the cursor a previous page returned; `search` keeps those whose
   * title contains it (case-insensitive, taken literally).
   */
  async list(
    userId: string,
    limit: number,
    before?: { updatedAt: string; id: string },
    search?: string,
  ): Promise<Conversation[]> {
    const pattern = search ? `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
    const { rows } = await this.pool.query<ConversationRow>(
      `SELECT conversation_id, title, model, created_at, updated_at FROM gateway.conversations
        WHERE user_id = $1 AND deleted_at IS NULL
          AND ($2::timestamptz IS NULL OR (updated_at, conversation_id) < ($2::timestamptz, $3::uuid))
          AND ($5::text IS NULL OR title ILIKE $5)
        ORDER BY updated_at DESC, conversation_id DESC LIMIT $4`,
      [userId, before?.updatedAt ?? null, before?.id ?? null, limit, pattern],
    );
    return rows.map(toConversation);
  }

  async find(userId: string, id: string): Promise<Conversation | undefined> {
    const { rows } = await this.pool.query<ConversationRow>(
      `SELECT conversation_id, title, model, created_at, updated_at FROM gateway.conversations
        WHERE conversation_id = $1 AND user_id = $2 AND deleted_at IS NULL`,
      [id, userId],
    );
    return rows[0] ? toConversation(rows[0]) : undefined;
  }

  async rename(userId: string, id: string, title: string): Promise<Conversation | undefined> {
    const { rows } = await this.pool.query<ConversationRow>(
      `UPDATE gateway.conversations SET title = $3, updated_at = now()
        WHERE conversation_id = $1 AND user_id = $2 AND deleted_at IS NULL
        RETURNING conversation_id, title, model, created_at, updated_at`,
      [id, userId, title],
    );
    return rows[0] ? toConversation(rows[0]) : undefined;
  }

  async delete(userId: string, id: string): Promise<boolean> {
    const result = await this.pool.query(
      `UPDATE gateway.conversations SET deleted_at = now()
        WHERE conversation_id = $1 AND user_id = $2 AND deleted_at IS NULL`,
      [id, userId],
    );
    return result.rowCount === 1;
  }

  async messages(conversationId: string): Promise<Message[]> {
    return this.messagesWith(this.pool, conversationId);
  }

  /**
   * Places a new answer at the end of a conversation, in one transaction under a row lock on
   * the conversation (two tabs sending at once are serialised): `decide` sees the messages
   * and says how the end changes (it may refuse by throwing: nothing is written then); the
   * change is written, then the answer's message, `pending` on its request, where the change
   * says. Returns that message's id and the messages before and after the change (without it).
   */
  async placeAnswer(
    conversationId: string,
    answer: PendingAnswer,
    decide: (messages: readonly Message[]) => TailChange,
  ): Promise<PlacedAnswer> {
    return inTransaction(this.pool, async (client) => {
      await client.query('SELECT 1 FROM gateway.conversations WHERE conversation_id = $1 FOR UPDATE', [conversationId]);
      const before = await this.messagesWith(client, conversationId);
      const change = decide(before);
      await this.writeChange(client, conversationId, change);
      const after = await this.messagesWith(client, conversationId);
      const messageId = await this.insertMessage(client, {
        conversationId,
        position: change.answerAt,
        role: 'assistant',
        content: '',
        ...(answer.model ? { model: answer.model } : {}),
        requestId: answer.requestId,
        status: messageStatusOf('accepted'),
      });
      if (answer.rememberModel) {
        await client.query('UPDATE gateway.conversations SET model = $2 WHERE conversation_id = $1', [
          conversationId,
          answer.rememberModel,
        ]);
      }
      await client.query('UPDATE gateway.conversations SET updated_at = now() WHERE conversation_id = $1', [
        conversationId,
      ]);
      return { messageId, before, after };
    });
  }

  private async writeChange(client: PoolClient, conversationId: string, change: TailChange): Promise<void> {
    switch (change.kind) {
      case 'append': {
        let position = change.at;
        for (const message of change.messages) {
          await this.insertMessage(client, { conversationId, position: position++, ...message, status: 'done' });
        }
        return;
      }
      case 'removeAnswer':
        await client.query('DELETE FROM gateway.messages WHERE message_id = $1', [change.messageId]);
        return;
      case 'editLast':
        await client.query('DELETE FROM gateway.messages WHERE conversation_id = $1 AND position > $2', [
          conversationId,
          change.removeAfter,
        ]);
        await client.query('UPDATE gateway.messages SET content = $2 WHERE message_id = $1', [
          change.messageId,
          change.content,
        ]);
        return;
    }
  }

  private async messagesWith(client: Pick<Pool, 'query'>, conversationId: string): Promise<Message[]> {
    const { rows } = await client.query<MessageRow>(
      `SELECT message_id, role, content, tool_calls, tool_call_id, model, request_id, status, error_code, error_message,
              prompt_tokens, completion_tokens, duration_ms, created_at, finished_at
         FROM gateway.messages WHERE conversation_id = $1 ORDER BY position`,
      [conversationId],
    );
    return rows.map(toMessage);
  }

  private async insertMessage(client: Pick<PoolClient, 'query'>, message: NewMessage): Promise<string> {
    const messageId = randomUUID();
    await client.query(
      `INSERT INTO gateway.messages
              (message_id, conversation_id, position, role, content, tool_calls, tool_call_id, model, request_id, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        messageId,
        message.conversationId,
        message.position,
        message.role,
        message.content,
        // As JSON text: pg would send an array as a PostgreSQL array.
        message.toolCalls?.length ? JSON.stringify(message.toolCalls) : null,
        message.toolCallId ?? null,
        message.model ?? null,
        message.requestId ?? null,
        message.status,
      ],
    );
    return messageId;
  }

  /** Marks the answer of a request that was refused before it was enqueued. */
  async failPending(requestId: string, refusal: { code: string; message: string }): Promise<void> {
    await this.pool.query(
      `UPDATE gateway.messages SET status = $4, error_code = $2, error_message = $3, finished_at = now()
        WHERE request_id = $1 AND status = 'pending'`,
      [requestId, refusal.code, refusal.message, messageStatusOf('rejected')],
    );
  }

  /**
   * Fills an assistant message in from its request's events (called for every non-token
   * event): its status follows its request's (lifecycle.ts), and the final event gathers the
   * text and the tool calls from the events stored before it.
   */
  async applyEvent(event: ResponseEvent): Promise<void> {
    const after = statusAfterEvent(event.type);
    const status = after === null ? null : messageStatusOf(after);
    switch (event.type) {
      case 'started':
      case 'resumed':
        await this.pool.query(
          `UPDATE gateway.messages SET status = $3, error_code = NULL, error_message = NULL,
                  model = CASE WHEN $2::text IS NULL THEN model ELSE $2 END
            WHERE request_id = $1 AND status IN ('pending', 'running', 'error')`,
          [event.requestId, event.type === 'started' ? event.model : null, status],
        );
        return;
      case 'done':
      case 'error':
      case 'cancelled': {
        await this.pool.query(
          `UPDATE gateway.messages m SET
              status = $2,
              content = coalesce((SELECT string_agg(e.event->>'text', '' ORDER BY e.seq) FROM gateway.response_events e
                                   WHERE e.request_id = $1 AND e.event->>'type' = 'token'), ''),
              tool_calls = (SELECT jsonb_agg(jsonb_build_object('id', e.event->'id', 'name', e.event->'name',
                                                                'arguments', e.event->'arguments') ORDER BY e.seq)
                              FROM gateway.response_events e
                             WHERE e.request_id = $1 AND e.event->>'type' = 'tool_call'),
              model = coalesce($3, m.model), error_code = $4, error_message = $8,
              prompt_tokens = $5, completion_tokens = $6, duration_ms = $7, finished_at = now()
            WHERE request_id = $1`,
          [
            event.requestId,
            status,
            event.type === 'done' ? event.model : null,
            event.type === 'error' ? event.code : null,
            event.type === 'done' ? event.usage.promptTokens : null,
            event.type === 'done' ? event.usage.completionTokens : null,
            event.type === 'done' ? Math.round(event.durationMs) : null,
            event.type === 'error' ? event.message : null,
          ],
        );
        return;
      }
      case 'queued':
      case 'retrying':
      case 'token':
      case 'tool_call':
        return;
    }
  }
}
