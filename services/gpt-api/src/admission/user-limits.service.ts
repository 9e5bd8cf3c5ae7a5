import { Inject, Injectable } from '@nestjs/common';
import { DomainException } from '@shoshizan/service-kit';
import { ErrorCode, secondsToUtcMidnight, type UserLimits } from '@shoshizan/shared-interfaces';
import { GPT_API_CONFIG, type GptApiConfig } from '../config/gpt-api.config';
import { UserLimitsRepository, type LimitRow, type LockedUser, type RecentAdmissions } from './user-limits.repository';

export interface Limits {
  /** null: no limit. */
  readonly tokensPerDay: number | null;
  readonly requestsPerMinute: number | null;
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
 * The Retry-After of a request over its rate: until the oldest admission of the last minute
 * leaves the minute (at least 1 s), or a whole minute when none is known.
 */
export function rateLimitRetryAfterSeconds(recent: RecentAdmissions, nowMs: number): number {
  return recent.oldest ? Math.max(1, Math.ceil((recent.oldest.getTime() + 60_000 - nowMs) / 1000)) : 60;
}

/**
 * Lets a request through to the model or refuses it: a request-rate limit (per minute) and
 * a token quota (per UTC day), per user and role, kept in PostgreSQL so they hold across
 * every gpt-api replica; the gateway's EdgeAdmissionService checks the same limits first.
 * Checks for one user are serialised by a lock (only when a limit applies to the user); a
 * request that was admitted once (a redelivery, a resumed answer) is admitted again without
 * counting.
 */
@Injectable()
export class UserLimitsService {
  private readonly defaults: Limits;

  constructor(
    private readonly repository: UserLimitsRepository,
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
    const limits = effectiveLimits(
      await this.repository.limitRows(request.userId, request.roles),
      request.userId,
      request.roles,
      this.defaults,
    );
    if (limits.requestsPerMinute === null && limits.tokensPerDay === null) {
      await this.repository.recordAdmission(request);
      return;
    }
    await this.repository.admitOnce(request, (user) => this.check(user, request));
  }

  /** The user's effective limits and the tokens used today: what the gateway checks first. */
  async limitsOf(userId: string, roles: readonly string[]): Promise<UserLimits> {
    const limits = effectiveLimits(await this.repository.limitRows(userId, roles), userId, roles, this.defaults);
    return { userId, ...limits, tokensUsedToday: await this.repository.tokensUsedToday(userId) };
  }

  /** Read again under the lock: the limits may have changed since the unlocked read. */
  private async check(user: LockedUser, request: { userId: string; roles: readonly string[] }): Promise<void> {
    const limits = effectiveLimits(await user.limitRows(), request.userId, request.roles, this.defaults);

    if (limits.requestsPerMinute !== null) {
      const recent = await user.recentAdmissions();
      if (recent.count >= limits.requestsPerMinute) {
        throw new DomainException(
          ErrorCode.RateLimited,
          `Rate limit reached: ${limits.requestsPerMinute} requests a minute.`,
          { retryAfterSeconds: rateLimitRetryAfterSeconds(recent, Date.now()) },
        );
      }
    }

    if (limits.tokensPerDay !== null) {
      const tokens = await user.tokensUsedToday();
      if (tokens >= limits.tokensPerDay) {
        throw new DomainException(
          ErrorCode.QuotaExceeded,
          `Daily token quota used up: ${tokens} of ${limits.tokensPerDay} tokens today (UTC).`,
          { retryAfterSeconds: secondsToUtcMidnight(Date.now()) },
        );
      }
    }
  }
}
