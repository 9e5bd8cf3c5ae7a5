import { Inject, Injectable } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import { DomainException, PG_POOL, inTransaction } from '@shoshizan/service-kit';
import { ErrorCode, type UserLimits } from '@shoshizan/shared-interfaces';
import { GPT_API_CONFIG, type GptApiConfig } from '../config/gpt-api.config';

export interface Limits {
  /** null: no limit. */
  readonly tokensPerDay: number | null;
  readonly requestsPerMinute: number | null;
}

interface LimitRow {
  scope: 'user' | 'role';
  subject: string;
  tokens_per_day: number | null;
  requests_per_minute: number | null;
}

/**
 * A user's own row wins; else the most generous of its roles' rows; else the default.
 * For each limit separately, so a user row may set one and leave the other to its roles.
 */
export function effectiveLimits(rows: readonly LimitRow[], userId: string, roles: readonly string[], defaults: Limits): Limits {
  const pick = (column: 'tokens_per_day' | 'requests_per_minute', fallback: number | null): number | null => {
    const own = rows.find((r) => r.scope === 'user' && r.subject === userId)?.[column];
    if (own !== undefined && own !== null) return own;
    const fromRoles = rows
      .filter((r) => r.scope === 'role' && roles.includes(r.subject))
      .map((r) => r[column])
      .filter((v): v is number => v !== null);
    return fromRoles.length > 0 ? Math.max(...fromRoles) : fallback;
  };
  return {
    tokensPerDay: pick('tokens_per_day', defaults.tokensPerDay),
    requestsPerMinute: pick('requests_per_minute', defaults.requestsPerMinute),
  };
}

/**
 * Lets a request through to the model or refuses it: a request-rate limit (per minute) and
 * a token quota (per UTC day), per user, kept in PostgreSQL so they hold across every
 * gpt-api replica. Checks for one user are serialised by an advisory lock (only when a limit
 * applies to the user); a request that was admitted once (a redelivery, a resumed answer) is
 * admitted again without counting.
 */
@Injectable()
export class AdmissionService {
  private readonly defaults: Limits;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(GPT_API_CONFIG) config: GptApiConfig,
  ) {
    this.defaults = {
      tokensPerDay: config.DEFAULT_TOKENS_PER_DAY || null,
      requestsPerMinute: config.DEFAULT_REQUESTS_PER_MINUTE || null,
    };
  }

  /** Throws DomainException RateLimited or QuotaExceeded (with Retry-After) to refuse. */
  async admit(request: { requestId: string; userId: string; roles: readonly string[] }): Promise<void> {
    // No limit applies to this user: nothing to serialise; the admission is recorded all the
    // same (it counts if a limit is set later within the minute). Two statements, no lock,
    // where a crowd of one user's requests otherwise queued on the lock and the pool.
    const limits = await this.effective(this.pool, request.userId, request.roles);
    if (limits.requestsPerMinute === null && limits.tokensPerDay === null) {
      await this.pool.query(
        'INSERT INTO gpt_api.admissions (request_id, user_id) VALUES ($1, $2) ON CONFLICT (request_id) DO NOTHING',
        [request.requestId, request.userId],
      );
      return;
    }
    await inTransaction(this.pool, async (client) => {
      await client.query(`SELECT pg_advisory_xact_lock(hashtextextended('gpt_api.admission:' || $1, 0))`, [
        request.userId,
      ]);
      const seen = await client.query('SELECT 1 FROM gpt_api.admissions WHERE request_id = $1', [request.requestId]);
      if (seen.rowCount === 0) {
        await this.check(client, request);
        await client.query('INSERT INTO gpt_api.admissions (request_id, user_id) VALUES ($1, $2)', [
          request.requestId,
          request.userId,
        ]);
      }
    });
  }

  /** The user's effective limits and the tokens used today: what the gateway checks first. */
  async limitsOf(userId: string, roles: readonly string[]): Promise<UserLimits> {
    const limits = await this.effective(this.pool, userId, roles);
    return { userId, ...limits, tokensUsedToday: await this.tokensToday(this.pool, userId) };
  }

  private async effective(client: Pick<Pool, 'query'>, userId: string, roles: readonly string[]): Promise<Limits> {
    const { rows } = await client.query<LimitRow>(
      `SELECT scope, subject, tokens_per_day, requests_per_minute FROM gpt_api.limits
        WHERE (scope = 'user' AND subject = $1) OR (scope = 'role' AND subject = ANY($2))`,
      [userId, roles],
    );
    return effectiveLimits(rows, userId, roles, this.defaults);
  }

  private async tokensToday(client: Pick<Pool, 'query'>, userId: string): Promise<number> {
    const { rows } = await client.query<{ tokens: string }>(
      `SELECT coalesce(sum(prompt_tokens + completion_tokens), 0) AS tokens FROM gpt_api.usage_ledger
        WHERE user_id = $1 AND recorded_at >= date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'`,
      [userId],
    );
    return Number(rows[0]?.tokens ?? 0);
  }

  private async check(client: PoolClient, request: { userId: string; roles: readonly string[] }): Promise<void> {
    const limits = await this.effective(client, request.userId, request.roles);

    if (limits.requestsPerMinute !== null) {
      const { rows: recent } = await client.query<{ n: number; oldest: Date | null }>(
        `SELECT count(*)::int AS n, min(admitted_at) AS oldest FROM gpt_api.admissions
          WHERE user_id = $1 AND admitted_at > now() - interval '1 minute'`,
        [request.userId],
      );
      const { n, oldest } = recent[0] ?? { n: 0, oldest: null };
      if (n >= limits.requestsPerMinute) {
        const retryAfter = oldest ? Math.max(1, Math.ceil((oldest.getTime() + 60_000 - Date.now()) / 1000)) : 60;
        throw new DomainException(
          ErrorCode.RateLimited,
          `Rate limit reached: ${limits.requestsPerMinute} requests a minute.`,
          { retryAfterSeconds: retryAfter },
        );
      }
    }

    if (limits.tokensPerDay !== null) {
      const tokens = await this.tokensToday(client, request.userId);
      if (tokens >= limits.tokensPerDay) {
        const midnight = new Date();
        midnight.setUTCHours(24, 0, 0, 0);
        throw new DomainException(
          ErrorCode.QuotaExceeded,
          `Daily token quota used up: ${tokens} of ${limits.tokensPerDay} tokens today (UTC).`,
          { retryAfterSeconds: Math.max(1, Math.ceil((midnight.getTime() - Date.now()) / 1000)) },
        );
      }
    }
  }
}
