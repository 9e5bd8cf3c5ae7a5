import { Inject, Injectable } from '@nestjs/common';
import { fetchJson } from '@shoshizan/service-kit';
import { userLimitsSchema, type UserLimits } from '@shoshizan/shared-interfaces';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';

/** How long an answer from gpt-api is reused, in ms. */
const FRESH_MS = 1000;
/** Users whose answers are kept at most; past it the stale ones go. */
const MAX_KEPT = 10_000;

/**
 * A user's limits and usage today, from gpt-api (which keeps the limits and the ledger).
 * One answer a user serves the admissions of the next second, and concurrent admissions
 * share one call: a crowd's accepts would otherwise each wait on a round trip to gpt-api.
 * The edge may thus admit a request up to a second after a quota ran out; gpt-api checks
 * the quota again before the model runs, and that check is the one that holds.
 */
@Injectable()
export class LimitsClient {
  private readonly recent = new Map<string, { readonly at: number; readonly limits: Promise<UserLimits> }>();

  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {}

  limitsOf(userId: string, roles: readonly string[], now = Date.now()): Promise<UserLimits> {
    const key = `${userId}\u0000${roles.join(',')}`;
    const kept = this.recent.get(key);
    if (kept && now - kept.at < FRESH_MS) return kept.limits;
    const limits = this.fetchLimits(userId, roles);
    if (this.recent.size >= MAX_KEPT) {
      for (const [k, v] of this.recent) if (now - v.at >= FRESH_MS) this.recent.delete(k);
      if (this.recent.size >= MAX_KEPT) this.recent.clear();
    }
    this.recent.set(key, { at: now, limits });
    // A failure is not kept: the next admission asks again.
    limits.catch(() => this.recent.get(key)?.limits === limits && this.recent.delete(key));
    return limits;
  }

  private fetchLimits(userId: string, roles: readonly string[]): Promise<UserLimits> {
    const url = new URL(`/v1/limits/${encodeURIComponent(userId)}`, this.config.GPT_API_URL);
    if (roles.length > 0) url.searchParams.set('roles', roles.join(','));
    return fetchJson(url, userLimitsSchema, { timeoutMs: 2000, service: 'gpt-api' });
  }
}
