import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { PG_POOL, inTransaction } from '@shoshizan/service-kit';
import { judgeRefreshToken } from './refresh-token-verdict';

/** A refresh token to store: only its SHA-256, never the token. */
export interface NewRefreshToken {
  readonly tokenId: string;
  readonly familyId: string;
  readonly userId: string;
  readonly tokenHash: Buffer;
  readonly ttlSeconds: number;
}

export type Rotation =
  | { readonly outcome: 'invalid' }
  | { readonly outcome: 'reused'; readonly familyId: string; readonly userId: string }
  | {
      readonly outcome: 'rotated';
      readonly familyId: string;
      readonly user: { userId: string; username: string; roles: string[] };
    };

/**
 * Refresh tokens in PostgreSQL (schema `gateway`), grouped in families: a family is one
 * login's session, and revoking it ends the session.
 */
@Injectable()
export class RefreshTokensRepository {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  /** Expires `ttlSeconds` after now by PostgreSQL's clock. */
  async create(token: NewRefreshToken, client: Pick<Pool, 'query'> = this.pool): Promise<void> {
    await client.query(
      `INSERT INTO gateway.refresh_tokens (token_id, family_id, user_id, token_hash, expires_at)
       VALUES ($1, $2, $3, $4, now() + $5 * interval '1 second')`,
      [token.tokenId, token.familyId, token.userId, token.tokenHash, token.ttlSeconds],
    );
  }

  /**
   * Spends the token `tokenHash` for `replacement` in the same family, as judgeRefreshToken
   * says: a reused token revokes its family instead. One transaction with the token's row
   * locked, so two uses at once are one use and one reuse, and a revocation is committed
   * before the caller is told no.
   */
  async rotate(tokenHash: Buffer, replacement: Omit<NewRefreshToken, 'familyId' | 'userId'>): Promise<Rotation> {
    return inTransaction(this.pool, async (client) => {
      const { rows } = await client.query<{
        token_id: string;
        family_id: string;
        used_at: Date | null;
        revoked_at: Date | null;
        expired: boolean;
        user_id: string;
        username: string;
        roles: string[];
      }>(
        `SELECT t.token_id, t.family_id, t.used_at, t.revoked_at, t.expires_at < now() AS expired,
                u.user_id, u.username, u.roles
           FROM gateway.refresh_tokens t JOIN gateway.users u USING (user_id)
          WHERE t.token_hash = $1 FOR UPDATE OF t`,
        [tokenHash],
      );
      const token = rows[0];
      const verdict = judgeRefreshToken(
        token && { used: token.used_at !== null, revoked: token.revoked_at !== null, expired: token.expired },
      );
      if (verdict === 'invalid' || !token) return { outcome: 'invalid' };
      if (verdict === 'reused') {
        await client.query(
          'UPDATE gateway.refresh_tokens SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL',
          [token.family_id],
        );
        return { outcome: 'reused', familyId: token.family_id, userId: token.user_id };
      }
      await client.query('UPDATE gateway.refresh_tokens SET used_at = now() WHERE token_id = $1', [token.token_id]);
      await this.create({ ...replacement, familyId: token.family_id, userId: token.user_id }, client);
      return {
        outcome: 'rotated',
        familyId: token.family_id,
        user: { userId: token.user_id, username: token.username, roles: token.roles },
      };
    });
  }

  /** Revokes the family of the token `tokenHash`; its id, or undefined when nothing was live. */
  async revokeFamilyOf(tokenHash: Buffer): Promise<string | undefined> {
    const { rows } = await this.pool.query<{ family_id: string }>(
      `UPDATE gateway.refresh_tokens SET revoked_at = now()
        WHERE family_id = (SELECT family_id FROM gateway.refresh_tokens WHERE token_hash = $1) AND revoked_at IS NULL
        RETURNING family_id`,
      [tokenHash],
    );
    return rows[0]?.family_id;
  }
}
