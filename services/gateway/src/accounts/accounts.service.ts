import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { DomainException } from '@shoshizan/service-kit';
import { ErrorCode } from '@shoshizan/shared-interfaces';
import { hashPassword, verifyPassword } from '../auth/password';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';
import { AccessTokens } from './access-tokens';
import { LoginThrottleService } from './login-throttle.service';
import { RefreshTokensRepository } from './refresh-tokens.repository';
import { SessionsService } from './sessions.service';
import { UsersRepository } from './users.repository';

export interface TokenPair {
  readonly accessToken: string;
  readonly tokenType: 'Bearer';
  readonly expiresIn: number;
  readonly refreshToken: string;
}

const sha256 = (value: string): Buffer => createHash('sha256').update(value).digest();

/** Stored only as its SHA-256: 256 random bits need no slow hash. */
const newRefreshToken = (): string => `shr_${randomBytes(32).toString('base64url')}`;

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
    private readonly users: UsersRepository,
    private readonly refreshTokens: RefreshTokensRepository,
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
    const created = await this.users.createAdminIfAbsent({
      userId: randomUUID(),
      username,
      passwordHash: await hashPassword(password),
    });
    if (created) this.logger.info({ username }, 'Created the first admin');
  }

  async createUser(username: string, password: string, roles: readonly string[] = ['user']): Promise<string> {
    const userId = randomUUID();
    const created = await this.users.createIfAbsent({ userId, username, passwordHash: await hashPassword(password), roles });
    if (!created) throw new DomainException(ErrorCode.Conflict, `The username '${username}' is taken.`);
    return userId;
  }

  /**
   * Checks a password, unless the login throttle holds the attempt (LoginThrottled) for the
   * username or the client address `ip`: then the password is not even looked at, so a
   * guess made while held tells nothing.
   */
  async login(username: string, password: string, ip: string): Promise<TokenPair> {
    const attempt = await this.throttle.admit(username, ip);
    const user = await this.users.findCredentials(username);
    const ok = await verifyPassword(password, user?.passwordHash ?? (await DUMMY_HASH));
    if (!user || !ok) throw new DomainException(ErrorCode.Unauthenticated, 'Wrong username or password.');
    await this.throttle.succeeded(attempt);
    return this.issue({ userId: user.userId, username, roles: user.roles }, randomUUID());
  }

  /**
   * The local user an external identity is, created on first sight (no password, role
   * `user`; an admin may grant more). Idempotent and safe under concurrent first requests.
   */
  async userForExternal(issuer: string, subject: string): Promise<{ userId: string; roles: string[] }> {
    let user = await this.users.findByExternalIdentity(issuer, subject);
    if (!user) {
      const username = `${new URL(issuer).host || issuer}/${subject}`;
      await this.users.createForExternalIdentity({ issuer, subject, userId: randomUUID(), username });
      user = await this.users.findByExternalIdentity(issuer, subject);
      this.logger.info({ issuer, subject, userId: user?.userId }, 'Created a local user for an external identity');
    }
    if (!user) throw new DomainException(ErrorCode.Internal, 'Could not map the external identity to a user.');
    return { userId: user.userId, roles: user.roles };
  }

  /** Swaps a refresh token for a new pair. A token used twice revokes its whole family. */
  async refresh(refreshToken: string): Promise<TokenPair> {
    const next = newRefreshToken();
    const rotation = await this.refreshTokens.rotate(sha256(refreshToken), {
      tokenId: randomUUID(),
      tokenHash: sha256(next),
      ttlSeconds: this.config.REFRESH_TOKEN_TTL_SECONDS,
    });
    switch (rotation.outcome) {
      case 'rotated':
        return this.pair(rotation.user, rotation.familyId, next);
      case 'reused':
        // Raised only now, after the family's revocation committed.
        this.logger.warn({ userId: rotation.userId, family: rotation.familyId }, 'Revoked a refresh token family after reuse');
        this.sessions.ended(rotation.familyId);
        throw new DomainException(ErrorCode.Unauthenticated, 'The refresh token was already used; log in again.');
      case 'invalid':
        throw new DomainException(ErrorCode.Unauthenticated, 'The refresh token is not valid; log in again.');
    }
  }

  /** Revokes the refresh token's family, and with it the access tokens of that session. */
  async logout(refreshToken: string): Promise<void> {
    const familyId = await this.refreshTokens.revokeFamilyOf(sha256(refreshToken));
    if (familyId) this.sessions.ended(familyId);
  }

  /** A new session's first pair: a new refresh token in family `familyId`. */
  private async issue(user: { userId: string; username: string; roles: string[] }, familyId: string): Promise<TokenPair> {
    const refreshToken = newRefreshToken();
    await this.refreshTokens.create({
      tokenId: randomUUID(),
      familyId,
      userId: user.userId,
      tokenHash: sha256(refreshToken),
      ttlSeconds: this.config.REFRESH_TOKEN_TTL_SECONDS,
    });
    return this.pair(user, familyId, refreshToken);
  }

  private pair(user: { userId: string; username: string; roles: string[] }, familyId: string, refreshToken: string): TokenPair {
    const access = this.accessTokens.issue(user, familyId);
    return { accessToken: access.token, tokenType: 'Bearer', expiresIn: access.expiresIn, refreshToken };
  }
}
