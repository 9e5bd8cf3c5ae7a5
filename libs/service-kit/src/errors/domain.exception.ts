import { ErrorCode, type FieldIssue } from '@shoshizan/shared-interfaces';

/**
 * The one error type services throw for expected failures. It carries a code from
 * shared-interfaces; the ProblemDetailsFilter turns it into an HTTP answer at the edge, so
 * services never throw HTTP errors themselves.
 */
export class DomainException extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly options: {
      readonly issues?: readonly FieldIssue[];
      /** Seconds after which trying again may work (sent as Retry-After). */
      readonly retryAfterSeconds?: number;
      readonly cause?: unknown;
    } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'DomainException';
  }
}
