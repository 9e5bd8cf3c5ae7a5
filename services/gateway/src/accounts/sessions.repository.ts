import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { PG_POOL } from '@shoshizan/service-kit';

/**
 * Sessions as PostgreSQL knows them. A session is one login's refresh-token family (its id
 * is the family id, the `sid` of the access tokens it issued); it is live while any token
 * of the family is unrevoked, and logout or reuse detection revoke them all at once.
 */
@Injectable()
export class SessionsRepository {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async isLive(sessionId: string): Promise<boolean> {
    const { rows } = await this.pool.query<{ live: boolean }>(
      'SELECT EXISTS (SELECT 1 FROM gateway.refresh_tokens WHERE family_id = $1 AND revoked_at IS NULL) AS live',
      [sessionId],
    );
    return rows[0]?.live ?? false;
  }
}
