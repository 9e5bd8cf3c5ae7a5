import type { Migration } from '@shoshizan/service-kit';

/** kafka-consumer's schema. Append new migrations; never edit a released one. */
export const KAFKA_CONSUMER_MIGRATIONS: readonly Migration[] = [
  {
    id: '001-request-attempts',
    sql: `
      -- How often each request was taken from the requests topic. A count above one means
      -- an earlier worker stopped before committing the offset (a crash, a rebalance): the
      -- new one resumes the answer from the responses topic instead of answering again.
      CREATE TABLE request_attempts (
        request_id     uuid        PRIMARY KEY,
        attempts       integer     NOT NULL CHECK (attempts >= 1),
        first_taken_at timestamptz NOT NULL DEFAULT now(),
        last_taken_at  timestamptz NOT NULL DEFAULT now(),
        -- Set once the request's final event is in Kafka.
        finished_at    timestamptz
      );
      CREATE INDEX request_attempts_last_taken ON request_attempts (last_taken_at);
    `,
  },
];
