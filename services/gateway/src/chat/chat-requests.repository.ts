import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { PG_POOL, inTransaction } from '@shoshizan/service-kit';
import {
  FINAL_REQUEST_STATUSES,
  statusAfterEvent,
  type ChatRequestStatus,
  type ResponseEvent,
} from '@shoshizan/shared-interfaces';
import type { ResponseEventListener } from './response-event-listener';

export interface ChatRequestRecord {
  readonly requestId: string;
  readonly userId: string;
  readonly conversationId: string;
  readonly model: string | null;
  readonly status: ChatRequestStatus;
  readonly errorCode: string | null;
  readonly promptTokens: number | null;
  readonly completionTokens: number | null;
  readonly createdAt: string;
  readonly finishedAt: string | null;
}

interface ChatRequestRow {
  request_id: string;
  user_id: string;
  conversation_id: string;
  model: string | null;
  status: ChatRequestStatus;
  error_code: string | null;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  created_at: Date;
  finished_at: Date | null;
}

/** The final statuses as an SQL list: a row in one of them is never written again. */
const FINAL = `(${FINAL_REQUEST_STATUSES.map((s) => `'${s}'`).join(', ')})`;

/** The gateway's record of each request it accepted (schema `gateway`). */
@Injectable()
export class ChatRequestsRepository implements ResponseEventListener {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  /**
   * Records a new request unless its user already started `perMinute` requests in the last
   * minute (refused requests not counted). Serialised per user with an advisory lock, so the
   * limit holds across gateway replicas; with no limit (`null`), one plain insert. Returns
   * the seconds until a slot frees, if refused.
   */
  async insertWithinRate(
    record: { requestId: string; userId: string; conversationId: string; model?: string },
    perMinute: number | null,
  ): Promise<{ retryAfterSeconds?: number }> {
    if (perMinute === null) {
      // No rate to hold: one statement, no transaction, no per-user lock (a crowd of one
      // user's requests would otherwise be admitted one at a time).
      await this.pool.query(
        `INSERT INTO gateway.chat_requests (request_id, user_id, conversation_id, model) VALUES ($1, $2, $3, $4)`,
        [record.requestId, record.userId, record.conversationId, record.model ?? null],
      );
      return {};
    }
    return inTransaction(this.pool, async (client) => {
      await client.query(`SELECT pg_advisory_xact_lock(hashtextextended('gateway.admission:' || $1, 0))`, [
        record.userId,
      ]);
      const { rows } = await client.query<{ n: number; oldest: Date | null }>(
        `SELECT count(*)::int AS n, min(created_at) AS oldest FROM gateway.chat_requests
          WHERE user_id = $1 AND created_at > now() - interval '1 minute' AND status <> 'rejected'`,
        [record.userId],
      );
      const { n, oldest } = rows[0] ?? { n: 0, oldest: null };
      if (n >= perMinute) {
        const wait = oldest ? Math.ceil((oldest.getTime() + 60_000 - Date.now()) / 1000) : 60;
        return { retryAfterSeconds: Math.max(1, wait) };
      }
      await client.query(
        `INSERT INTO gateway.chat_requests (request_id, user_id, conversation_id, model) VALUES ($1, $2, $3, $4)`,
        [record.requestId, record.userId, record.conversationId, record.model ?? null],
      );
      return {};
    });
  }

  /**
   * Whether `userId` may send under `conversationId`: no other user's conversation or request
   * has it, and it is not a deleted conversation. An id nobody has used yet is open (a client
   * may pick one to keep its requests in order) and is the caller's from its first request.
   */
  async conversationOpenTo(conversationId: string, userId: string): Promise<boolean> {
    const { rows } = await this.pool.query<{ open: boolean }>(
      `SELECT NOT EXISTS (SELECT 1 FROM gateway.conversations
                           WHERE conversation_id = $1 AND (user_id <> $2 OR deleted_at IS NOT NULL))
          AND NOT EXISTS (SELECT 1 FROM gateway.chat_requests WHERE conversation_id = $1 AND user_id <> $2) AS open`,
      [conversationId, userId],
    );
    return rows[0]?.open ?? false;
  }

