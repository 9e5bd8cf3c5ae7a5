import { ApiError, NetworkError, type ErrorCode } from '@/api/client';

/** An error as the page says it: plain words, and when trying again may work. */
export interface Problem {
  message: string;
  code?: ErrorCode | undefined;
  /** Seconds until trying again may work. */
  retryAfterSeconds?: number | undefined;
}

/** Seconds until the next UTC midnight, when daily token quotas start again. */
export function secondsUntilUtcMidnight(now = Date.now()): number {
  const next = new Date(now);
  next.setUTCHours(24, 0, 0, 0);
  return Math.ceil((next.getTime() - now) / 1000);
}

/** "Try again in 42 s" (or in minutes/hours when that is easier to read). */
export function tryAgainIn(seconds: number): string {
  const s = Math.max(1, Math.ceil(seconds));
  if (s < 120) return `Try again in ${s} s.`;
  if (s < 7200) return `Try again in ${s} s (about ${Math.round(s / 60)} min).`;
  return `Try again in ${s} s (about ${Math.round(s / 3600)} h).`;
}

/** What went wrong with a request the page made (sending, renaming, ...), in plain words. */
export function describeError(error: unknown): Problem {
  if (error instanceof NetworkError) {
    return { message: 'Cannot reach the server. Check your connection and try again.' };
  }
  if (!(error instanceof ApiError)) {
    return { message: 'Something went wrong. Please try again.' };
  }
  const retry = error.retryAfterSeconds;
  const when = retry !== undefined ? ` ${tryAgainIn(retry)}` : '';
  switch (error.code) {
    case 'rate_limited':
      return { code: error.code, retryAfterSeconds: retry, message: `You are sending requests too quickly.${when}` };
    case 'login_throttled':
      return {
        code: error.code,
        retryAfterSeconds: retry,
        message: `Too many failed sign-ins.${when || ' Try again in a few minutes.'}`,
      };
    case 'quota_exceeded': {
      const seconds = retry ?? secondsUntilUtcMidnight();
      return {
        code: error.code,
        retryAfterSeconds: seconds,
        message: `You have used your token quota for today. ${tryAgainIn(seconds)}`,
      };
    }
    case 'model_not_found':
      return { code: error.code, message: `${error.message} Pick another model.` };
    case 'model_unavailable':
      return { code: error.code, retryAfterSeconds: retry, message: `The model is unavailable right now.${when}` };
    case 'queue_unavailable':
    case 'upstream_unavailable':
    case 'upstream_timeout':
      return {
        code: error.code,
        retryAfterSeconds: retry,
        message: `The service is temporarily unavailable.${when || ' Try again in a moment.'}`,
      };
    case 'unauthenticated':
      return { code: error.code, message: 'Your session has expired. Please sign in again.' };
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
      return { code: error.code, retryAfterSeconds: retry, message: `${error.message}${when}` };
  }
}

/** Why an answer ended in an error event, in plain words (the worker's reason included). */
export function describeAnswerError(code: ErrorCode, reason: string): Problem {
  switch (code) {
    case 'quota_exceeded': {
      const seconds = secondsUntilUtcMidnight();
      return { code, retryAfterSeconds: seconds, message: `You have used your token quota for today. ${tryAgainIn(seconds)}` };
    }
    case 'rate_limited':
      return { code, retryAfterSeconds: 60, message: `You are sending requests too quickly. ${tryAgainIn(60)}` };
    case 'model_not_found':
    case 'model_unavailable':
      return { code, message: `The model is not available. Reason: ${reason}` };
    case 'deadline_exceeded':
      return { code, message: `The answer took too long and was stopped. Reason: ${reason}` };
    case 'upstream_unavailable':
    case 'upstream_timeout':
    case 'queue_unavailable':
    case 'poison_message':
    case 'internal':
      return { code, message: `The request failed and was set aside after its retries. Reason: ${reason}` };
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
      return { code, message: `The answer failed. Reason: ${reason}` };
  }
}
