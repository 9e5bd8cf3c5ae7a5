import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import type { Pool } from 'pg';
import { PG_POOL } from '@shoshizan/service-kit';
import { TOPICS } from '@shoshizan/shared-interfaces';

export interface Attempt {
  /** 1 the first time a request is taken, 2 after one redelivery, ... */
  readonly number: number;
  /** The request's final event was written by an earlier attempt. */
  readonly finished: boolean;
}

/** Rows live as long as the requests they count could still be redelivered, and a day more. */
const KEEP_MS = Number(TOPICS.requests.config['retention.ms']) + 24 * 60 * 60 * 1000;
const PRUNE_EVERY_MS = 60 * 60 * 1000;

/**
 * Counts the deliveries of each request, in PostgreSQL so that every replica sees them.
 * This is what makes redelivery visible: Kafka hands a worker the same message again after
 * a crash without saying so.
 */
@Injectable()
export class AttemptsRepository implements OnApplicationBootstrap, OnApplicationShutdown {
  private pruneTimer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext(AttemptsRepository.name);
  }

  /** Records that this worker took the request; returns which attempt this is. */
  async begin(requestId: string): Promise<Attempt> {
    const { rows } = await this.pool.query<{ attempts: number; finished: boolean }>(
      `INSERT INTO kafka_consumer.request_attempts AS a (request_id, attempts) VALUES ($1, 1)
       ON CONFLICT (request_id) DO UPDATE SET attempts = a.attempts + 1, last_taken_at = now()
       RETURNING a.attempts, a.finished_at IS NOT NULL AS finished`,
      [requestId],
    );
    const row = rows[0];
    if (!row) throw new Error(`no attempt row for ${requestId}`);
    return { number: row.attempts, finished: row.finished };
  }

  /** True while no later attempt has taken the request over (a fence for slow workers). */
  async isLatest(requestId: string, attempt: number): Promise<boolean> {
    const { rows } = await this.pool.query<{ attempts: number }>(
      'SELECT attempts FROM kafka_consumer.request_attempts WHERE request_id = $1',
      [requestId],
    );
    return rows[0]?.attempts === attempt;
  }

  /** Marks the request final, so a later redelivery is skipped without reading the log. */
  async finish(requestId: string): Promise<void> {
    await this.pool.query(
      'UPDATE kafka_consumer.request_attempts SET finished_at = now() WHERE request_id = $1 AND finished_at IS NULL',
      [requestId],
    );
  }

  onApplicationBootstrap(): void {
    const prune = () =>
      this.pool
        .query(`DELETE FROM kafka_consumer.request_attempts WHERE last_taken_at < now() - $1 * interval '1 millisecond'`, [
          KEEP_MS,
        ])
        .then((result) => {
          if (result.rowCount) this.logger.info({ rows: result.rowCount }, 'Pruned old request attempts');
        })
        .catch((error: unknown) => this.logger.warn({ err: error }, 'Could not prune request attempts'));
    void prune();
    this.pruneTimer = setInterval(() => void prune(), PRUNE_EVERY_MS);
    this.pruneTimer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.pruneTimer);
  }
}
