import { createHash, randomBytes, scryptSync } from 'node:crypto';
import type { PinoLogger } from 'nestjs-pino';
import { ErrorCode } from '@shoshizan/shared-interfaces';
import type { GatewayConfig } from '../config/gateway.config';
import type { AccessTokens } from './access-tokens';
import { AccountsService } from './accounts.service';
import type { LoginThrottleService } from './login-throttle.service';
import type { RefreshTokensRepository, Rotation } from './refresh-tokens.repository';
import type { SessionsService } from './sessions.service';
import type { UserCredentials, UsersRepository } from './users.repository';

const sha256 = (value: string): Buffer => createHash('sha256').update(value).digest();
const alice = { userId: 'u1', username: 'alice', roles: ['user'] };

/** A hash verifyPassword accepts: its scrypt parameters travel in it, and cheap ones keep the spec fast. */
function cheapHash(password: string): string {
  const salt = randomBytes(16);
  const key = scryptSync(password, salt, 32, { N: 1024, r: 8, p: 1 });
  return ['scrypt', 1024, 8, 1, salt.toString('base64url'), key.toString('base64url')].join('$');
}

function setUp(options: { rotation?: Rotation; credentials?: UserCredentials; revokedFamily?: string } = {}) {
  const users = {
    createAdminIfAbsent: jest.fn(async () => true),
    createIfAbsent: jest.fn(async () => true),
    findCredentials: jest.fn(async () => options.credentials),
    findByExternalIdentity: jest.fn(async (): Promise<{ userId: string; roles: string[] } | undefined> => undefined),
    createForExternalIdentity: jest.fn(async () => {}),
  };
  const refreshTokens = {
    create: jest.fn(async () => {}),
    rotate: jest.fn(async () => options.rotation ?? { outcome: 'invalid' }),
    revokeFamilyOf: jest.fn(async () => options.revokedFamily),
  };
  const accessTokens = { issue: jest.fn((_user: unknown, sessionId: string) => ({ token: `at-${sessionId}`, expiresIn: 900 })) };
  const throttle = { admit: jest.fn(async () => ({ attemptId: 'a1' })), succeeded: jest.fn(async () => {}) };
  const sessions = { ended: jest.fn() };
  const logger = { setContext: () => undefined, info: () => undefined, warn: () => undefined };
  const service = new AccountsService(
    users as unknown as UsersRepository,
    refreshTokens as unknown as RefreshTokensRepository,
    { REFRESH_TOKEN_TTL_SECONDS: 3600 } as GatewayConfig,
    accessTokens as unknown as AccessTokens,
    throttle as unknown as LoginThrottleService,
    sessions as unknown as SessionsService,
    logger as unknown as PinoLogger,
  );
  return { service, users, refreshTokens, accessTokens, throttle, sessions };
}

