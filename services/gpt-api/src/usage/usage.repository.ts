import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import type { Usage } from '@shoshizan/shared-interfaces';
import { PG_POOL } from '@shoshizan/service-kit';

/**
 * The usage ledger in PostgreSQL (schema `gpt_api`): token counts per request, recorded once
 * however often it is retried. UserLimitsRepository reads it for the daily quota.
 */
@Injectable()
export class UsageRepository {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  /** Returns false when the request was already recorded. */
  async record(entry: { requestId: string; userId: string; model: string; usage: Usage }): Promise<boolean> {
    const result = await this.pool.query(
      `INSERT INTO gpt_api.usage_ledger (request_id, user_id, model, prompt_tokens, completion_tokens)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (request_id) DO NOTHING`,
      [entry.requestId, entry.userId, entry.model, entry.usage.promptTokens, entry.usage.completionTokens],
    );
    return result.rowCount === 1;
  }
}
