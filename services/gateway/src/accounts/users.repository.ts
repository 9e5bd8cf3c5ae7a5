import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { PG_POOL } from '@shoshizan/service-kit';

/** A local user as a login needs it: no password hash for a user known only by an external identity. */
export interface UserCredentials {
  readonly userId: string;
  readonly passwordHash: string | null;
  readonly roles: string[];
}

/** Local users and the external identities mapped to them, in PostgreSQL (schema `gateway`). */
@Injectable()
export class UsersRepository {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  /** Creates the user with roles `user` and `admin`; false when the username is taken. */
  async createAdminIfAbsent(user: { userId: string; username: string; passwordHash: string }): Promise<boolean> {
    const result = await this.pool.query(
      `INSERT INTO gateway.users (user_id, username, password_hash, roles) VALUES ($1, $2, $3, ARRAY['user', 'admin'])
       ON CONFLICT (username) DO NOTHING`,
      [user.userId, user.username, user.passwordHash],
    );
    return Boolean(result.rowCount);
  }

  /** False when the username is taken. */
  async createIfAbsent(user: {
    userId: string;
    username: string;
    passwordHash: string;
    roles: readonly string[];
  }): Promise<boolean> {
    const result = await this.pool.query(
      `INSERT INTO gateway.users (user_id, username, password_hash, roles) VALUES ($1, $2, $3, $4)
       ON CONFLICT (username) DO NOTHING`,
      [user.userId, user.username, user.passwordHash, user.roles],
    );
    return Boolean(result.rowCount);
  }

  async findCredentials(username: string): Promise<UserCredentials | undefined> {
    const { rows } = await this.pool.query<{ user_id: string; password_hash: string | null; roles: string[] }>(
      'SELECT user_id, password_hash, roles FROM gateway.users WHERE username = $1',
      [username],
    );
    const row = rows[0];
    return row && { userId: row.user_id, passwordHash: row.password_hash, roles: row.roles };
  }

  async findByExternalIdentity(issuer: string, subject: string): Promise<{ userId: string; roles: string[] } | undefined> {
    const { rows } = await this.pool.query<{ user_id: string; roles: string[] }>(
      `SELECT u.user_id, u.roles FROM gateway.external_identities e JOIN gateway.users u USING (user_id)
        WHERE e.issuer = $1 AND e.subject = $2`,
      [issuer, subject],
    );
    const row = rows[0];
    return row && { userId: row.user_id, roles: row.roles };
  }

  /**
   * Creates a user without a password (role `user`) named `username` unless one exists, and
   * maps the identity to the user of that name unless it is mapped already. Each statement
   * tolerates a concurrent first request doing the same, so no transaction is needed.
   */
  async createForExternalIdentity(identity: { issuer: string; subject: string; userId: string; username: string }): Promise<void> {
    await this.pool.query(
      `INSERT INTO gateway.users (user_id, username, password_hash) VALUES ($1, $2, NULL) ON CONFLICT (username) DO NOTHING`,
      [identity.userId, identity.username],
    );
    await this.pool.query(
      `INSERT INTO gateway.external_identities (issuer, subject, user_id)
       SELECT $1, $2, user_id FROM gateway.users WHERE username = $3 ON CONFLICT DO NOTHING`,
      [identity.issuer, identity.subject, identity.username],
    );
  }
}
