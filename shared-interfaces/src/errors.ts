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
  /** The request conflicts with what exists (a username that is taken). */
  Conflict = 'conflict',
  /** A known path asked with a method it does not have; `Allow` lists those it has. */
  MethodNotAllowed = 'method_not_allowed',
  /** A body over the size limit. */
  PayloadTooLarge = 'payload_too_large',
  /** A body that is not JSON (a form post, text): every route with a body takes JSON only. */
  UnsupportedMediaType = 'unsupported_media_type',
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
    case ErrorCode.Conflict:
    case ErrorCode.MethodNotAllowed:
    case ErrorCode.PayloadTooLarge:
    case ErrorCode.UnsupportedMediaType:
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
    case ErrorCode.MethodNotAllowed:
      return 405;
    case ErrorCode.Conflict:
      return 409;
    case ErrorCode.PayloadTooLarge:
      return 413;
    case ErrorCode.UnsupportedMediaType:
      return 415;
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
