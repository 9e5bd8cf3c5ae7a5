import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  ErrorCode,
  PROBLEM_CONTENT_TYPE,
  SchemaValidationError,
  httpStatusOf,
  problemType,
  type FieldIssue,
  type ProblemDetails,
} from '@shoshizan/shared-interfaces';
import { DomainException } from './domain.exception';

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  499: 'Client Closed Request',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

function codeForStatus(status: number): ErrorCode {
  if (status === 401) return ErrorCode.Unauthenticated;
  if (status === 403) return ErrorCode.Forbidden;
  if (status === 404) return ErrorCode.NotFound;
  if (status === 405) return ErrorCode.MethodNotAllowed;
  if (status === 409) return ErrorCode.Conflict;
  if (status === 413) return ErrorCode.PayloadTooLarge;
  if (status === 415) return ErrorCode.UnsupportedMediaType;
  if (status === 429) return ErrorCode.RateLimited;
  if (status === 503) return ErrorCode.UpstreamUnavailable;
  if (status >= 400 && status < 500) return ErrorCode.ValidationFailed;
  return ErrorCode.Internal;
}

interface Mapped {
  status: number;
  code: ErrorCode;
  detail: string;
  issues?: readonly FieldIssue[];
  retryAfterSeconds?: number;
}

/** Maps whatever was thrown to a status, a code and a message a client can act on. */
export function mapError(error: unknown): Mapped {
  if (error instanceof DomainException) {
    return {
      status: httpStatusOf(error.code),
      code: error.code,
      detail: error.message,
      ...(error.options.issues ? { issues: error.options.issues } : {}),
      ...(error.options.retryAfterSeconds !== undefined ? { retryAfterSeconds: error.options.retryAfterSeconds } : {}),
    };
  }
  if (error instanceof SchemaValidationError) {
    return { status: 400, code: ErrorCode.ValidationFailed, detail: error.message, issues: error.issues };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    return { status, code: codeForStatus(status), detail: error.message };
  }
  // Errors raised by Fastify itself (body too large, malformed JSON, bad content type).
  const statusCode = (error as { statusCode?: unknown } | null)?.statusCode;
  if ((error as { code?: unknown } | null)?.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    // A path parameter longer than the router takes is no valid one: a bad parameter, as
    // every route with one documents, not the 414 Fastify gives it.
    return { status: 400, code: ErrorCode.ValidationFailed, detail: 'A path parameter is longer than any this API takes.' };
  }
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    return { status: statusCode, code: codeForStatus(statusCode), detail: (error as Error).message };
  }
  return { status: 500, code: ErrorCode.Internal, detail: 'An unexpected error occurred.' };
}

const logger = new Logger('ProblemDetailsFilter');

/**
 * Answers an error as RFC 9457 problem details (`application/problem+json`). Also for what
 * Fastify refuses before any route or hook runs (a URL it cannot decode), through its
 * `frameworkErrors` option.
 */
export function sendProblem(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const mapped = mapError(error);
  if (mapped.status >= 500) {
    logger.error({ err: error, url: request.url }, 'Request failed');
  }
  if (reply.sent || reply.raw.headersSent) {
    // A stream already started: the status line is gone, so end it; the stream's own
    // error event told the client what happened.
    reply.raw.end();
    return;
  }
  const body: ProblemDetails = {
    type: problemType(mapped.code),
    title: TITLES[mapped.status] ?? 'Error',
    status: mapped.status,
    detail: mapped.detail,
    instance: request.url,
    code: mapped.code,
    requestId: String(request.id),
    ...(mapped.issues ? { errors: [...mapped.issues] } : {}),
  };
  if (mapped.retryAfterSeconds !== undefined) {
    void reply.header('Retry-After', String(Math.max(1, Math.ceil(mapped.retryAfterSeconds))));
  }
  void reply.status(mapped.status).header('Content-Type', PROBLEM_CONTENT_TYPE).send(body);
}

/** Answers every error as problem details. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    sendProblem(error, http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>());
  }
}
