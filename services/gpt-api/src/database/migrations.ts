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
  {
    id: '002-limits-and-admissions',
    sql: `
      -- Per-user and per-role limits; a user's own row wins over its roles', and among its
      -- roles the most generous applies. NULL: this row sets no such limit. Requests with no
      -- row at all get the configured defaults.
      CREATE TABLE limits (
        scope               text    NOT NULL CHECK (scope IN ('user', 'role')),
        subject             text    NOT NULL,
        tokens_per_day      integer CHECK (tokens_per_day >= 0),
        requests_per_minute integer CHECK (requests_per_minute >= 0),
        PRIMARY KEY (scope, subject)
      );
      -- One row per request let through to the model; the primary key makes a redelivered
      -- request pass again without counting twice against the rate limit.
      CREATE TABLE admissions (
        request_id  uuid        PRIMARY KEY,
        user_id     text        NOT NULL,
        admitted_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX admissions_user_time ON admissions (user_id, admitted_at);
    `,
  },
];
