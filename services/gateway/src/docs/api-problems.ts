import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { PROBLEM_CONTENT_TYPE } from '@shoshizan/shared-interfaces';
import { schemaRef } from './api-schemas';

/** The error statuses the gateway answers, each with what it means on any route. */
const ERROR_STATUSES = {
  400: 'Invalid input: problem details name each bad field (`errors`).',
  401: 'No credentials, or a token or API key that is invalid, expired or revoked.',
  403: 'The caller lacks the role this route needs.',
  404: 'No such resource of yours (another user’s is answered the same), or no such model.',
  409: 'The request conflicts with the state of the resource.',
  413: 'The body is larger than the gateway takes (BODY_LIMIT_BYTES).',
  415: 'The body is not JSON: a route with a body takes `application/json` only.',
  429: 'Over your request rate or daily token quota; `Retry-After` says when to try again.',
  499: 'The request was cancelled before its answer ended.',
  500: 'The request failed in a way the caller cannot help.',
  503: 'A service the request needs (the queue, the model catalog) is unavailable; see `Retry-After`.',
  504: 'The answer took longer than the request’s time budget.',
} as const;
export type ErrorStatus = keyof typeof ERROR_STATUSES;

/** Sent with 429 and 503: seconds until trying again may work. */
const RETRY_AFTER = {
  'Retry-After': { description: 'Seconds until trying again may work.', schema: { type: 'integer', minimum: 1 } },
};

/** Why a status means something more precise on one route than ERROR_STATUSES says. */
export type ErrorDescriptions = Partial<Record<ErrorStatus, string>>;

function errorResponses(
  contentType: string,
  schema: { $ref: string },
  statuses: readonly ErrorStatus[],
  descriptions: ErrorDescriptions,
): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: descriptions[status] ?? ERROR_STATUSES[status],
        content: { [contentType]: { schema } },
        ...(status === 429 || status === 503 ? { headers: RETRY_AFTER } : {}),
      }),
    ),
  );
}

/**
 * Documents the error answers of a route (or of every route of a controller), each as RFC
 * 9457 problem details with a stable `code`. Every status a route can answer is listed; there
 * is no catch-all `default`, so a status the document does not list is a bug the API fuzz
 * (test/e2e/api-contract.e2e-spec.ts) reports.
 */
export const ApiProblems = (statuses: readonly ErrorStatus[], descriptions: ErrorDescriptions = {}) =>
  errorResponses(PROBLEM_CONTENT_TYPE, schemaRef('ProblemDetails'), statuses, descriptions);

/** The same for the OpenAI-compatible routes, whose errors take OpenAI's shape. */
export const ApiOpenAiErrors = (statuses: readonly ErrorStatus[], descriptions: ErrorDescriptions = {}) =>
  errorResponses('application/json', schemaRef('OpenAiError'), statuses, descriptions);
