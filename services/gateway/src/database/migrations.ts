import type { Migration } from '@shoshizan/service-kit';

/** The gateway's schema. Append new migrations; never edit a released one. */
export const GATEWAY_MIGRATIONS: readonly Migration[] = [
  {
    id: '001-chat-requests',
    sql: `
      -- Every request the gateway accepted, and how it ended.
      CREATE TABLE chat_requests (
        request_id        uuid PRIMARY KEY,
        user_id           text        NOT NULL,
        conversation_id   uuid        NOT NULL,
        model             text,
        status            text        NOT NULL DEFAULT 'accepted'
                          CHECK (status IN ('accepted', 'queued', 'running', 'done', 'error', 'cancelled', 'rejected')),
        error_code        text,
        prompt_tokens     integer,
        completion_tokens integer,
        created_at        timestamptz NOT NULL DEFAULT now(),
        finished_at       timestamptz
      );
      CREATE INDEX chat_requests_user_created ON chat_requests (user_id, created_at DESC);
    `,
  },
  {
    id: '002-response-events',
    sql: `
      -- Every response event of every request, so a client that lost its stream (a reload,
      -- a dropped connection, another gateway replica) gets exactly what it missed.
      CREATE TABLE response_events (
        request_id uuid    NOT NULL,
        seq        integer NOT NULL CHECK (seq >= 0),
        event      jsonb   NOT NULL,
        PRIMARY KEY (request_id, seq)
      );
    `,
  },
];
