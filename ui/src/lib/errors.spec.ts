import { describe, expect, it } from 'vitest';
import { ApiError } from '@/api/client';
import { describeError } from './errors';

describe('describeError', () => {
  it('says a throttled sign-in waits, and for how long the gateway said', () => {
    expect(describeError(new ApiError(429, 'login_throttled', 'Too many failed logins.', 42, undefined))).toEqual({
      code: 'login_throttled',
      retryAfterSeconds: 42,
      message: 'Too many failed sign-ins. Try again in 42 s.',
    });
    expect(describeError(new ApiError(429, 'login_throttled', 'Too many failed logins.', undefined, undefined)).message).toBe(
      'Too many failed sign-ins. Try again in a few minutes.',
    );
  });
});
