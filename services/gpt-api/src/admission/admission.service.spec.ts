import { effectiveLimits } from './admission.service';

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
