import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { PG_POOL, inTransaction } from '@shoshizan/service-kit';

/** A row of gpt_api.limits: one user's own limits, or a role's. null: no limit. */
export interface LimitRow {
  scope: 'user' | 'role';
  subject: string;
  tokens_per_day: number | null;
  requests_per_minute: number | null;
}

/** The user's admissions within the last minute: how many, and when the oldest was. */
export interface RecentAdmissions {
  readonly count: number;
  readonly oldest: Date | null;
}

/**
 * What a check may read about the user while their admissions are locked, each read on the
 * locked transaction (and only if the check needs it).
 */
export interface LockedUser {
  readonly limitRows: () => Promise<LimitRow[]>;
  readonly recentAdmissions: () => Promise<RecentAdmissions>;
  readonly tokensUsedToday: () => Promise<number>;
}

type Queryable = Pick<Pool, 'query'>;

/**
 * The limits per user and role, the admissions counted against the request rate, and the
 * tokens the usage ledger holds for today (what the quota counts), in PostgreSQL (schema
 * `gpt_api`), so they hold across every gpt-api replica. The ledger itself is written by
 * UsageRepository.
 */
@Injectable()
export class UserLimitsRepository {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  /** The user's own row and the rows of `roles`. */
  limitRows(userId: string, roles: readonly string[]): Promise<LimitRow[]> {
    return limitRows(this.pool, userId, roles);
  }

  /** Prompt and completion tokens recorded for the user since the last UTC midnight. */
  tokensUsedToday(userId: string): Promise<number> {
    return tokensUsedToday(this.pool, userId);
  }

  /** Counts the request against the rate, once however often it is recorded; no lock. */
  async recordAdmission(request: { requestId: string; userId: string }): Promise<void> {
    await this.pool.query(
      'INSERT INTO gpt_api.admissions (request_id, user_id) VALUES ($1, $2) ON CONFLICT (request_id) DO NOTHING',
      [request.requestId, request.userId],
    );
  }

  /**
   * Admits the request unless `check` throws: under a per-user advisory lock held for one
   * transaction, so checks for one user are serialised across replicas and each sees the
   * admissions before it. A request admitted before (a redelivery, a resumed answer) is
   * admitted again without `check` and without counting.
   */
  async admitOnce(
    request: { requestId: string; userId: string; roles: readonly string[] },
    check: (user: LockedUser) => Promise<void>,
  ): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      await client.query(`SELECT pg_advisory_xact_lock(hashtextextended('gpt_api.admission:' || $1, 0))`, [
        request.userId,
      ]);
      const seen = await client.query('SELECT 1 FROM gpt_api.admissions WHERE request_id = $1', [request.requestId]);
      if (seen.rowCount === 0) {
        await check({
          limitRows: () => limitRows(client, request.userId, request.roles),
          recentAdmissions: () => recentAdmissions(client, request.userId),
          tokensUsedToday: () => tokensUsedToday(client, request.userId),
        });
        await client.query('INSERT INTO gpt_api.admissions (request_id, user_id) VALUES ($1, $2)', [
          request.requestId,
          request.userId,
        ]);
      }
    });
  }
}

async function limitRows(db: Queryable, userId: string, roles: readonly string[]): Promise<LimitRow[]> {
  const { rows } = await db.query<LimitRow>(
    `SELECT scope, subject, tokens_per_day, requests_per_minute FROM gpt_api.limits
      WHERE (scope = 'user' AND subject = $1) OR (scope = 'role' AND subject = ANY($2))`,
    [userId, roles],
  );
  return rows;
}

async function tokensUsedToday(db: Queryable, userId: string): Promise<number> {
  const { rows } = await db.query<{ tokens: string }>(
    `SELECT coalesce(sum(prompt_tokens + completion_tokens), 0) AS tokens FROM gpt_api.usage_ledger
      WHERE user_id = $1 AND recorded_at >= date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'`,
    [userId],
  );
  return Number(rows[0]?.tokens ?? 0);
}

async function recentAdmissions(db: Queryable, userId: string): Promise<RecentAdmissions> {
  const { rows } = await db.query<{ n: number; oldest: Date | null }>(
    `SELECT count(*)::int AS n, min(admitted_at) AS oldest FROM gpt_api.admissions
      WHERE user_id = $1 AND admitted_at > now() - interval '1 minute'`,
    [userId],
  );
  const { n, oldest } = rows[0] ?? { n: 0, oldest: null };
  return { count: n, oldest };
}
