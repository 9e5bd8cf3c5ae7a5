/** What PostgreSQL holds about a refresh token presented for a new pair. */
export interface RefreshTokenState {
  readonly used: boolean;
  readonly revoked: boolean;
  readonly expired: boolean;
}

/**
 * What a presented refresh token earns: nothing (`invalid`: unknown, revoked or expired),
 * the revocation of its whole family (`reused`: a token is used once, so a second use means
 * it was stolen), or a new pair in the same family (`rotate`).
 */
export type RefreshVerdict = 'invalid' | 'reused' | 'rotate';

export function judgeRefreshToken(token: RefreshTokenState | undefined): RefreshVerdict {
  if (!token || token.revoked || token.expired) return 'invalid';
  if (token.used) return 'reused';
  return 'rotate';
}
