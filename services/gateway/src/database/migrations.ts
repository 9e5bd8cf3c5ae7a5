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
  {
    id: '003-accounts',
    sql: `
      -- Local accounts. password_hash is scrypt (see auth/password.ts); roles are 'user'/'admin'.
      CREATE TABLE users (
        user_id       uuid        PRIMARY KEY,
        username      text        NOT NULL UNIQUE,
        password_hash text        NOT NULL,
        roles         text[]      NOT NULL DEFAULT ARRAY['user'],
        created_at    timestamptz NOT NULL DEFAULT now()
      );
      -- Refresh tokens, stored hashed. Each use replaces the token with a new one of the same
      -- family; a token used twice means it was stolen, and the whole family is revoked.
      CREATE TABLE refresh_tokens (
        token_id    uuid        PRIMARY KEY,
        family_id   uuid        NOT NULL,
        user_id     uuid        NOT NULL REFERENCES users ON DELETE CASCADE,
        token_hash  bytea       NOT NULL UNIQUE,
        expires_at  timestamptz NOT NULL,
        used_at     timestamptz,
        revoked_at  timestamptz,
        created_at  timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
      -- API keys for programs, stored hashed and shown once; the prefix identifies a key in lists.
      CREATE TABLE api_keys (
        key_id       uuid        PRIMARY KEY,
        user_id      text        NOT NULL,
        roles        text[]      NOT NULL,
        name         text        NOT NULL,
        prefix       text        NOT NULL,
        key_hash     bytea       NOT NULL UNIQUE,
        created_at   timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz,
        revoked_at   timestamptz
      );
      CREATE INDEX api_keys_user ON api_keys (user_id);
    `,
  },
  {
    id: '004-external-identities',
    sql: `
      -- Users from an external OpenID Connect issuer have no local password.
      ALTER TABLE users ALTER COLUMN password_hash DROP NOT NULL;
      -- Which local user an external (issuer, subject) is; created on first sight.
      CREATE TABLE external_identities (
        issuer     text        NOT NULL,
        subject    text        NOT NULL,
        user_id    uuid        NOT NULL REFERENCES users ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (issuer, subject)
      );
    `,
  },
  {
    id: '005-conversations',
    sql: `
      -- A user's conversations; deleted ones are hidden, not erased at once.
      CREATE TABLE conversations (
        conversation_id uuid        PRIMARY KEY,
        user_id         text        NOT NULL,
        title           text        NOT NULL,
        model           text,
        created_at      timestamptz NOT NULL DEFAULT now(),
        updated_at      timestamptz NOT NULL DEFAULT now(),
        deleted_at      timestamptz
      );
      CREATE INDEX conversations_user_updated ON conversations (user_id, updated_at DESC, conversation_id DESC)
        WHERE deleted_at IS NULL;
      -- Its messages. An assistant message belongs to the request that answers it; its
      -- content, usage and status are filled in from the request's events.
      CREATE TABLE messages (
        message_id        uuid        PRIMARY KEY,
        conversation_id   uuid        NOT NULL REFERENCES conversations ON DELETE CASCADE,
        position          integer     NOT NULL,
        role              text        NOT NULL CHECK (role IN ('system', 'user', 'assistant')),
        content           text        NOT NULL DEFAULT '',
        model             text,
        request_id        uuid        UNIQUE,
        status            text        NOT NULL DEFAULT 'done'
                          CHECK (status IN ('pending', 'running', 'done', 'error', 'cancelled')),
        error_code        text,
        prompt_tokens     integer,
        completion_tokens integer,
        duration_ms       integer,
        created_at        timestamptz NOT NULL DEFAULT now(),
        finished_at       timestamptz,
        UNIQUE (conversation_id, position)
      );
    `,
  },
  {
    id: '006-queue-places-and-error-messages',
    sql: `
      -- Where a request sits in Kafka and when a worker started it: its place in the queue
      -- can be told again later (after a reload), and recent run times give a wait estimate.
      ALTER TABLE chat_requests
        ADD COLUMN kafka_partition integer,
        ADD COLUMN kafka_offset    bigint,
        ADD COLUMN started_at      timestamptz;
      -- An answer's error in words (the error event's message), beside its code.
      ALTER TABLE messages ADD COLUMN error_message text;
    `,
  },
  {
    id: '007-response-offsets',
    sql: `
      -- How far the responses topic has been read and stored, a partition at a time (the
      -- furthest any replica got). A gateway that starts reads on from here, so the events
      -- written while no replica ran are stored too, not only those that come after it.
      CREATE TABLE response_offsets (
        topic       text    NOT NULL,
        partition   integer NOT NULL,
        next_offset bigint  NOT NULL,
        PRIMARY KEY (topic, partition)
      );
    `,
  },
  {
    id: '008-login-attempts',
    sql: `
      -- Login attempts, one row per key they count against ((username, address), username,
      -- address), written before the password is checked so that parallel guesses are
      -- counted too; a successful login deletes its own rows. Kept for one throttle window.
      CREATE TABLE login_attempts (
        attempt_id   uuid        NOT NULL,
        key          text        NOT NULL,
        attempted_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (attempt_id, key)
      );
      CREATE INDEX login_attempts_key_time ON login_attempts (key, attempted_at DESC);
      CREATE INDEX login_attempts_time ON login_attempts (attempted_at);
      -- Addresses a user logged in from lately: failures from elsewhere do not hold them.
      CREATE TABLE login_known_addresses (
        username      text        NOT NULL REFERENCES users (username) ON DELETE CASCADE ON UPDATE CASCADE,
        address       text        NOT NULL,
        last_login_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (username, address)
      );
      CREATE INDEX login_known_addresses_time ON login_known_addresses (last_login_at);
    `,
  },
  {
    id: '009-live-sessions',
    sql: `
      -- Every request with an access token asks whether its session (refresh-token family)
      -- is live: this finds a live token of the family without reading the used ones.
      CREATE INDEX refresh_tokens_live_family ON refresh_tokens (family_id) WHERE revoked_at IS NULL;
    `,
  },
  {
    id: '010-conversation-senders',
    sql: `
      -- POST /v1/chat asks who else sent under a conversation id before it queues a request.
      CREATE INDEX chat_requests_conversation ON chat_requests (conversation_id, user_id);
    `,
  },
  {
    id: '011-tool-messages',
    sql: `
      -- An assistant message's tool calls, [{id, name, arguments}] in order (null: none), from
      -- its request's tool_call events; and the results sent back, a 'tool' message each,
      -- naming the call it answers.
      ALTER TABLE messages
        ADD COLUMN tool_calls   jsonb,
        ADD COLUMN tool_call_id text,
        DROP CONSTRAINT messages_role_check,
        ADD CONSTRAINT messages_role_check CHECK (role IN ('system', 'user', 'assistant', 'tool'));
    `,
  },
];
