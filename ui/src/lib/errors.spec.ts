import { describe, expect, it } from 'vitest';
import { ApiError } from '@/api/client';
import { describeAnswerError, describeError, problemText } from './errors';

describe('describeError', () => {
  it('says a throttled sign-in waits, and for how long the gateway said', () => {
    const now = new Date('2026-01-01T12:00:00.000Z');
    const throttled = describeError(new ApiError(429, 'login_throttled', 'Too many failed logins.', 42, undefined), now);
    expect(throttled).toEqual({ code: 'login_throttled', retryAt: new Date('2026-01-01T12:00:42.000Z'), text: 'Too many failed sign-ins.' });
    expect(problemText(throttled, now)).toBe('Too many failed sign-ins. Try again in 42 s.');
    expect(problemText(describeError(new ApiError(429, 'login_throttled', 'Too many failed logins.', undefined, undefined), now), now)).toBe(
      'Too many failed sign-ins. Try again in a few minutes.',
    );
  });
});

describe('problemText', () => {
  const now = new Date('2026-01-01T12:00:00.000Z');
  const at = (seconds: number) => new Date(now.getTime() + seconds * 1000);
  const limited = { code: 'rate_limited' as const, text: 'You are sending requests too quickly.', retryAt: at(30) };

  it('counts down to retryAt, then says the wait is over', () => {
    expect(problemText(limited, now)).toBe('You are sending requests too quickly. Try again in 30 s.');
    expect(problemText(limited, at(29.5))).toBe('You are sending requests too quickly. Try again in 1 s.');
    expect(problemText(limited, at(30))).toBe('You are sending requests too quickly. You can try again now.');
    expect(problemText(limited, at(3600))).toBe('You are sending requests too quickly. You can try again now.');
  });

  it('says only the words when no time was given', () => {
    expect(problemText({ text: 'Cannot reach the server.', retryAt: null }, now)).toBe('Cannot reach the server.');
  });

  it('a spent quota without Retry-After waits for the next UTC day, in a refusal and in an answer’s error event', () => {
    const midnight = new Date('2026-01-02T00:00:00.000Z');
    expect(describeError(new ApiError(429, 'quota_exceeded', 'Quota.', undefined, undefined), now).retryAt).toEqual(midnight);
    expect(describeError(new ApiError(429, 'quota_exceeded', 'Quota.', 5, undefined), now).retryAt).toEqual(at(5));
    expect(describeAnswerError('quota_exceeded', 'spent', now)).toEqual({ code: 'quota_exceeded', retryAt: midnight, text: 'You have used your token quota for today.' });
    expect(problemText(describeAnswerError('rate_limited', 'too fast', now), now)).toBe('You are sending requests too quickly. Try again in 60 s.');
  });
});
