/**
 * Error codes shared by every service, carried in problem details (HTTP), error events
 * (responses topic) and dead-letter headers. Codes are stable API: add, never rename.
 */
export enum ErrorCode {
  ValidationFailed = 'validation_failed',
  Unauthenticated = 'unauthenticated',
  Forbidden = 'forbidden',
  NotFound = 'not_found',
  ModelNotFound = 'model_not_found',
  ModelUnavailable = 'model_unavailable',
  QueueUnavailable = 'queue_unavailable',
  UpstreamUnavailable = 'upstream_unavailable',
  UpstreamTimeout = 'upstream_timeout',
  DeadlineExceeded = 'deadline_exceeded',
  Cancelled = 'cancelled',
  RateLimited = 'rate_limited',
  QuotaExceeded = 'quota_exceeded',
  /** Too many failed logins for a username or from an address; Retry-After says when to try again. */
  LoginThrottled = 'login_throttled',
  PoisonMessage = 'poison_message',
  Internal = 'internal',
}

/** Whether trying the same thing again later can succeed. */
export function isRetriable(code: ErrorCode): boolean {
  switch (code) {
    case ErrorCode.QueueUnavailable:
    case ErrorCode.UpstreamUnavailable:
    case ErrorCode.UpstreamTimeout:
    case ErrorCode.ModelUnavailable:
    case ErrorCode.RateLimited:
    case ErrorCode.LoginThrottled:
      return true;
    case ErrorCode.ValidationFailed:
    case ErrorCode.Unauthenticated:
    case ErrorCode.Forbidden:
    case ErrorCode.NotFound:
    case ErrorCode.ModelNotFound:
    case ErrorCode.DeadlineExceeded:
    case ErrorCode.Cancelled:
    case ErrorCode.QuotaExceeded:
    case ErrorCode.PoisonMessage:
    case ErrorCode.Internal:
      return false;
  }
}

/** The HTTP status each code maps to at the edge. */
export function httpStatusOf(code: ErrorCode): number {
  switch (code) {
    case ErrorCode.ValidationFailed:
    case ErrorCode.PoisonMessage:
      return 400;
    case ErrorCode.Unauthenticated:
      return 401;
    case ErrorCode.Forbidden:
      return 403;
    case ErrorCode.NotFound:
    case ErrorCode.ModelNotFound:
      return 404;
    case ErrorCode.RateLimited:
    case ErrorCode.QuotaExceeded:
    case ErrorCode.LoginThrottled:
      return 429;
    case ErrorCode.QueueUnavailable:
    case ErrorCode.UpstreamUnavailable:
    case ErrorCode.ModelUnavailable:
      return 503;
    case ErrorCode.UpstreamTimeout:
    case ErrorCode.DeadlineExceeded:
      return 504;
    case ErrorCode.Cancelled:
      return 499;
    case ErrorCode.Internal:
      return 500;
  }
}
