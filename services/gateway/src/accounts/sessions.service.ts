import { Inject, Injectable } from '@nestjs/common';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';
import { SessionCache } from './session-cache';
import { SessionsRepository } from './sessions.repository';

/**
 * Whether the session an access token belongs to is still live, checked on every request
 * that carries one. An end is known at once on the replica that ended it and within
 * SESSION_CHECK_CACHE_MS on the others (each believes a live answer that long).
 */
@Injectable()
export class SessionsService {
  private readonly cache: SessionCache;

  constructor(
    private readonly repository: SessionsRepository,
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
  ) {
    this.cache = new SessionCache(config.SESSION_CHECK_CACHE_MS);
  }

  async isLive(sessionId: string): Promise<boolean> {
    const cached = this.cache.get(sessionId, Date.now());
    if (cached !== undefined) return cached;
    const live = await this.repository.isLive(sessionId);
    this.cache.set(sessionId, live, Date.now());
    return live;
  }

  /** The session was ended here (logout, a reused refresh token): refuse its tokens now. */
  ended(sessionId: string): void {
    this.cache.set(sessionId, false, Date.now());
  }
}
