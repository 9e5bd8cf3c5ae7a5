import { leaseDecision, microTime } from './lease';

describe('leaseDecision', () => {
  const now = Date.parse('2026-12-01T00:00:30Z');
  const lease = (holderIdentity: string | undefined, renewTime?: string) => ({
    metadata: { name: 'l', resourceVersion: '1' },
    spec: { holderIdentity, leaseDurationSeconds: 15, ...(renewTime ? { renewTime: new Date(renewTime) as never } : {}) },
  });

  it('creates a missing Lease and renews its own', () => {
    expect(leaseDecision(undefined, 'a', now)).toBe('create');
    expect(leaseDecision(lease('a', '2026-12-01T00:00:00Z'), 'a', now)).toBe('renew');
  });

  it('follows a holder that renewed within the duration, and takes over from one that did not', () => {
    expect(leaseDecision(lease('b', '2026-12-01T00:00:20Z'), 'a', now)).toBe('follow');
    expect(leaseDecision(lease('b', '2026-12-01T00:00:10Z'), 'a', now)).toBe('take-over');
  });

  it('takes a released Lease at once', () => {
    expect(leaseDecision(lease(undefined, '2026-12-01T00:00:29Z'), 'a', now)).toBe('take-over');
  });
});

describe('microTime', () => {
  it('writes six fractional digits, as the API server parses a Lease\'s times', () => {
    expect(microTime(new Date('2026-12-01T06:15:38.495Z'))).toBe('2026-12-01T06:15:38.495000Z');
    expect(microTime(undefined)).toBeUndefined();
  });
});
