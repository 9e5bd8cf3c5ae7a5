import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyReply } from 'fastify';
import { DomainException, ZodBodyPipe } from '@shoshizan/service-kit';
import { ErrorCode, isFinalEvent, type ResponseEvent, type z } from '@shoshizan/shared-interfaces';
import { CurrentUser, type AuthenticatedUser } from '../auth/authenticated-user';
import type { EventSubscription } from '../chat/event-subscription';
import { SseWriter } from '../chat/sse-writer';
import { ApiJsonBody, ApiQueryOf } from '../docs/api-inputs';
import { ApiOpenAiErrors } from '../docs/api-problems';
import { idHeader, schemaRef, sseEventSchemas } from '../docs/api-schemas';
import { OPENAI_ERRORS } from './openai-error.filter';
import {
  createResponseRequestSchema,
  retrieveResponseQuerySchema,
  type CreateResponseRequest,
  type ResponseObject,
  type ResponseStreamEvent,
} from './responses.schemas';
import { ResponsesService } from './responses.service';
import {
  RESPONSE_ID,
  ResponseStreamTranslator,
  STORED_ECHO,
  echoOf,
  formatResponseSse,
  responseIdOf,
  type ResponseEcho,
} from './responses-translation';

/**
 * OpenAI's Responses API over the durable queue: `POST /v1/responses` (streaming or not) and
 * `GET /v1/responses/{id}` (the response, or with `stream=true` its events again from
 * `starting_after`: a client whose stream dropped picks it up where it was).
 */
@ApiTags('openai')
@ApiBearerAuth()
@ApiOpenAiErrors([401])
@Controller('v1/responses')
export class ResponsesController {
  constructor(
    private readonly responses: ResponsesService,
    private readonly sse: SseWriter,
  ) {}

  @Post()
  @RouteConfig(OPENAI_ERRORS)
  @HttpCode(200)
  @ApiOperation({
    summary: 'Create a response (OpenAI Responses API), streaming or not',
    description:
      'Text, function tools and structured output (`text.format`). `previous_response_id` carries on the ' +
      'conversation of an earlier response. With `stream: true` the answer comes as Responses stream events ' +
      '(`response.created` … `response.completed`), each with a `sequence_number`.',
  })
  @ApiJsonBody(createResponseRequestSchema, 'openai')
  @ApiProduces('application/json', 'text/event-stream')
  @ApiResponse({
    status: 200,
    description: 'A `response` object, or with `stream: true` an SSE stream of Responses events.',
    content: {
      'application/json': { schema: schemaRef('Response') },
      'text/event-stream': { schema: sseEventSchemas.responsesStream() },
    },
    headers: { 'X-Chat-Request-Id': idHeader('The request’s id (the response’s id without `resp_`).') },
  })
  @ApiOpenAiErrors([404, 409, 429, 499, 500, 503, 504], {
    404: 'No such model, or no such `previous_response_id`.',
    409: 'The previous response is still being answered.',
  })
  async create(
    @Body(new ZodBodyPipe(createResponseRequestSchema, 'Response request')) body: CreateResponseRequest,
    @CurrentUser() user: AuthenticatedUser,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const accepted = await this.responses.create(user, body);
    const acceptedAt = performance.now();
    const translator = new ResponseStreamTranslator({
      id: responseIdOf(accepted.requestId),
      createdAt: Math.floor(Date.now() / 1000),
      model: body.model,
      echo: echoOf(body),
    });
    if (body.stream) {
      await this.stream(reply, accepted.events, translator, accepted.requestId, -1, acceptedAt);
      return;
    }
    for await (const event of accepted.events) translator.next(event);
    void reply.header('x-chat-request-id', accepted.requestId).send(finished(translator));
  }

  @Get(':responseId')
  @RouteConfig(OPENAI_ERRORS)
  @ApiOperation({
    summary: 'Retrieve one of your responses, or stream its events again',
    description:
      'Without `stream`: the response as it stands. With `stream=true`: its events from the start (or after ' +
      '`starting_after`), the stored ones then the live ones, without a gap or a repeat.',
  })
  @ApiParam({
    name: 'responseId',
    description: 'The response’s id, `resp_` and its request’s id.',
    schema: { type: 'string', pattern: RESPONSE_ID.source },
  })
  @ApiQueryOf(retrieveResponseQuerySchema, 'openai')
  @ApiProduces('application/json', 'text/event-stream')
  @ApiResponse({
    status: 200,
    description: 'The `response` object, or with `stream=true` an SSE stream of Responses events.',
    content: {
      'application/json': { schema: schemaRef('Response') },
      'text/event-stream': { schema: sseEventSchemas.responsesStream() },
    },
  })
  @ApiOpenAiErrors([404], { 404: 'No such response of yours.' })
  async retrieve(
    @Param('responseId') responseId: string,
    @Query(new ZodBodyPipe(retrieveResponseQuerySchema, 'Query')) query: z.output<typeof retrieveResponseQuerySchema>,
    @CurrentUser() user: AuthenticatedUser,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    if (query.stream === 'true') {
      const { record, events } = await this.responses.replay(user, responseId);
      const translator = storedTranslator(responseId, record);
      await this.stream(reply, events, translator, record.requestId, query.starting_after === undefined ? -1 : Number(query.starting_after));
      return;
    }
    const { record, events } = await this.responses.stored(user, responseId);
    const translator = storedTranslator(responseId, record);
    translator.start();
    for (const event of events) translator.next(event);
    void reply.send(translator.response);
  }

  /** The response's events as SSE, after `startingAfter`; a stream cut short ends with an `error` event. */
  private async stream(
    reply: FastifyReply,
    events: EventSubscription,
    translator: ResponseStreamTranslator,
    requestId: string,
    startingAfter: number,
    acceptedAt?: number,
  ): Promise<void> {
    const after = (out: readonly ResponseStreamEvent[]) =>
      out.filter((e) => e.sequence_number > startingAfter).map(formatResponseSse).join('');
    const opening = after(translator.start());
    await this.sse.stream(reply, events, {
      headers: { 'x-chat-request-id': requestId },
      ...(acceptedAt !== undefined ? { acceptedAt } : {}),
      open: () => opening,
      format: (batch: readonly ResponseEvent[]) => after(batch.flatMap((event) => translator.next(event))),
      end: (final: ResponseEvent | undefined) => (final && isFinalEvent(final) ? '' : after(translator.cut())),
    });
  }
}

/** A translator for a response read back from the store (its request's settings are not kept). */
function storedTranslator(responseId: string, record: { createdAt: string; model: string | null }): ResponseStreamTranslator {
  const echo: ResponseEcho = STORED_ECHO;
  return new ResponseStreamTranslator({
    id: responseId,
    createdAt: Math.floor(Date.parse(record.createdAt) / 1000),
    model: record.model ?? '',
    echo,
  });
}

/** The finished response of a non-streaming request: a failure is raised as the error it was. */
function finished(translator: ResponseStreamTranslator): ResponseObject {
  const response = translator.response;
  if (!translator.isEnded) throw new DomainException(ErrorCode.UpstreamUnavailable, `The answer to ${response.id} ended early.`);
  if (response.status === 'failed' || response.status === 'cancelled') {
    const code = (response.error?.code ?? ErrorCode.Internal) as ErrorCode;
    throw new DomainException(code, response.error?.message ?? 'The response failed.');
  }
  return response;
}