  async setStatus(requestId: string, status: 'rejected', errorCode?: string): Promise<void> {
    await this.pool.query(
      `UPDATE gateway.chat_requests
          SET status = $2, error_code = $3, finished_at = CASE WHEN $2 = 'rejected' THEN now() END
        WHERE request_id = $1 AND status NOT IN ${FINAL} AND status <> 'running'`,
      [requestId, status, errorCode ?? null],
    );
  }

  /** The request is durable in Kafka at this place (kept so its queue position can be told later). */
  async markQueued(requestId: string, place: { partition: number; offset: string }): Promise<void> {
    await this.pool.query(
      `UPDATE gateway.chat_requests SET status = 'queued', kafka_partition = $2, kafka_offset = $3
        WHERE request_id = $1 AND status NOT IN ${FINAL} AND status <> 'running'`,
      [requestId, place.partition, place.offset],
    );
  }

  /** Where a request was enqueued, if it was. */
  async placeOf(requestId: string): Promise<{ partition: number; offset: string } | undefined> {
    const { rows } = await this.pool.query<{ kafka_partition: number | null; kafka_offset: string | null }>(
      'SELECT kafka_partition, kafka_offset FROM gateway.chat_requests WHERE request_id = $1',
      [requestId],
    );
    const row = rows[0];
    return row && row.kafka_partition !== null && row.kafka_offset !== null
      ? { partition: row.kafka_partition, offset: row.kafka_offset }
      : undefined;
  }

  /**
   * How long recent answers took from a worker's start to their end, in ms (the mean of
   * the last `sample` done requests of anyone); undefined before any.
   */
  async recentRunMs(sample = 20): Promise<number | undefined> {
    const { rows } = await this.pool.query<{ ms: number | null }>(
      `SELECT avg(extract(epoch FROM finished_at - started_at) * 1000)::float8 AS ms FROM (
         SELECT started_at, finished_at FROM gateway.chat_requests
          WHERE status = 'done' AND started_at IS NOT NULL AND finished_at >= started_at
          ORDER BY finished_at DESC LIMIT $1) recent`,
      [sample],
    );
    const ms = rows[0]?.ms;
    return ms === null || ms === undefined ? undefined : ms;
  }

  /** Stores response events for replay; idempotent (one row per request and seq). */
  async storeEvents(events: readonly ResponseEvent[]): Promise<void> {
    if (events.length === 0) return;
    await this.pool.query(
      `INSERT INTO gateway.response_events (request_id, seq, event)
       SELECT * FROM unnest($1::uuid[], $2::int[], $3::jsonb[])
       ON CONFLICT (request_id, seq) DO NOTHING`,
      [events.map((e) => e.requestId), events.map((e) => e.seq), events.map((e) => JSON.stringify(e))],
    );
  }

  /** The responses topic is read and stored up to `nextOffset` (exclusive) on this partition. */
  async markResponsesRead(topic: string, partition: number, nextOffset: string): Promise<void> {
    await this.pool.query(
      `INSERT INTO gateway.response_offsets (topic, partition, next_offset) VALUES ($1, $2, $3)
       ON CONFLICT (topic, partition) DO UPDATE SET next_offset = GREATEST(response_offsets.next_offset, EXCLUDED.next_offset)`,
      [topic, partition, nextOffset],
    );
  }

  /** How far each partition of the responses topic was read and stored, by any replica. */
  async responsesRead(topic: string): Promise<{ partition: number; nextOffset: string }[]> {
    const { rows } = await this.pool.query<{ partition: number; next_offset: string }>(
      'SELECT partition, next_offset FROM gateway.response_offsets WHERE topic = $1 ORDER BY partition',
      [topic],
    );
    return rows.map((r) => ({ partition: r.partition, nextOffset: r.next_offset }));
  }

