import { ApiError, NetworkError, type ErrorCode } from '@/api/client';
// One definition with the services' Retry-After for a spent quota (the file imports nothing).
import { secondsToUtcMidnight } from '../../../shared-interfaces/src/quota-day';

/**
 * An error as the page says it, kept as data: the words, and when trying again may work. The
 * "Try again in N s" is not part of `text`: `problemText` writes it for the moment the page
 * renders, so a countdown is a clock reading, never a rewrite of a sentence.
 */
export interface Problem {
  text: string;
  code?: ErrorCode | undefined;
  /** When trying again may work (the gateway's Retry-After, or the next quota day); null: not said. */
  retryAt: Date | null;
}

/** "Try again in 42 s" (or in minutes/hours when that is easier to read). */
export function tryAgainIn(seconds: number): string {
  const s = Math.max(1, Math.ceil(seconds));
  if (s < 120) return `Try again in ${s} s.`;
  if (s < 7200) return `Try again in ${s} s (about ${Math.round(s / 60)} min).`;
  return `Try again in ${s} s (about ${Math.round(s / 3600)} h).`;
}

/** A problem in words at `now`: its text, then how long until `retryAt`, or that the wait is over. */
export function problemText(problem: Problem, now = new Date()): string {
  if (!problem.retryAt) return problem.text;
  const left = Math.ceil((problem.retryAt.getTime() - now.getTime()) / 1000);
  return `${problem.text} ${left > 0 ? tryAgainIn(left) : 'You can try again now.'}`;
}

/** What went wrong, in words as of now, for a page that says it once (no countdown). */
export function errorText(error: unknown, now = new Date()): string {
  return problemText(describeError(error, now), now);
}

const secondsLater = (now: Date, seconds: number | undefined): Date | null =>
  seconds === undefined ? null : new Date(now.getTime() + seconds * 1000);

/** What went wrong with a request the page made (sending, renaming, ...), in plain words. */
export function describeError(error: unknown, now = new Date()): Problem {
  if (error instanceof NetworkError) {
    return { text: 'Cannot reach the server. Check your connection and try again.', retryAt: null };
  }
  if (!(error instanceof ApiError)) {
    return { text: 'Something went wrong. Please try again.', retryAt: null };
  }
  const retry = error.retryAfterSeconds;
  const retryAt = secondsLater(now, retry);
  switch (error.code) {
    case 'rate_limited':
      return { code: error.code, retryAt, text: 'You are sending requests too quickly.' };
    case 'login_throttled':
      return { code: error.code, retryAt, text: `Too many failed sign-ins.${retryAt ? '' : ' Try again in a few minutes.'}` };
    case 'quota_exceeded':
      return {
        code: error.code,
        retryAt: secondsLater(now, retry ?? secondsToUtcMidnight(now.getTime())),
        text: 'You have used your token quota for today.',
      };
    case 'model_not_found':
      return { code: error.code, retryAt: null, text: `${error.message} Pick another model.` };
    case 'model_unavailable':
      return { code: error.code, retryAt, text: 'The model is unavailable right now.' };
    case 'queue_unavailable':
    case 'upstream_unavailable':
    case 'upstream_timeout':
      return { code: error.code, retryAt, text: `The service is temporarily unavailable.${retryAt ? '' : ' Try again in a moment.'}` };
    case 'unauthenticated':
      return { code: error.code, retryAt: null, text: 'Your session has expired. Please sign in again.' };
    case 'validation_failed':
    case 'conflict':
    case 'forbidden':
    case 'not_found':
    case 'deadline_exceeded':
    case 'cancelled':
    case 'poison_message':
    case 'internal':
    case 'method_not_allowed':
    case 'payload_too_large':
    case 'unsupported_media_type':
    case undefined:
      return { code: error.code, retryAt, text: error.message };
  }
}

/**
 * Why an answer ended in an error event, in plain words (the worker's reason included). An
 * event carries no Retry-After: a spent quota waits for the next quota day, a rate limit a minute.
 */
export function describeAnswerError(code: ErrorCode, reason: string, now = new Date()): Problem {
  switch (code) {
    case 'quota_exceeded':
      return { code, retryAt: secondsLater(now, secondsToUtcMidnight(now.getTime())), text: 'You have used your token quota for today.' };
    case 'rate_limited':
      return { code, retryAt: secondsLater(now, 60), text: 'You are sending requests too quickly.' };
    case 'model_not_found':
    case 'model_unavailable':
      return { code, retryAt: null, text: `The model is not available. Reason: ${reason}` };
    case 'deadline_exceeded':
      return { code, retryAt: null, text: `The answer took too long and was stopped. Reason: ${reason}` };
    case 'upstream_unavailable':
    case 'upstream_timeout':
    case 'queue_unavailable':
    case 'poison_message':
    case 'internal':
      return { code, retryAt: null, text: `The request failed and was set aside after its retries. Reason: ${reason}` };
    case 'cancelled':
    case 'forbidden':
    case 'not_found':
    case 'unauthenticated':
    case 'validation_failed':
    case 'login_throttled':
    case 'conflict':
    case 'method_not_allowed':
    case 'payload_too_large':
    case 'unsupported_media_type':
      return { code, retryAt: null, text: `The answer failed. Reason: ${reason}` };
  }
}
