/**
 * How the errors of a call to another Shoshizan service become this service's own: the one
 * mapping every client uses (through fetchJson, or directly for a stream).
 */
import { ErrorCode, parseWith, problemDetailsSchema } from '@shoshizan/shared-interfaces';
import { DomainException } from '../errors/domain.exception';
import { parseRetryAfter } from './retry-after';

/** The Retry-After given when a service did not answer in its own words nor say how long to wait. */
export const NO_ANSWER_RETRY_AFTER_SECONDS = 5;

/** A non-2xx answer, as read off the wire. */
export interface ServiceAnswer {
  readonly status: number;
  readonly body: string;
  /** The `Retry-After` header; null when absent. */
  readonly retryAfter: string | null;
}

/** Why a call got no answer in the called service's own words. */
export type NoAnswer =
  /** Refused, reset, no such host. */
  | { readonly kind: 'unreachable'; readonly cause: unknown }
  /** Silent past the call's timeout. */
  | { readonly kind: 'timeout'; readonly timeoutMs: number; readonly cause: unknown }
  /** A non-2xx answer that is no problem document: a proxy's error page, a service of another version. */
  | { readonly kind: 'unexplained'; readonly status: number; readonly retryAfterSeconds?: number };

/**
 * A refusal the called service explained (RFC 9457 problem details, as ProblemDetailsFilter
 * writes them) as the DomainException it was raised from: the same code, detail, field issues
 * and Retry-After, so that passing it on answers our caller as the service answered us.
 * Undefined when the body is no problem document.
 */
export function problemToException(answer: ServiceAnswer, now = Date.now()): DomainException | undefined {
  const problem = parseWith(problemDetailsSchema, parseJson(answer.body));
  if (!problem.ok) return undefined;
  const { code, detail, title, errors } = problem.value;
  const retryAfterSeconds = parseRetryAfter(answer.retryAfter, now);
  return new DomainException(code, detail ?? title, {
    ...(errors ? { issues: errors } : {}),
    ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
  });
}

/**
 * The error for a call that got no answer of the service's own. A client whose API says it
 * otherwise (the request queue's queue_unavailable) passes its own in place of this one.
 */
export function noAnswerException(service: string, failure: NoAnswer): DomainException {
  switch (failure.kind) {
    case 'unreachable':
      return new DomainException(ErrorCode.UpstreamUnavailable, `${service} is unreachable.`, {
        cause: failure.cause,
        retryAfterSeconds: NO_ANSWER_RETRY_AFTER_SECONDS,
      });
    case 'timeout':
      return new DomainException(ErrorCode.UpstreamTimeout, `${service} did not answer within ${failure.timeoutMs} ms.`, {
        cause: failure.cause,
      });
    case 'unexplained':
      // A 5xx from something in between (a pod going away) may pass; any other status was
      // earned by a call this side should not have made.
      return new DomainException(failure.status >= 500 ? ErrorCode.UpstreamUnavailable : ErrorCode.Internal, `${service} answered ${failure.status}.`, {
        retryAfterSeconds: failure.retryAfterSeconds ?? NO_ANSWER_RETRY_AFTER_SECONDS,
      });
  }
}

/**
 * A non-2xx answer as the exception to throw: the service's own problem when it sent one,
 * else `noAnswer` of an unexplained status.
 */
export function refusalToException(
  answer: ServiceAnswer,
  noAnswer: (failure: NoAnswer) => DomainException,
  now = Date.now(),
): DomainException {
  return (
    problemToException(answer, now) ??
    noAnswer({ kind: 'unexplained', status: answer.status, ...optionalRetryAfter(parseRetryAfter(answer.retryAfter, now)) })
  );
}

function optionalRetryAfter(seconds: number | undefined): { retryAfterSeconds?: number } {
  return seconds === undefined ? {} : { retryAfterSeconds: seconds };
}

/** The JSON in `text`, or undefined when it is none (an HTML error page, nothing at all). */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
