import { ErrorCode } from '@shoshizan/shared-interfaces';
import { DomainException } from '../errors/domain.exception';
import { noAnswerException, problemToException, refusalToException, type NoAnswer } from './service-errors';

const now = Date.parse('Tue, 01 Dec 2026 16:00:00 GMT');
const problem = (fields: Record<string, unknown>) => JSON.stringify({ type: 't', title: 'Too Many Requests', status: 429, ...fields });

describe('problemToException', () => {
  it("keeps the service's code, detail, field issues and Retry-After", () => {
    const refused = problemToException(
      { status: 400, body: problem({ code: 'validation_failed', detail: 'Bad input.', errors: [{ path: 'input.1', message: 'too long' }] }), retryAfter: null },
      now,
    );
    expect(refused).toBeInstanceOf(DomainException);
    expect(refused).toMatchObject({ code: ErrorCode.ValidationFailed, message: 'Bad input.', options: { issues: [{ path: 'input.1', message: 'too long' }] } });
    expect(refused!.options.retryAfterSeconds).toBeUndefined();
  });

  it('reads Retry-After as seconds or as a date', () => {
    const answer = (retryAfter: string) => ({ status: 429, body: problem({ code: 'rate_limited', detail: 'Slow down.' }), retryAfter });
    expect(problemToException(answer('7'), now)!.options.retryAfterSeconds).toBe(7);
    expect(problemToException(answer('Tue, 01 Dec 2026 16:01:00 GMT'), now)!.options.retryAfterSeconds).toBe(60);
    expect(problemToException(answer('0'), now)!.options).toEqual({});
  });

  it('takes the title when the problem has no detail', () => {
    expect(problemToException({ status: 429, body: problem({ code: 'quota_exceeded' }), retryAfter: null }, now)!.message).toBe('Too Many Requests');
  });

  it.each([
    ['an HTML page', '<html>Bad Gateway</html>'],
    ['nothing', ''],
    ['JSON without a code', problem({ detail: 'x' })],
    ['a code this vocabulary lacks', problem({ code: 'teapot' })],
  ])('gives undefined for %s', (_label, body) => {
    expect(problemToException({ status: 502, body, retryAfter: null }, now)).toBeUndefined();
  });
});

describe('noAnswerException', () => {
  it.each<[string, NoAnswer, ErrorCode, string, number | undefined]>([
    ['an unreachable service', { kind: 'unreachable', cause: new TypeError('fetch failed') }, ErrorCode.UpstreamUnavailable, 'svc is unreachable.', 5],
    ['a silent one', { kind: 'timeout', timeoutMs: 250, cause: new Error('aborted') }, ErrorCode.UpstreamTimeout, 'svc did not answer within 250 ms.', undefined],
    ["a proxy's 502", { kind: 'unexplained', status: 502 }, ErrorCode.UpstreamUnavailable, 'svc answered 502.', 5],
    ["a proxy's 503 saying when", { kind: 'unexplained', status: 503, retryAfterSeconds: 30 }, ErrorCode.UpstreamUnavailable, 'svc answered 503.', 30],
    ['a 404 page (a call that should not have been made)', { kind: 'unexplained', status: 404 }, ErrorCode.Internal, 'svc answered 404.', 5],
  ])('maps %s', (_label, failure, code, message, retryAfterSeconds) => {
    const error = noAnswerException('svc', failure);
    expect(error).toMatchObject({ code, message });
    expect(error.options.retryAfterSeconds).toBe(retryAfterSeconds);
  });
});

describe('refusalToException', () => {
  const mine = (failure: NoAnswer) => new DomainException(ErrorCode.QueueUnavailable, JSON.stringify(failure));

  it("prefers the service's own problem", () => {
    expect(refusalToException({ status: 429, body: problem({ code: 'rate_limited' }), retryAfter: '3' }, mine, now)).toMatchObject({
      code: ErrorCode.RateLimited,
      options: { retryAfterSeconds: 3 },
    });
  });

  it('hands anything else to the caller as an unexplained status, with its Retry-After', () => {
    expect(refusalToException({ status: 503, body: 'down', retryAfter: '9' }, mine, now).message).toBe('{"kind":"unexplained","status":503,"retryAfterSeconds":9}');
    expect(refusalToException({ status: 500, body: 'oops', retryAfter: null }, mine, now).message).toBe('{"kind":"unexplained","status":500}');
  });
});