  /** Deletes the stored events of requests that finished more than `days` ago; returns how many. */
  async pruneEvents(days: number): Promise<number> {
    const result = await this.pool.query(
      `DELETE FROM gateway.response_events e USING gateway.chat_requests r
        WHERE e.request_id = r.request_id AND r.finished_at < now() - $1 * interval '1 day'`,
      [days],
    );
    return result.rowCount ?? 0;
  }

  /** The stored events of a request after `afterSeq`, in order. */
  async eventsAfter(requestId: string, afterSeq: number): Promise<ResponseEvent[]> {
    const { rows } = await this.pool.query<{ event: ResponseEvent }>(
      'SELECT event FROM gateway.response_events WHERE request_id = $1 AND seq > $2 ORDER BY seq',
      [requestId, afterSeq],
    );
    return rows.map((row) => row.event);
  }

  /**
   * Applies a response event: the request moves to the status lifecycle.ts gives the event.
   * Idempotent, and a final status is never overwritten.
   */
  async applyEvent(event: ResponseEvent): Promise<void> {
    const status = statusAfterEvent(event.type);
    switch (event.type) {
      case 'queued':
        return; // set when kafka-producer acknowledged
      case 'retrying':
        return; // it waits in a retry topic; it stays 'running'
      case 'resumed':
        // Another attempt carries on: after a crash or a retry the request is 'running'
        // still; after an admin redrove it from the dead-letter topic its 'error' reopens.
        await this.pool.query(
          `UPDATE gateway.chat_requests SET status = $2, error_code = NULL, finished_at = NULL
            WHERE request_id = $1 AND status = 'error'`,
          [event.requestId, status],
        );
        return;
      case 'token':
      case 'tool_call':
        return; // pieces of the answer: kept with the events; `started` made the request 'running'
      case 'started':
        await this.pool.query(
          `UPDATE gateway.chat_requests SET status = $3, model = $2, started_at = coalesce(started_at, now())
            WHERE request_id = $1 AND status NOT IN ${FINAL}`,
          [event.requestId, event.model, status],
        );
        return;
      case 'done':
        await this.pool.query(
          `UPDATE gateway.chat_requests
              SET status = $5, model = $2, prompt_tokens = $3, completion_tokens = $4, finished_at = now()
            WHERE request_id = $1 AND status NOT IN ${FINAL}`,
          [event.requestId, event.model, event.usage.promptTokens, event.usage.completionTokens, status],
        );
        return;
      case 'error':
        await this.pool.query(
          `UPDATE gateway.chat_requests SET status = $3, error_code = $2, finished_at = now()
            WHERE request_id = $1 AND status NOT IN ${FINAL}`,
          [event.requestId, event.code, status],
        );
        return;
      case 'cancelled':
        await this.pool.query(
          `UPDATE gateway.chat_requests SET status = $2, finished_at = now()
            WHERE request_id = $1 AND status NOT IN ${FINAL}`,
          [event.requestId, status],
        );
        return;
    }
  }

  async findForUser(requestId: string, userId: string): Promise<ChatRequestRecord | undefined> {
    const { rows } = await this.pool.query<ChatRequestRow>(
      `SELECT request_id, user_id, conversation_id, model, status, error_code, prompt_tokens, completion_tokens,
              created_at, finished_at
         FROM gateway.chat_requests WHERE request_id = $1 AND user_id = $2`,
      [requestId, userId],
    );
    const row = rows[0];
    if (!row) return undefined;
    return {
      requestId: row.request_id,
      userId: row.user_id,
      conversationId: row.conversation_id,
      model: row.model,
      status: row.status,
      errorCode: row.error_code,
      promptTokens: row.prompt_tokens,
      completionTokens: row.completion_tokens,
      createdAt: row.created_at.toISOString(),
      finishedAt: row.finished_at ? row.finished_at.toISOString() : null,
    };
  }
}
