import { judgeRefreshToken } from './refresh-token-verdict';

const fresh = { used: false, revoked: false, expired: false };

describe('judgeRefreshToken', () => {
  it('rotates a fresh token', () => {
    expect(judgeRefreshToken(fresh)).toBe('rotate');
  });

  it('revokes the family of a token used before', () => {
    expect(judgeRefreshToken({ ...fresh, used: true })).toBe('reused');
  });

  it('refuses an unknown, revoked or expired token, even one used before (its family is already gone)', () => {
    expect(judgeRefreshToken(undefined)).toBe('invalid');
    expect(judgeRefreshToken({ ...fresh, revoked: true })).toBe('invalid');
    expect(judgeRefreshToken({ ...fresh, expired: true })).toBe('invalid');
    expect(judgeRefreshToken({ used: true, revoked: true, expired: false })).toBe('invalid');
    expect(judgeRefreshToken({ used: true, revoked: false, expired: true })).toBe('invalid');
  });
});
