import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ProblemDetailsFilter } from '@shoshizan/service-kit';
import { OpenAiErrorFilter, usesOpenAiErrors } from '../openai/openai-error.filter';

/**
 * The gateway's one error filter: problem details, but OpenAI's error shape on the
 * OpenAI-compatible routes. Chosen here by route, not by a filter on their controller,
 * because errors that Fastify raises before the controller runs (a body that is not JSON
 * or too large) reach only the global filter.
 */
@Catch()
export class GatewayErrorFilter implements ExceptionFilter {
  private readonly problems = new ProblemDetailsFilter();
  private readonly openAi = new OpenAiErrorFilter();

  catch(error: unknown, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    (usesOpenAiErrors(request) ? this.openAi : this.problems).catch(error, host);
  }
}
