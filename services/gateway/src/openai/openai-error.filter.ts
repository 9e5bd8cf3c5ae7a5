import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { mapError } from '@shoshizan/service-kit';
import { openAiErrorOf } from './openai-translation';

/** Route config (`@RouteConfig(OPENAI_ERRORS)`) of the routes whose errors take OpenAI's shape. */
export const OPENAI_ERRORS = { openAiErrors: true } as const;

export function usesOpenAiErrors(request: FastifyRequest): boolean {
  return (request.routeOptions.config as { openAiErrors?: boolean } | undefined)?.openAiErrors === true;
}

/**
 * Errors on the OpenAI-compatible routes in OpenAI's shape, `{ "error": { message, type,
 * param, code } }`, so OpenAI's SDKs raise their usual exceptions. Same statuses as the
 * rest of the API. The gateway's error filter hands it the errors of the routes marked
 * with OPENAI_ERRORS.
 */
@Catch()
export class OpenAiErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger(OpenAiErrorFilter.name);

  catch(error: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const mapped = mapError(error);
    if (mapped.status >= 500) this.logger.error({ err: error }, 'OpenAI-compatible request failed');
    if (reply.sent || reply.raw.headersSent) {
      reply.raw.end();
      return;
    }
    if (mapped.retryAfterSeconds !== undefined) {
      void reply.header('Retry-After', String(Math.max(1, Math.ceil(mapped.retryAfterSeconds))));
    }
    const issue = mapped.issues?.[0];
    const message = issue ? `${mapped.detail} (${issue.path}: ${issue.message})` : mapped.detail;
    void reply.status(mapped.status).send(openAiErrorOf(mapped.code, message, issue?.path ?? null));
  }
}
