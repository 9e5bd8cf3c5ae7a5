import { ErrorCode, SchemaValidationError, parseWith, type z } from '@shoshizan/shared-interfaces';
import { DomainException } from '../errors/domain.exception';
import { noAnswerException, parseJson, refusalToException, type NoAnswer } from './service-errors';

export interface FetchJsonOptions {
  /** Longest wait for the whole answer, its body included. */
  readonly timeoutMs: number;
  /** @default 'GET' */
  readonly method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Sent as JSON (`content-type: application/json`); none when undefined. */
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /** Aborts when our own caller leaves: the call then fails with `cancelled`. */
  readonly signal?: AbortSignal;
  /** The service called, as error messages name it. @default the URL's host */
  readonly service?: string;
  /** The error for no answer in the service's own words. @default noAnswerException */
  readonly noAnswer?: (failure: NoAnswer) => DomainException;
}

/**
 * Calls another Shoshizan service and answers its JSON body, checked against `schema`. Every
 * failure is a DomainException: the service's refusal with its own code, detail, field issues
 * and Retry-After (`refusalToException`); no answer, or one that is no problem document, as
 * `options.noAnswer` says; a body of the wrong shape as `internal` (the two sides disagree on
 * the contract).
 */
export async function fetchJson<S extends z.ZodType>(url: URL | string, schema: S, options: FetchJsonOptions): Promise<z.output<S>> {
  const service = options.service ?? new URL(url).host;
  const noAnswer = options.noAnswer ?? ((failure: NoAnswer) => noAnswerException(service, failure));
  const timeout = AbortSignal.timeout(options.timeoutMs);
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, {
      method: options.method ?? 'GET',
      headers: options.body === undefined ? { ...options.headers } : { 'content-type': 'application/json', ...options.headers },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      signal: options.signal ? AbortSignal.any([options.signal, timeout]) : timeout,
    });
    // Read within the same timeout: a service can hang halfway through its body too.
    text = await response.text();
  } catch (error) {
    if (options.signal?.aborted) throw new DomainException(ErrorCode.Cancelled, `The caller left before ${service} answered.`, { cause: error });
    throw noAnswer(timeout.aborted ? { kind: 'timeout', timeoutMs: options.timeoutMs, cause: error } : { kind: 'unreachable', cause: error });
  }
  if (!response.ok) throw refusalToException({ status: response.status, body: text, retryAfter: response.headers.get('retry-after') }, noAnswer);
  const parsed = parseWith(schema, text === '' ? undefined : parseJson(text));
  if (!parsed.ok) {
    throw new DomainException(ErrorCode.Internal, `${service} sent an answer of the wrong shape.`, {
      cause: new SchemaValidationError(`${service}'s answer`, parsed.issues),
    });
  }
  return parsed.value;
}
