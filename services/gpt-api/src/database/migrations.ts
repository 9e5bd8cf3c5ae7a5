import type { Migration } from '@shoshizan/service-kit';

/** gpt-api's schema. Append new migrations; never edit a released one. */
export const GPT_API_MIGRATIONS: readonly Migration[] = [
  {
    id: '001-usage-ledger',
    sql: `
      -- One row per answered request: the primary key makes recording idempotent, so a
      -- redelivered request is never counted twice.
      CREATE TABLE usage_ledger (
        request_id        uuid PRIMARY KEY,
        user_id           text        NOT NULL,
        model             text        NOT NULL,
        prompt_tokens     integer     NOT NULL CHECK (prompt_tokens >= 0),
        completion_tokens integer     NOT NULL CHECK (completion_tokens >= 0),
        recorded_at       timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX usage_ledger_user_time ON usage_ledger (user_id, recorded_at);
    `,
  },
];
