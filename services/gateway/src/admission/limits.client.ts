import { Inject, Injectable } from '@nestjs/common';
import { userLimitsSchema, type UserLimits } from '@shoshizan/shared-interfaces';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';

/** A user's limits and usage today, from gpt-api (which keeps the limits and the ledger). */
@Injectable()
export class LimitsClient {
  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {}

  async limitsOf(userId: string, roles: readonly string[]): Promise<UserLimits> {
    const url = new URL(`/v1/limits/${encodeURIComponent(userId)}`, this.config.GPT_API_URL);
    if (roles.length > 0) url.searchParams.set('roles', roles.join(','));
    const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
    if (!response.ok) throw new Error(`gpt-api answered ${response.status} for the limits of ${userId}`);
    return userLimitsSchema.parse(await response.json());
  }
}
