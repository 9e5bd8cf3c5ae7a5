import { ErrorCode } from '@shoshizan/shared-interfaces';
import type { GptApiConfig } from '../config/gpt-api.config';
import type { LockedUser, UserLimitsRepository } from './user-limits.repository';
import { UserLimitsService, effectiveLimits, rateLimitRetryAfterSeconds } from './user-limits.service';

const defaults = { tokensPerDay: 1000, requestsPerMinute: null };
const row = (scope: 'user' | 'role', subject: string, tokens: number | null, rpm: number | null) => ({
  scope,
  subject,
  tokens_per_day: tokens,
  requests_per_minute: rpm,
});

describe('effectiveLimits', () => {
  it('falls back to the defaults', () => {
    expect(effectiveLimits([], 'u', [], defaults)).toEqual(defaults);
  });

  it("takes the user's own row over its roles'", () => {
    const rows = [row('role', 'pro', 50_000, 60), row('user', 'u', 10, null)];
    expect(effectiveLimits(rows, 'u', ['pro'], defaults)).toEqual({ tokensPerDay: 10, requestsPerMinute: 60 });
  });

  it('takes the most generous of the roles the user has, and ignores the others', () => {
    const rows = [row('role', 'pro', 50_000, 30), row('role', 'team', 20_000, 120), row('role', 'admin', 1e9, 1e6)];
    expect(effectiveLimits(rows, 'u', ['pro', 'team'], defaults)).toEqual({ tokensPerDay: 50_000, requestsPerMinute: 120 });
  });

  it('lets a row set 0, which refuses everything', () => {
    expect(effectiveLimits([row('user', 'u', 0, 0)], 'u', [], defaults)).toEqual({ tokensPerDay: 0, requestsPerMinute: 0 });
  });
});

describe('rateLimitRetryAfterSeconds', () => {
  const now = Date.parse('2026-03-01T12:00:00.000Z');

  it('waits until the oldest admission of the minute leaves it, rounding up', () => {
    expect(rateLimitRetryAfterSeconds({ count: 5, oldest: new Date(now - 45_500) }, now)).toBe(15);
  });

  it('waits at least a second, and a whole minute when the oldest is unknown', () => {
    expect(rateLimitRetryAfterSeconds({ count: 5, oldest: new Date(now - 61_000) }, now)).toBe(1);
    expect(rateLimitRetryAfterSeconds({ count: 5, oldest: null }, now)).toBe(60);
  });
});

describe('UserLimitsService', () => {
  const request = { requestId: 'r1', userId: 'u', roles: ['pro'] };
  const config = { DEFAULT_TOKENS_PER_DAY: 0, DEFAULT_REQUESTS_PER_MINUTE: 0 } as GptApiConfig;

  function setUp(rows: ReturnType<typeof row>[], locked: Partial<LockedUser> = {}) {
    const user: LockedUser = {
      limitRows: jest.fn(async () => rows),
      recentAdmissions: jest.fn(async () => ({ count: 0, oldest: null })),
      tokensUsedToday: jest.fn(async () => 0),
      ...locked,
    };
    const repository = {
      limitRows: jest.fn(async () => rows),
      tokensUsedToday: jest.fn(async () => 12),
      recordAdmission: jest.fn(async () => {}),
      admitOnce: jest.fn(async (_request: unknown, check: (user: LockedUser) => Promise<void>) => check(user)),
    };
    const service = new UserLimitsService(repository as unknown as UserLimitsRepository, config);
    return { service, repository, user };
  }

  it('records the admission of a user no limit applies to, without the lock', async () => {
    const { service, repository } = setUp([]);
    await service.admit(request);
    expect(repository.recordAdmission).toHaveBeenCalledWith(request);
    expect(repository.admitOnce).not.toHaveBeenCalled();
  });

  it('checks a limited user under the lock, reading only what the limits that apply need', async () => {
    const { service, repository, user } = setUp([row('role', 'pro', null, 10)]);
    await service.admit(request);
    expect(repository.admitOnce).toHaveBeenCalledWith(request, expect.any(Function));
    expect(repository.recordAdmission).not.toHaveBeenCalled();
    expect(user.recentAdmissions).toHaveBeenCalled();
    expect(user.tokensUsedToday).not.toHaveBeenCalled();
  });

  const now = Date.parse('2026-03-01T23:59:00.000Z');
  beforeEach(() => jest.spyOn(Date, 'now').mockReturnValue(now));
  afterEach(() => jest.restoreAllMocks());

  it('refuses a request over the rate with the seconds until the minute frees', async () => {
    const oldest = new Date(now - 30_000);
    const { service } = setUp([row('user', 'u', null, 2)], { recentAdmissions: async () => ({ count: 2, oldest }) });
    await expect(service.admit(request)).rejects.toMatchObject({ code: ErrorCode.RateLimited, options: { retryAfterSeconds: 30 } });
  });

  it('admits a request under the rate', async () => {
    const { service } = setUp([row('user', 'u', null, 2)], { recentAdmissions: async () => ({ count: 1, oldest: new Date() }) });
    await expect(service.admit(request)).resolves.toBeUndefined();
  });

  it('refuses a user whose quota is used up until UTC midnight, and admits one below it', async () => {
    const spent = setUp([row('user', 'u', 100, null)], { tokensUsedToday: async () => 100 });
    await expect(spent.service.admit(request)).rejects.toMatchObject({
      code: ErrorCode.QuotaExceeded,
      options: { retryAfterSeconds: 60 },
    });
    const below = setUp([row('user', 'u', 100, null)], { tokensUsedToday: async () => 99 });
    await expect(below.service.admit(request)).resolves.toBeUndefined();
  });

  it("answers the user's effective limits with the tokens used today", async () => {
    const { service } = setUp([row('role', 'pro', 500, 30)]);
    await expect(service.limitsOf('u', ['pro'])).resolves.toEqual({
      userId: 'u',
      tokensPerDay: 500,
      requestsPerMinute: 30,
      tokensUsedToday: 12,
    });
  });
});
