import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError, NetworkError, type ApiClient, type TokenPair } from '@/api/client';
import { setApiClient } from '@/api/app-client';
import { SESSION_KEY, useSessionStore } from './session';

const pair = (n: number, expiresIn = 900): TokenPair => ({
  accessToken: `access-${n}`,
  refreshToken: `refresh-${n}`,
  tokenType: 'Bearer',
  expiresIn,
});

function fakeApi(overrides: Partial<ApiClient> = {}) {
  const api = {
    login: vi.fn(async () => pair(1)),
    refresh: vi.fn(async () => pair(2)),
    logout: vi.fn(async () => undefined),
    ...overrides,
  };
  setApiClient(api as unknown as ApiClient);
  return api;
}

describe('the session store', () => {
  beforeEach(() => {
    localStorage.clear();
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-01-01T00:00:00Z'));
    setActivePinia(createPinia());
  });
  afterEach(() => vi.useRealTimers());

  it('keeps the tokens in localStorage across reloads', async () => {
    fakeApi();
    await useSessionStore().login('ada', 'secret');
    expect(JSON.parse(localStorage.getItem(SESSION_KEY)!)).toEqual({
      accessToken: 'access-1',
      refreshToken: 'refresh-1',
      expiresAt: Date.now() + 900_000,
    });
    setActivePinia(createPinia()); // a reload
    const again = useSessionStore();
    expect(again.signedIn).toBe(true);
    expect(await again.accessToken()).toBe('access-1');
  });

  it('refreshes the access token a minute before it expires', async () => {
    const api = fakeApi();
    const session = useSessionStore();
    await session.login('ada', 'secret');
    await vi.advanceTimersByTimeAsync(839_000);
    expect(api.refresh).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(2_000);
    expect(api.refresh).toHaveBeenCalledWith('refresh-1');
    expect(session.session?.accessToken).toBe('access-2');
  });

  it('refreshes once for many callers at the same time', async () => {
    const api = fakeApi();
    const session = useSessionStore();
    await session.login('ada', 'secret');
    const results = await Promise.all([session.refresh(), session.refresh(), session.refresh()]);
    expect(results).toEqual([true, true, true]);
    expect(api.refresh).toHaveBeenCalledTimes(1);
  });

  it('ends the session and says it expired when the refresh is refused', async () => {
    fakeApi({ refresh: vi.fn(async () => Promise.reject(new ApiError(401, 'unauthenticated', 'used', undefined, undefined))) });
    const session = useSessionStore();
    await session.login('ada', 'secret');
    expect(await session.refresh()).toBe(false);
    expect(session.signedIn).toBe(false);
    expect(session.expired).toBe(true);
    expect(localStorage.getItem(SESSION_KEY)).toBeNull();
  });

  it('keeps the session when the gateway is only unreachable', async () => {
    fakeApi({ refresh: vi.fn(async () => Promise.reject(new NetworkError(new TypeError('offline')))) });
    const session = useSessionStore();
    await session.login('ada', 'secret');
    expect(await session.refresh()).toBe(false);
    expect(session.signedIn).toBe(true);
    expect(session.expired).toBe(false);
  });

  it('adopts the tokens another tab refreshed instead of spending its refresh token twice', async () => {
    const api = fakeApi();
    const session = useSessionStore();
    await session.login('ada', 'secret');
    localStorage.setItem(SESSION_KEY, JSON.stringify({ accessToken: 'tab-b', refreshToken: 'refresh-b', expiresAt: Date.now() + 900_000 }));
    expect(await session.refresh()).toBe(true);
    expect(api.refresh).not.toHaveBeenCalled();
    expect(await session.accessToken()).toBe('tab-b');
  });

  it('signs out: forgets the tokens and revokes the refresh token', async () => {
    const api = fakeApi();
    const session = useSessionStore();
    await session.login('ada', 'secret');
    await session.logout();
    expect(session.signedIn).toBe(false);
    expect(session.expired).toBe(false);
    expect(api.logout).toHaveBeenCalledWith('refresh-1');
  });
});
