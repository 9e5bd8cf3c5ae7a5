import { isIPv4, isIPv6 } from 'node:net';

/**
 * The login throttle's rules and decision, free of I/O so they are tested in milliseconds.
 * The state they judge (recent failures per key) lives in PostgreSQL (LoginAttemptsRepository),
 * so the limits hold across gateway replicas.
 */

/** What a failed login is counted against. */
export type ThrottleScope = 'user_address' | 'user' | 'address';

export const THROTTLE_SCOPES: readonly ThrottleScope[] = ['user_address', 'user', 'address'];

/**
 * At most `failures[scope]` failed logins per key of each scope in any `windowMs`: one
 * window for all three, so a per (username, address) limit below the per-username one means
 * one address alone can never fill a username's count.
 */
export interface ThrottleRules {
  readonly windowMs: number;
  readonly failures: Readonly<Record<ThrottleScope, number>>;
}

/** What the store knows at the moment of an attempt. */
export interface ThrottleState {
  /** Times (ms) of the failed attempts per scope, newest first; older ones may be left out. */
  readonly failures: Readonly<Record<ThrottleScope, readonly number[]>>;
  /**
   * The username logged in from this address recently. The per-username limit then does
   * not hold the attempt (its own per (username, address) limit still does), so failures
   * from elsewhere cannot lock a user out of the places they sign in from.
   */
  readonly knownAddress: boolean;
}

export type ThrottleDecision =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly scope: ThrottleScope; readonly retryAfterMs: number };

/**
 * Whether a login attempt at `nowMs` may go ahead. A full window holds it until the oldest
 * failure that keeps the window full leaves it; with several full, the longest wait wins.
 */
export function decideLogin(rules: ThrottleRules, state: ThrottleState, nowMs: number): ThrottleDecision {
  let refusal: { scope: ThrottleScope; retryAfterMs: number } | undefined;
  for (const scope of THROTTLE_SCOPES) {
    if (scope === 'user' && state.knownAddress) continue;
    const limit = rules.failures[scope];
    const inWindow = state.failures[scope].filter((at) => at > nowMs - rules.windowMs && at <= nowMs);
    if (inWindow.length < limit) continue;
    const freedAt = [...inWindow].sort((a, b) => b - a)[limit - 1]! + rules.windowMs;
    const retryAfterMs = freedAt - nowMs;
    if (!refusal || retryAfterMs > refusal.retryAfterMs) refusal = { scope, retryAfterMs };
  }
  return refusal ? { allowed: false, ...refusal } : { allowed: true };
}

/** The key of each scope for a login attempt (JSON for the pair, so no pair poses as another). */
export function throttleKeys(username: string, address: string): Record<ThrottleScope, string> {
  return { user_address: `ua:${JSON.stringify([username, address])}`, user: `u:${username}`, address: `a:${address}` };
}

/**
 * The address a client is counted under: IPv4 as it is (also when written IPv4-mapped),
 * IPv6 by its /64, the smallest block one subscriber is usually given, so an attacker with a
 * prefix of their own cannot take a fresh address per attempt. Anything else (a forwarded
 * header that is not an address) is 'unknown': one key, shared by all who send such things.
 */
export function clientAddressKey(ip: string): string {
  const address = ip.trim().toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(address)?.[1];
  if (mapped && isIPv4(mapped)) return mapped;
  if (isIPv4(address)) return address;
  const groups = isIPv6(address) ? ipv6Groups(address) : undefined;
  if (!groups) return 'unknown';
  return `${groups.slice(0, 4).join(':')}::/64`;
}

/** The eight 16-bit groups of an IPv6 address, without leading zeros (zone id dropped). */
function ipv6Groups(address: string): string[] | undefined {
  let text = address.split('%')[0]!;
  const ipv4Tail = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (ipv4Tail) {
    const [a, b, c, d] = ipv4Tail.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, ipv4Tail.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const left = head ? head.split(':') : [];
  const right = tail === undefined ? [] : tail ? tail.split(':') : [];
  const zeros = tail === undefined ? 0 : 8 - left.length - right.length;
  const groups = [...left, ...Array<string>(zeros).fill('0'), ...right];
  if (groups.length !== 8) return undefined;
  return groups.map((g) => parseInt(g, 16).toString(16));
}
