import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { DomainException, PG_POOL } from '@shoshizan/service-kit';
import { ErrorCode } from '@shoshizan/shared-interfaces';
import type { AuthenticatedUser } from '../auth/authenticated-user';

export interface ApiKey {
  readonly id: string;
  readonly name: string;
  /** The start of the key, to tell keys apart in a list. */
  readonly prefix: string;
  readonly createdAt: string;
  readonly lastUsedAt: string | null;
}

/** Every key starts with this, so the auth guard knows a key from a JWT at a glance. */
export const API_KEY_PREFIX = 'shz_';

const sha256 = (value: string): Buffer => createHash('sha256').update(value).digest();

/**
 * API keys for programs: created by their owner and shown once, stored as a SHA-256 (a key
 * is 256 random bits, so a fast hash is enough; passwords get scrypt), listed without the
 * secret, revoked by their owner. A key acts as its owner, with the roles it was made with.
 */
@Injectable()
export class ApiKeysService {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async create(owner: AuthenticatedUser, name: string): Promise<ApiKey & { key: string }> {
    const key = `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
    const id = randomUUID();
    const prefix = key.slice(0, API_KEY_PREFIX.length + 6);
    const { rows } = await this.pool.query<{ created_at: Date }>(
      `INSERT INTO gateway.api_keys (key_id, user_id, roles, name, prefix, key_hash) VALUES ($1, $2, $3, $4, $5, $6)
       RETURNING created_at`,
      [id, owner.userId, owner.roles, name, prefix, sha256(key)],
    );
    return { id, name, prefix, key, createdAt: rows[0]!.created_at.toISOString(), lastUsedAt: null };
  }

  async list(owner: AuthenticatedUser): Promise<ApiKey[]> {
    const { rows } = await this.pool.query<{
      key_id: string;
      name: string;
      prefix: string;
      created_at: Date;
      last_used_at: Date | null;
    }>(
      `SELECT key_id, name, prefix, created_at, last_used_at FROM gateway.api_keys
        WHERE user_id = $1 AND revoked_at IS NULL ORDER BY created_at DESC`,
      [owner.userId],
    );
    return rows.map((r) => ({
      id: r.key_id,
      name: r.name,
      prefix: r.prefix,
      createdAt: r.created_at.toISOString(),
      lastUsedAt: r.last_used_at?.toISOString() ?? null,
    }));
  }

  /** Revokes one of the owner's keys; another user's key is "not found". */
  async revoke(owner: AuthenticatedUser, id: string): Promise<void> {
    const result = await this.pool.query(
      'UPDATE gateway.api_keys SET revoked_at = now() WHERE key_id = $1 AND user_id = $2 AND revoked_at IS NULL',
      [id, owner.userId],
    );
    if (!result.rowCount) throw new DomainException(ErrorCode.NotFound, `No API key ${id}.`);
  }

  /** The owner a key acts as, or undefined for an unknown or revoked key. */
  async authenticate(key: string): Promise<AuthenticatedUser | undefined> {
    const { rows } = await this.pool.query<{ user_id: string; roles: string[] }>(
      `UPDATE gateway.api_keys SET last_used_at = now()
        WHERE key_hash = $1 AND revoked_at IS NULL RETURNING user_id, roles`,
      [sha256(key)],
    );
    const row = rows[0];
    return row ? { userId: row.user_id, roles: row.roles } : undefined;
  }
}
