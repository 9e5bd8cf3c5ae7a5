import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { PG_POOL, inTransaction } from '@shoshizan/service-kit';
import { THROTTLE_SCOPES, type ThrottleScope, type ThrottleState } from './login-throttle';

export interface LoginAttempt {
  readonly attemptId: string;
  readonly username: string;
  /** The client address as counted (see clientAddressKey). */
  readonly address: string;
  readonly keys: Readonly<Record<ThrottleScope, string>>;
}

/** The login throttle's state in PostgreSQL (schema `gateway`), shared by every replica. */
@Injectable()
export class LoginAttemptsRepository {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  /**
   * Reads the attempt's state (the newest `newest` failures per key within `windowMs`, and
   * whether the address is known for the username within `knownForDays`), asks `decide`,
   * and records the attempt under each key if it is allowed. Locked per key, so attempts in
   * parallel, on any replica, each see those before them. Times are PostgreSQL's clock, the
   * one clock every replica shares.
   */
  async attempt<T extends { readonly allowed: boolean }>(
    attempt: LoginAttempt,
    window: { windowMs: number; newest: number; knownForDays: number },
    decide: (state: ThrottleState, nowMs: number) => T,
  ): Promise<T> {
    const keys = THROTTLE_SCOPES.map((scope) => attempt.keys[scope]);
    return inTransaction(this.pool, async (client) => {
      // In the order of the lock ids, so two attempts sharing keys cannot deadlock.
      const { rows: locks } = await client.query<{ id: string }>(
        `SELECT DISTINCT hashtextextended('gateway.login:' || k, 0) AS id FROM unnest($1::text[]) k ORDER BY id`,
        [keys],
      );
      for (const { id } of locks) await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [id]);
      const { rows } = await client.query<{ key: string; at: Date[]; now: Date }>(
        `SELECT k AS key, now() AS now,
                ARRAY(SELECT attempted_at FROM gateway.login_attempts
                       WHERE key = k AND attempted_at > now() - $2 * interval '1 millisecond'
                       ORDER BY attempted_at DESC LIMIT $3) AS at
           FROM unnest($1::text[]) k`,
        [keys, window.windowMs, window.newest],
      );
      const { rows: known } = await client.query(
        `SELECT 1 FROM gateway.login_known_addresses
          WHERE username = $1 AND address = $2 AND last_login_at > now() - $3 * interval '1 day'`,
        [attempt.username, attempt.address, window.knownForDays],
      );
      const byKey = new Map(rows.map((r) => [r.key, r.at.map((d) => d.getTime())]));
      const failures = Object.fromEntries(
        THROTTLE_SCOPES.map((scope) => [scope, byKey.get(attempt.keys[scope]) ?? []]),
      ) as Record<ThrottleScope, number[]>;
      const decision = decide({ failures, knownAddress: known.length > 0 }, rows[0]!.now.getTime());
      if (decision.allowed) {
        await client.query(
          `INSERT INTO gateway.login_attempts (attempt_id, key) SELECT $1, k FROM unnest($2::text[]) k ON CONFLICT DO NOTHING`,
          [attempt.attemptId, keys],
        );
      }
      return decision;
    });
  }

  /**
   * The attempt was right: it is no failure, the (username, address) failures before it are
   * forgotten, and the address is known for the username from now on.
   */
  async succeeded(attempt: LoginAttempt): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      await client.query(
        'DELETE FROM gateway.login_attempts WHERE attempt_id = $1 OR key = $2',
        [attempt.attemptId, attempt.keys.user_address],
      );
      await client.query(
        `INSERT INTO gateway.login_known_addresses (username, address) VALUES ($1, $2)
         ON CONFLICT (username, address) DO UPDATE SET last_login_at = now()`,
        [attempt.username, attempt.address],
      );
    });
  }

  /** Deletes attempts older than the window and addresses not logged in from for the days. */
  async prune(windowMs: number, knownForDays: number): Promise<number> {
    const attempts = await this.pool.query(
      `DELETE FROM gateway.login_attempts WHERE attempted_at < now() - $1 * interval '1 millisecond'`,
      [windowMs],
    );
    const addresses = await this.pool.query(
      `DELETE FROM gateway.login_known_addresses WHERE last_login_at < now() - $1 * interval '1 day'`,
      [knownForDays],
    );
    return (attempts.rowCount ?? 0) + (addresses.rowCount ?? 0);
  }
}
