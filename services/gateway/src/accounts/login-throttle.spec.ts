import { clientAddressKey, decideLogin, throttleKeys, type ThrottleRules, type ThrottleState } from './login-throttle';

const rules: ThrottleRules = { windowMs: 300_000, failures: { user_address: 10, user: 30, address: 100 } };
const NOW = 1_000_000_000;

/** `n` failures, one every `everyMs`, the newest `ageMs` before NOW. */
function failures(n: number, everyMs = 1000, ageMs = 0): number[] {
  return Array.from({ length: n }, (_, i) => NOW - ageMs - i * everyMs);
}

function state(partial: Partial<ThrottleState['failures']> = {}, knownAddress = false): ThrottleState {
  return { failures: { user_address: [], user: [], address: [], ...partial }, knownAddress };
}

describe('decideLogin', () => {
  it('lets attempts through below every limit', () => {
    expect(decideLogin(rules, state({ user_address: failures(9), user: failures(29), address: failures(99) }), NOW)).toEqual({
      allowed: true,
    });
  });

  it('holds the 11th failure in a row from one address, until the oldest that fills the window leaves it', () => {
    // Ten failures, one a second, the newest just now: the oldest is 9 s old, so 291 s to go.
    expect(decideLogin(rules, state({ user_address: failures(10) }), NOW)).toEqual({
      allowed: false,
      scope: 'user_address',
      retryAfterMs: 291_000,
    });
  });

  it('waits for the limit-th newest failure, not the oldest one stored', () => {
    // Twelve stored (two got in before the limit was lowered, say): the 10th newest decides.
    const twelve = failures(12, 10_000);
    expect(decideLogin(rules, state({ user_address: twelve }), NOW)).toMatchObject({ retryAfterMs: 300_000 - 90_000 });
  });

  it('forgets failures older than the window, to the millisecond', () => {
    const edge = failures(10, 1000, 300_000 - 9000);
    // The oldest is exactly one window old: out; nine left.
    expect(decideLogin(rules, state({ user_address: edge }), NOW)).toEqual({ allowed: true });
    expect(decideLogin(rules, state({ user_address: edge }), NOW - 1)).toEqual({
      allowed: false,
      scope: 'user_address',
      retryAfterMs: 1,
    });
  });

  it('holds a username tried from many addresses, and any address tried on many usernames', () => {
    expect(decideLogin(rules, state({ user: failures(30) }), NOW)).toMatchObject({ allowed: false, scope: 'user' });
    expect(decideLogin(rules, state({ address: failures(100, 100) }), NOW)).toMatchObject({
      allowed: false,
      scope: 'address',
      retryAfterMs: 300_000 - 9900,
    });
  });

  it('does not hold an address the user logged in from by the per-username limit, only by its own', () => {
    const attacked = { user: failures(30) };
    expect(decideLogin(rules, state(attacked, true), NOW)).toEqual({ allowed: true });
    expect(decideLogin(rules, state({ ...attacked, user_address: failures(10) }, true), NOW)).toMatchObject({
      allowed: false,
      scope: 'user_address',
    });
  });

  it('answers the longest wait when several limits hold', () => {
    const decision = decideLogin(rules, state({ user_address: failures(10, 1000, 60_000), user: failures(30, 1000) }), NOW);
    expect(decision).toEqual({ allowed: false, scope: 'user', retryAfterMs: 300_000 - 29_000 });
  });

  it('ignores failures stamped after now (another clock)', () => {
    expect(decideLogin(rules, state({ user_address: failures(10, 1000, -20_000) }), NOW)).toEqual({ allowed: true });
  });
});

describe('throttleKeys', () => {
  it('keys each scope apart, and no username can pose as another address', () => {
    expect(throttleKeys('alice', '203.0.113.5')).toEqual({
      user_address: 'ua:["alice","203.0.113.5"]',
      user: 'u:alice',
      address: 'a:203.0.113.5',
    });
    expect(throttleKeys('alice","x', 'y').user_address).not.toBe(throttleKeys('alice', 'x","y').user_address);
  });
});

describe('clientAddressKey', () => {
  it.each([
    ['203.0.113.5', '203.0.113.5'],
    ['::ffff:203.0.113.5', '203.0.113.5'],
    ['::FFFF:127.0.0.1', '127.0.0.1'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:DB8:0001:0002:ffff::1', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['64:ff9b::192.0.2.33', '64:ff9b:0:0::/64'],
    ['', 'unknown'],
    ['not an address|x', 'unknown'],
    ['1.2.3.4.5', 'unknown'],
  ])('counts %s as %s', (ip, key) => {
    expect(clientAddressKey(ip)).toBe(key);
  });

  it('counts every address of one /64 as one client', () => {
    expect(clientAddressKey('2001:db8:1:2:aaaa::1')).toBe(clientAddressKey('2001:db8:1:2:bbbb:cccc:dddd:eeee'));
    expect(clientAddressKey('2001:db8:1:2::1')).not.toBe(clientAddressKey('2001:db8:1:3::1'));
  });
});
