import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { PG_POOL } from '@shoshizan/service-kit';

export interface StoredApiKey {
  readonly keyId: string;
  readonly name: string;
  readonly prefix: string;
  readonly createdAt: Date;
  readonly lastUsedAt: Date | null;
}

/** API keys in PostgreSQL (schema `gateway`), found by the SHA-256 of the key, never the key. */
@Injectable()
export class ApiKeysRepository {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  /** Stores a new key; returns when PostgreSQL says it was created. */
  async create(key: {
    keyId: string;
    userId: string;
    roles: readonly string[];
    name: string;
    prefix: string;
    keyHash: Buffer;
  }): Promise<Date> {
    const { rows } = await this.pool.query<{ created_at: Date }>(
      `INSERT INTO gateway.api_keys (key_id, user_id, roles, name, prefix, key_hash) VALUES ($1, $2, $3, $4, $5, $6)
       RETURNING created_at`,
      [key.keyId, key.userId, key.roles, key.name, key.prefix, key.keyHash],
    );
    return rows[0]!.created_at;
  }

  /** The user's unrevoked keys, newest first. */
  async listLive(userId: string): Promise<StoredApiKey[]> {
    const { rows } = await this.pool.query<{
      key_id: string;
      name: string;
      prefix: string;
      created_at: Date;
      last_used_at: Date | null;
    }>(
      `SELECT key_id, name, prefix, created_at, last_used_at FROM gateway.api_keys
        WHERE user_id = $1 AND revoked_at IS NULL ORDER BY created_at DESC`,
      [userId],
    );
    return rows.map((r) => ({
      keyId: r.key_id,
      name: r.name,
      prefix: r.prefix,
      createdAt: r.created_at,
      lastUsedAt: r.last_used_at,
    }));
  }

  /** False when the user has no such unrevoked key. */
  async revoke(keyId: string, userId: string): Promise<boolean> {
    const result = await this.pool.query(
      'UPDATE gateway.api_keys SET revoked_at = now() WHERE key_id = $1 AND user_id = $2 AND revoked_at IS NULL',
      [keyId, userId],
    );
    return Boolean(result.rowCount);
  }

  /** Marks an unrevoked key used now and returns whom it acts as; undefined for no such key. */
  async markUsed(keyHash: Buffer): Promise<{ userId: string; roles: string[] } | undefined> {
    const { rows } = await this.pool.query<{ user_id: string; roles: string[] }>(
      `UPDATE gateway.api_keys SET last_used_at = now()
        WHERE key_hash = $1 AND revoked_at IS NULL RETURNING user_id, roles`,
      [keyHash],
    );
    const row = rows[0];
    return row && { userId: row.user_id, roles: row.roles };
  }
}
