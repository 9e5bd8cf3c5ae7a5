import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { ApiError, type TokenPair } from '@/api/client';
import { apiClient } from '@/api/app-client';

/** Where the session is kept across reloads (and shared between tabs). */
export const SESSION_KEY = 'shoshizan.session';

export interface StoredSession {
  accessToken: string;
  refreshToken: string;
  /** When the access token expires, ms since the epoch. */
  expiresAt: number;
}

/** Refresh this long before the access token expires (or at 4/5 of a shorter life). */
const REFRESH_MARGIN_MS = 60_000;

function read(): StoredSession | null {
  try {
    const value = JSON.parse(localStorage.getItem(SESSION_KEY) ?? 'null') as Partial<StoredSession> | null;
    if (
      value &&
      typeof value.accessToken === 'string' &&
      typeof value.refreshToken === 'string' &&
      typeof value.expiresAt === 'number'
    ) {
      return { accessToken: value.accessToken, refreshToken: value.refreshToken, expiresAt: value.expiresAt };
    }
  } catch {
    // A damaged entry is no session.
  }
  return null;
}

function marginOf(lifetimeMs: number): number {
  return Math.min(REFRESH_MARGIN_MS, lifetimeMs / 5);
}

/**
 * The signed-in session: tokens kept in localStorage, the access token refreshed before it
 * expires and once after a 401. When a refresh is refused the session ends and `expired`
 * says so (the sign-in page tells the person why they are there). Tabs share the session:
 * a refresh is done by one tab at a time (Web Locks), and the others adopt its result.
 */
export const useSessionStore = defineStore('session', () => {
  const session = ref<StoredSession | null>(read());
  const expired = ref(false);
  const signedIn = computed(() => session.value !== null);
  let lifetimeMs = REFRESH_MARGIN_MS * 15;
  let refreshing: Promise<boolean> | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;

  function store(next: StoredSession | null): void {
    session.value = next;
    if (next) localStorage.setItem(SESSION_KEY, JSON.stringify(next));
    else localStorage.removeItem(SESSION_KEY);
    schedule();
  }

  function adopt(pair: TokenPair): void {
    lifetimeMs = pair.expiresIn * 1000;
    store({ accessToken: pair.accessToken, refreshToken: pair.refreshToken, expiresAt: Date.now() + lifetimeMs });
  }

  /** Refreshes ahead of expiry, so requests rarely meet a 401. */
  function schedule(): void {
    clearTimeout(timer);
    const current = session.value;
    if (!current) return;
    const due = current.expiresAt - marginOf(lifetimeMs) - Date.now();
    timer = setTimeout(() => void refresh(), Math.max(0, due));
  }

  async function login(username: string, password: string): Promise<void> {
    adopt(await apiClient().login({ username, password }));
    expired.value = false;
  }

  /** Ends the session here and revokes its refresh token at the gateway. */
  async function logout(): Promise<void> {
    const refreshToken = session.value?.refreshToken;
    expired.value = false;
    store(null);
    if (refreshToken) await apiClient().logout(refreshToken).catch(() => undefined);
  }

  /** The session ended against the person's will: say so on the sign-in page. */
  function expire(): void {
    store(null);
    expired.value = true;
  }

  /**
   * Gets a new token pair; true when there is a usable access token afterwards. A refused
   * refresh ends the session; an unreachable gateway keeps it (the next attempt may work).
   */
  function refresh(): Promise<boolean> {
    refreshing ??= withLock(async () => {
      const before = session.value;
      // Another tab may have refreshed already: its tokens are in storage.
      const stored = read();
      if (stored && before && stored.refreshToken !== before.refreshToken && stored.expiresAt > Date.now()) {
        store(stored);
        return true;
      }
      const current = stored ?? before;
      if (!current) return false;
      try {
        adopt(await apiClient().refresh(current.refreshToken));
        return true;
      } catch (error) {
        if (error instanceof ApiError && (error.status === 401 || error.status === 400)) {
          expire();
          return false;
        }
        schedule();
        return false;
      }
    }).finally(() => {
      refreshing = null;
    });
    return refreshing;
  }

  /** The access token to send, refreshed first when it is about to expire. */
  async function accessToken(): Promise<string | null> {
    const current = session.value;
    if (!current) return null;
    if (current.expiresAt - Date.now() < 5_000) await refresh();
    return session.value?.accessToken ?? null;
  }

  /** Another tab signed in, refreshed or signed out. */
  function onStorage(event: StorageEvent): void {
    if (event.key !== SESSION_KEY && event.key !== null) return;
    session.value = read();
    schedule();
  }
  if (typeof window !== 'undefined') window.addEventListener('storage', onStorage);
  schedule();

  return { session, signedIn, expired, login, logout, refresh, accessToken, expire };
});

/** Runs `task` holding a lock shared by every tab of this origin, where the browser has Web Locks. */
async function withLock<T>(task: () => Promise<T>): Promise<T> {
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  if (!locks) return task();
  return locks.request('shoshizan.session-refresh', task) as Promise<T>;
}
