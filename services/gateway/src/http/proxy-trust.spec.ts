import { proxyEntryProblem, proxyTrust } from './proxy-trust';

describe('proxyTrust', () => {
  it('believes a peer in the trusted ranges, up to the number of hops', () => {
    const trust = proxyTrust(['uniquelocal'], 1);
    expect(trust('10.244.0.7', 0)).toBe(true); // the ingress pod
    expect(trust('10.244.0.8', 1)).toBe(false); // what the ingress was told: the client's say
    expect(trust('fd00::1', 0)).toBe(true);
    expect(trust('::ffff:192.168.1.2', 0)).toBe(true);
  });

  it('never believes a client that connects directly from outside the ranges', () => {
    const trust = proxyTrust(['uniquelocal'], 2);
    expect(trust('127.0.0.1', 0)).toBe(false);
    expect(trust('203.0.113.9', 0)).toBe(false);
    expect(trust('2001:db8::1', 0)).toBe(false);
    expect(trust('not an address', 0)).toBe(false);
  });

  it('takes addresses and CIDR blocks as well as names, and two hops when told', () => {
    const trust = proxyTrust(['loopback', '198.51.100.7', '2001:db8:5::/48'], 2);
    expect(trust('127.0.0.1', 0)).toBe(true);
    expect(trust('198.51.100.7', 1)).toBe(true);
    expect(trust('198.51.100.8', 1)).toBe(false);
    expect(trust('2001:db8:5:ffff::1', 1)).toBe(true);
    expect(trust('127.0.0.1', 2)).toBe(false);
  });

  it('with no hops believes no one', () => {
    expect(proxyTrust(['loopback'], 0)('127.0.0.1', 0)).toBe(false);
  });
});

describe('proxyEntryProblem', () => {
  it.each(['loopback', 'uniquelocal', '10.0.0.0/8', '::1', 'fc00::/7', '203.0.113.9'])('accepts %s', (entry) => {
    expect(proxyEntryProblem(entry)).toBeUndefined();
  });

  it.each(['localhost', '10.0.0.0/33', '::/129', '10.0.0.0/8/1', '10.0.0/8', '10.0.0.0/x'])('refuses %s', (entry) => {
    expect(proxyEntryProblem(entry)).toMatch(/^'/);
  });
});
