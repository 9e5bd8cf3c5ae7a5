import { Inject, Injectable } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { Counter, type Registry } from 'prom-client';
import { DomainException, METRICS_REGISTRY } from '@shoshizan/service-kit';
import { ErrorCode, secondsToUtcMidnight, type UserLimits } from '@shoshizan/shared-interfaces';
import type { AuthenticatedUser } from '../auth/authenticated-user';
import { ChatRequestsRepository } from '../chat/chat-requests.repository';
import { LimitsClient } from './limits.client';

/**
 * Admission at the edge: a request over its user's daily token quota or request rate is
 * refused with 429 and Retry-After before anything is enqueued. The limits are gpt-api's
 * (per user and role, in PostgreSQL); the rate is counted over the gateway's own records,
 * under a per-user lock, so it holds across gateway replicas. If gpt-api cannot be asked,
 * the request is let through: gpt-api checks the same limits again before the model runs
 * (its UserLimitsService, the authoritative check).
 */
@Injectable()
export class EdgeAdmissionService {
  private readonly rejections: Counter<'reason'>;

  constructor(
    private readonly limits: LimitsClient,
    private readonly repository: ChatRequestsRepository,
    @Inject(METRICS_REGISTRY) registry: Registry,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext(EdgeAdmissionService.name);
    this.rejections = new Counter({
      name: 'gateway_admission_rejections_total',
      help: 'Requests refused before enqueueing, by reason (rate_limited, quota_exceeded).',
      labelNames: ['reason'],
      registers: [registry],
    });
  }

  /** Records the request if the user's limits allow it; throws RateLimited or QuotaExceeded. */
  async admit(
    user: AuthenticatedUser,
    record: { requestId: string; conversationId: string; model?: string },
  ): Promise<void> {
    const perMinute = (await this.checkQuota(user))?.requestsPerMinute ?? null;
    const { retryAfterSeconds } = await this.repository.insertWithinRate({ ...record, userId: user.userId }, perMinute);
    if (retryAfterSeconds !== undefined) {
      this.rejections.inc({ reason: ErrorCode.RateLimited });
      throw new DomainException(ErrorCode.RateLimited, `Rate limit reached: ${perMinute} requests a minute.`, {
        retryAfterSeconds,
      });
    }
  }

  /**
   * Throws QuotaExceeded when the user's daily token quota is used up. Returns the limits it
   * read, or undefined when gpt-api could not be asked (the request is let through). On its
   * own for what is not a chat request (embeddings): gpt-api counts those requests' rate.
   */
  async checkQuota(user: AuthenticatedUser): Promise<UserLimits | undefined> {
    let limits: UserLimits;
    try {
      limits = await this.limits.limitsOf(user.userId, user.roles);
    } catch (error) {
      this.logger.warn({ err: error, userId: user.userId }, 'Could not read limits; admitting (gpt-api checks them again)');
      return undefined;
    }
    if (limits.tokensPerDay !== null && limits.tokensUsedToday >= limits.tokensPerDay) {
      this.rejections.inc({ reason: ErrorCode.QuotaExceeded });
      throw new DomainException(
        ErrorCode.QuotaExceeded,
        `Daily token quota used up: ${limits.tokensUsedToday} of ${limits.tokensPerDay} tokens today (UTC).`,
        { retryAfterSeconds: secondsToUtcMidnight(Date.now()) },
      );
    }
    return limits;
  }
}