describe('AccountsService', () => {
  it('rotates a refresh token into a pair in the same family, storing only the hash of the token it hands out', async () => {
    const { service, refreshTokens, sessions } = setUp({ rotation: { outcome: 'rotated', familyId: 'f1', user: alice } });
    const pair = await service.refresh('shr_old');
    expect(pair).toEqual({ accessToken: 'at-f1', tokenType: 'Bearer', expiresIn: 900, refreshToken: expect.stringMatching(/^shr_/) });
    expect(refreshTokens.rotate).toHaveBeenCalledWith(sha256('shr_old'), {
      tokenId: expect.any(String),
      tokenHash: sha256(pair.refreshToken),
      ttlSeconds: 3600,
    });
    expect(sessions.ended).not.toHaveBeenCalled();
  });

  it("refuses a reused refresh token and ends its session on this replica at once", async () => {
    const { service, sessions } = setUp({ rotation: { outcome: 'reused', familyId: 'f1', userId: 'u1' } });
    await expect(service.refresh('shr_old')).rejects.toMatchObject({
      code: ErrorCode.Unauthenticated,
      message: 'The refresh token was already used; log in again.',
    });
    expect(sessions.ended).toHaveBeenCalledWith('f1');
  });

  it('refuses an invalid refresh token without ending any session', async () => {
    const { service, sessions } = setUp({ rotation: { outcome: 'invalid' } });
    await expect(service.refresh('shr_old')).rejects.toMatchObject({
      code: ErrorCode.Unauthenticated,
      message: 'The refresh token is not valid; log in again.',
    });
    expect(sessions.ended).not.toHaveBeenCalled();
  });

  it('ends the session of a logged-out family, and none when nothing was live', async () => {
    const live = setUp({ revokedFamily: 'f1' });
    await live.service.logout('shr_x');
    expect(live.refreshTokens.revokeFamilyOf).toHaveBeenCalledWith(sha256('shr_x'));
    expect(live.sessions.ended).toHaveBeenCalledWith('f1');
    const gone = setUp();
    await gone.service.logout('shr_x');
    expect(gone.sessions.ended).not.toHaveBeenCalled();
  });

  it('logs in with the right password: the throttle hears of the success and the pair opens a new session', async () => {
    const credentials = { userId: 'u1', passwordHash: cheapHash('correct horse'), roles: ['user'] };
    const { service, refreshTokens, throttle } = setUp({ credentials });
    const pair = await service.login('alice', 'correct horse', '10.0.0.1');
    expect(throttle.succeeded).toHaveBeenCalledWith({ attemptId: 'a1' });
    const [stored] = refreshTokens.create.mock.calls[0] as unknown as [{ familyId: string; userId: string; tokenHash: Buffer }];
    expect(stored).toMatchObject({ userId: 'u1', tokenHash: sha256(pair.refreshToken), ttlSeconds: 3600 });
    expect(pair.accessToken).toBe(`at-${stored.familyId}`);
  });

  it('refuses a wrong password, an unknown user and a user without a password alike, telling the throttle of no success', async () => {
    const credentials = { userId: 'u1', passwordHash: cheapHash('correct horse'), roles: ['user'] };
    for (const given of [credentials, undefined, { ...credentials, passwordHash: null }]) {
      const { service, throttle, refreshTokens } = setUp({ credentials: given });
      await expect(service.login('alice', given === credentials ? 'wrong' : 'correct horse', '10.0.0.1')).rejects.toMatchObject({
        code: ErrorCode.Unauthenticated,
        message: 'Wrong username or password.',
      });
      expect(throttle.succeeded).not.toHaveBeenCalled();
      expect(refreshTokens.create).not.toHaveBeenCalled();
    }
  });

  it('refuses a taken username with Conflict', async () => {
    const { service, users } = setUp();
    users.createIfAbsent.mockResolvedValue(false);
    await expect(service.createUser('alice', 'a long password')).rejects.toMatchObject({ code: ErrorCode.Conflict });
  });

  it('maps a known external identity to its user, and creates one named after the issuer host on first sight', async () => {
    const known = setUp();
    known.users.findByExternalIdentity.mockResolvedValue({ userId: 'u1', roles: ['user'] });
    await expect(known.service.userForExternal('https://id.example', 'sub')).resolves.toEqual({ userId: 'u1', roles: ['user'] });
    expect(known.users.createForExternalIdentity).not.toHaveBeenCalled();

    const fresh = setUp();
    fresh.users.findByExternalIdentity.mockResolvedValueOnce(undefined).mockResolvedValueOnce({ userId: 'u2', roles: ['user'] });
    await expect(fresh.service.userForExternal('https://id.example', 'sub')).resolves.toEqual({ userId: 'u2', roles: ['user'] });
    expect(fresh.users.createForExternalIdentity).toHaveBeenCalledWith({
      issuer: 'https://id.example',
      subject: 'sub',
      userId: expect.any(String),
      username: 'id.example/sub',
    });

    const lost = setUp();
    await expect(lost.service.userForExternal('https://id.example', 'sub')).rejects.toMatchObject({ code: ErrorCode.Internal });
  });
});
