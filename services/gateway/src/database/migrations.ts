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
];
