import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import type { Pool } from 'pg';
import { DomainException, PG_POOL, inTransaction } from '@shoshizan/service-kit';
import { ErrorCode } from '@shoshizan/shared-interfaces';
import { hashPassword, verifyPassword } from '../auth/password';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';
import { AccessTokens } from './access-tokens';
import { LoginThrottleService } from './login-throttle.service';
import { SessionsService } from './sessions.service';

export interface TokenPair {
  readonly accessToken: string;
  readonly tokenType: 'Bearer';
  readonly expiresIn: number;
  readonly refreshToken: string;
}

const sha256 = (value: string): Buffer => createHash('sha256').update(value).digest();

/** Checked against when a username is unknown, so a login takes as long either way. */
const DUMMY_HASH = hashPassword(randomBytes(16).toString('hex'));

/**
 * Local accounts: login with a password, short-lived access tokens, refresh tokens that
 * rotate on every use (a reused one revokes its whole family: it was stolen), logout. A
 * login's refresh-token family is its session: the access tokens carry its id (`sid`), and
 * end with it.
 */
@Injectable()
export class AccountsService implements OnApplicationBootstrap {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly accessTokens: AccessTokens,
    private readonly throttle: LoginThrottleService,
    private readonly sessions: SessionsService,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext(AccountsService.name);
  }

  /** Creates the first admin from ADMIN_USERNAME/ADMIN_PASSWORD unless that user exists. */
  async onApplicationBootstrap(): Promise<void> {
    const { ADMIN_USERNAME: username, ADMIN_PASSWORD: password } = this.config;
    if (!username || !password) return;
    const result = await this.pool.query(
      `INSERT INTO gateway.users (user_id, username, password_hash, roles) VALUES ($1, $2, $3, ARRAY['user', 'admin'])
       ON CONFLICT (username) DO NOTHING`,
      [randomUUID(), username, await hashPassword(password)],
    );
    if (result.rowCount) this.logger.info({ username }, 'Created the first admin');
  }

  async createUser(username: string, password: string, roles: readonly string[] = ['user']): Promise<string> {
    const userId = randomUUID();
    const result = await this.pool.query(
      `INSERT INTO gateway.users (user_id, username, password_hash, roles) VALUES ($1, $2, $3, $4)
       ON CONFLICT (username) DO NOTHING`,
      [userId, username, await hashPassword(password), roles],
    );
    if (!result.rowCount) throw new DomainException(ErrorCode.Conflict, `The username '${username}' is taken.`);
    return userId;
  }

  /**
   * Checks a password, unless the login throttle holds the attempt (LoginThrottled) for the
   * username or the client address `ip`: then the password is not even looked at, so a
   * guess made while held tells nothing.
   */
  async login(username: string, password: string, ip: string): Promise<TokenPair> {
    const attempt = await this.throttle.admit(username, ip);
    const { rows } = await this.pool.query<{ user_id: string; password_hash: string | null; roles: string[] }>(
      'SELECT user_id, password_hash, roles FROM gateway.users WHERE username = $1',
      [username],
    );
    const user = rows[0];
    const ok = await verifyPassword(password, user?.password_hash ?? (await DUMMY_HASH));
    if (!user || !ok) throw new DomainException(ErrorCode.Unauthenticated, 'Wrong username or password.');
    await this.throttle.succeeded(attempt);
    return this.issue({ userId: user.user_id, username, roles: user.roles }, randomUUID());
  }

  /**
   * The local user an external identity is, created on first sight (no password, role
   * `user`; an admin may grant more). Idempotent and safe under concurrent first requests.
   */
  async userForExternal(issuer: string, subject: string): Promise<{ userId: string; roles: string[] }> {
    const find = () =>
      this.pool.query<{ user_id: string; roles: string[] }>(
        `SELECT u.user_id, u.roles FROM gateway.external_identities e JOIN gateway.users u USING (user_id)
          WHERE e.issuer = $1 AND e.subject = $2`,
        [issuer, subject],
      );
    let { rows } = await find();
    if (!rows[0]) {
      const username = `${new URL(issuer).host || issuer}/${subject}`;
      await this.pool.query(
        `INSERT INTO gateway.users (user_id, username, password_hash) VALUES ($1, $2, NULL) ON CONFLICT (username) DO NOTHING`,
        [randomUUID(), username],
      );
      await this.pool.query(
        `INSERT INTO gateway.external_identities (issuer, subject, user_id)
         SELECT $1, $2, user_id FROM gateway.users WHERE username = $3 ON CONFLICT DO NOTHING`,
        [issuer, subject, username],
      );
      ({ rows } = await find());
      this.logger.info({ issuer, subject, userId: rows[0]?.user_id }, 'Created a local user for an external identity');
    }
    const row = rows[0];
    if (!row) throw new DomainException(ErrorCode.Internal, 'Could not map the external identity to a user.');
    return { userId: row.user_id, roles: row.roles };
  }

  /** Swaps a refresh token for a new pair. A token used twice revokes its whole family. */
  async refresh(refreshToken: string): Promise<TokenPair> {
    // The outcome is decided in the transaction and raised after it: a reuse must commit
    // the family's revocation before the caller hears no.
    const outcome = await inTransaction(this.pool, async (client) => {
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
        [sha256(refreshToken)],
      );
      const token = rows[0];
      if (!token || token.revoked_at || token.expired) return { refused: 'invalid' as const };
      if (token.used_at) {
        await client.query(
          'UPDATE gateway.refresh_tokens SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL',
          [token.family_id],
        );
        this.logger.warn({ userId: token.user_id, family: token.family_id }, 'Revoked a refresh token family after reuse');
        return { refused: 'reused' as const, familyId: token.family_id };
      }
      await client.query('UPDATE gateway.refresh_tokens SET used_at = now() WHERE token_id = $1', [token.token_id]);
      const pair = await this.issue(
        { userId: token.user_id, username: token.username, roles: token.roles },
        token.family_id,
        client,
      );
      return { pair };
    });
    if (outcome.pair) return outcome.pair;
    if (outcome.refused === 'reused') this.sessions.ended(outcome.familyId);
    throw new DomainException(
      ErrorCode.Unauthenticated,
      outcome.refused === 'reused'
        ? 'The refresh token was already used; log in again.'
        : 'The refresh token is not valid; log in again.',
    );
  }

  /** Revokes the refresh token's family, and with it the access tokens of that session. */
  async logout(refreshToken: string): Promise<void> {
    const { rows } = await this.pool.query<{ family_id: string }>(
      `UPDATE gateway.refresh_tokens SET revoked_at = now()
        WHERE family_id = (SELECT family_id FROM gateway.refresh_tokens WHERE token_hash = $1) AND revoked_at IS NULL
        RETURNING family_id`,
      [sha256(refreshToken)],
    );
    if (rows[0]) this.sessions.ended(rows[0].family_id);
  }

  private async issue(
    user: { userId: string; username: string; roles: string[] },
    familyId: string,
    client: Pick<Pool, 'query'> = this.pool,
  ): Promise<TokenPair> {
    const refreshToken = `shr_${randomBytes(32).toString('base64url')}`;
    await client.query(
      `INSERT INTO gateway.refresh_tokens (token_id, family_id, user_id, token_hash, expires_at)
       VALUES ($1, $2, $3, $4, now() + $5 * interval '1 second')`,
      [randomUUID(), familyId, user.userId, sha256(refreshToken), this.config.REFRESH_TOKEN_TTL_SECONDS],
    );
    const access = this.accessTokens.issue(user, familyId);
    return { accessToken: access.token, tokenType: 'Bearer', expiresIn: access.expiresIn, refreshToken };
  }
}
