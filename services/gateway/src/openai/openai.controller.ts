import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiParam, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyReply } from 'fastify';
import { PinoLogger } from 'nestjs-pino';
import { DomainException, ZodBodyPipe } from '@shoshizan/service-kit';
import { ErrorCode, type ModelList, type ResponseEvent, type z } from '@shoshizan/shared-interfaces';
import { CurrentUser, type AuthenticatedUser } from '../auth/authenticated-user';
import { ChatService } from '../chat/chat.service';
import type { EventSubscription } from '../chat/event-subscription';
import { SEQ, afterSeqOf } from '../chat/sse';
import { SseWriter } from '../chat/sse-writer';
import { ApiJsonBody, ApiQueryOf } from '../docs/api-inputs';
import { ApiOpenAiErrors } from '../docs/api-problems';
import { idHeader, schemaRef, sseEventSchemas } from '../docs/api-schemas';
import { ModelsClient } from '../models/models.client';
import { OPENAI_ERRORS } from './openai-error.filter';
import {
  CHAT_COMPLETION_ID,
  chatCompletionIdOf,
  chatCompletionOf,
  chatCompletionSse,
  chatCompletionToChatBody,
  completionIdOf,
  completionToChatBody,
  gatherAnswer,
  requestIdOfChatCompletion,
  textCompletionOf,
  textCompletionSse,
} from './openai-translation';
import {
  chatCompletionRequestSchema,
  completionRequestSchema,
  retrieveChatCompletionQuerySchema,
  type ChatCompletionRequest,
  type CompletionRequest,
} from './openai.schemas';

const STREAM_ERRORS =
  'An error after the stream started comes as a `data:` event holding an OpenAI error, and so does a stream ' +
  'cut before the answer ended (the gateway shutting down): only a complete answer ends with `data: [DONE]`. ' +
  'Each chunk’s SSE `id` is the seq of the event it came from: GET /v1/chat/completions/{completion_id} ' +
  'resumes a chat completion’s stream after it.';

/**
 * OpenAI's Chat Completions, Completions and Models APIs over Shoshizan's durable queue:
 * existing OpenAI clients (the official SDKs, curl examples) work unchanged. Requests take
 * the same path as /v1/chat, through Kafka, and answers are the same events, reshaped.
 */
@ApiTags('openai')
@ApiBearerAuth()
@ApiOpenAiErrors([401])
@Controller('v1')
export class OpenAiController {
  constructor(
    private readonly chat: ChatService,
    private readonly models: ModelsClient,
    private readonly sse: SseWriter,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext(OpenAiController.name);
  }

  @Get('models')
  @RouteConfig(OPENAI_ERRORS)
  @ApiOperation({
    summary: 'The models (OpenAI shape)',
    description: 'The models the caller\'s roles may use. `default` marks the model that answers a request naming none (OpenAI clients ignore it).',
  })
  @ApiResponse({ status: 200, description: 'The models.', schema: schemaRef('ModelList') })
  @ApiOpenAiErrors([503], { 503: 'The model catalog is unavailable; see `Retry-After`.' })
  async listModels(@CurrentUser() user: AuthenticatedUser): Promise<ModelList> {
    const catalog = await this.models.catalog(user.roles);
    return {
      object: 'list',
      data: catalog.models.map((m) => ({
        id: m.name,
        object: 'model',
        created: 0,
        owned_by: 'shoshizan',
        default: m.name === catalog.defaultModel,
      })),
    };
  }

  @Post('chat/completions')
  @RouteConfig(OPENAI_ERRORS)
  @HttpCode(200)
  @ApiOperation({
    summary: 'Create a chat completion (OpenAI shape), streaming or not',
    description:
      'Text, function tools and structured output (`response_format`). With `stream: true` the answer comes ' +
      'as `chat.completion.chunk` events: the role, content pieces, whole tool calls, the finish reason. ' +
      STREAM_ERRORS,
  })
  @ApiJsonBody(chatCompletionRequestSchema, 'openai')
  @ApiProduces('application/json', 'text/event-stream')
  @ApiResponse({
    status: 200,
    description: 'A `chat.completion` object, or with `stream: true` an SSE stream of `chat.completion.chunk`s.',
    content: {
      'application/json': { schema: schemaRef('ChatCompletion') },
      'text/event-stream': { schema: sseEventSchemas.openAiChunks('ChatCompletionChunk') },
    },
    headers: { 'X-Chat-Request-Id': idHeader('The request’s id (the completion’s id without `chatcmpl-`).') },
  })
  @ApiOpenAiErrors([404, 429, 499, 500, 503, 504], {
    404: 'No such model.',
    499: 'The request was cancelled (through POST /v1/chat/{requestId}/cancel) before its answer ended.',
    500: 'The worker failed to answer (without `stream`, the error that ended the answer is the response).',
  })
  async chatCompletions(
    @Body(new ZodBodyPipe(chatCompletionRequestSchema, 'Chat completion request')) body: ChatCompletionRequest,
    @CurrentUser() user: AuthenticatedUser,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const accepted = await this.chat.accept(user, chatCompletionToChatBody(body));
    const acceptedAt = performance.now();
    const { requestId } = accepted;
    this.noteEndUser(requestId, body);
    const meta = { id: chatCompletionIdOf(requestId), created: unixSeconds() };
    if (body.stream) {
      await this.sse.stream(reply, accepted.events, {
        headers: { 'x-chat-request-id': requestId },
        acceptedAt,
        ...chatCompletionSse({ ...meta, requestId, model: body.model, includeUsage: body.stream_options?.include_usage === true }),
      });
      return;
    }
    const answer = gatherAnswer(requestId, await allOf(accepted.events, reply));
    void reply.header('x-chat-request-id', requestId).send(chatCompletionOf(answer, meta));
  }

  @Get('chat/completions/:completionId')
  @RouteConfig(OPENAI_ERRORS)
  @ApiOperation({
    summary: 'One of your chat completions (OpenAI shape), or its stream again',
    description:
      'Without `stream`: the `chat.completion`, once its answer ends (as OpenAI’s retrieve gives a stored one). ' +
      'With `stream=true`: its chunks after the one named by `Last-Event-ID` (none: all), the stored ones and ' +
      'then the live ones, without a gap or a repeat: for a client whose stream dropped. ' +
      STREAM_ERRORS,
  })
  @ApiParam({
    name: 'completionId',
    description: 'The completion’s id, `chatcmpl-` and its request’s id.',
    schema: { type: 'string', pattern: CHAT_COMPLETION_ID.source },
  })
  @ApiHeader({
    name: 'Last-Event-ID',
    required: false,
    description: 'With `stream=true`: the `id` of the last chunk the client has.',
    schema: { type: 'string', pattern: SEQ.source },
  })
  @ApiQueryOf(retrieveChatCompletionQuerySchema, 'openai')
  @ApiProduces('application/json', 'text/event-stream')
  @ApiResponse({
    status: 200,
    description: 'The `chat.completion`, or with `stream=true` an SSE stream of its `chat.completion.chunk`s.',
    content: {
      'application/json': { schema: schemaRef('ChatCompletion') },
      'text/event-stream': { schema: sseEventSchemas.openAiChunks('ChatCompletionChunk') },
    },
    headers: { 'X-Chat-Request-Id': idHeader('The request’s id.') },
  })
  @ApiOpenAiErrors([404, 499, 500, 503, 504], {
    404: 'No such chat completion of yours.',
    499: 'The request was cancelled before its answer ended.',
    500: 'The worker failed to answer (without `stream`, the error that ended the answer is the response).',
  })
  async retrieveChatCompletion(
    @Param('completionId') completionId: string,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Query(new ZodBodyPipe(retrieveChatCompletionQuerySchema, 'Query')) query: z.output<typeof retrieveChatCompletionQuerySchema>,
    @CurrentUser() user: AuthenticatedUser,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const requestId = requestIdOfChatCompletion(completionId);
    const stream = query.stream === 'true';
    // Checked with or without `stream`: a malformed header is refused whatever it would have named.
    const lastSeq = afterSeqOf(lastEventId, 'Last-Event-ID');
    const afterSeq = stream ? lastSeq : -1;
    const { record, events } = await this.chat.resume(user, requestId, afterSeq);
    const meta = { id: completionId, created: Math.floor(Date.parse(record.createdAt) / 1000) };
    if (stream) {
      await this.sse.stream(reply, events, {
        headers: { 'x-chat-request-id': requestId },
        ...chatCompletionSse({
          ...meta,
          requestId,
          model: record.model ?? '',
          includeUsage: query.include_usage === 'true',
          afterSeq,
          statusAtOpen: record.status,
        }),
      });
      return;
    }
    const answer = gatherAnswer(requestId, await allOf(events, reply));
    void reply.header('x-chat-request-id', requestId).send(chatCompletionOf(answer, meta));
  }

  @Post('completions')
  @RouteConfig(OPENAI_ERRORS)
  @HttpCode(200)
  @ApiOperation({
    summary: 'Create a completion (OpenAI’s legacy Completions API), streaming or not',
    description:
      'The prompt is continued as it is, without the model’s chat template. With `stream: true` the answer ' +
      'comes as `text_completion` events, a piece of text each, the last with the finish reason. ' +
      STREAM_ERRORS,
  })
  @ApiJsonBody(completionRequestSchema, 'openai')
  @ApiProduces('application/json', 'text/event-stream')
  @ApiResponse({
    status: 200,
    description: 'A `text_completion` object, or with `stream: true` an SSE stream of them.',
    content: {
      'application/json': { schema: schemaRef('TextCompletion') },
      'text/event-stream': { schema: sseEventSchemas.openAiChunks('TextCompletion') },
    },
    headers: { 'X-Chat-Request-Id': idHeader('The request’s id (the completion’s id without `cmpl-`).') },
  })
  @ApiOpenAiErrors([404, 429, 499, 500, 503, 504], {
    404: 'No such model.',
    499: 'The request was cancelled (through POST /v1/chat/{requestId}/cancel) before its answer ended.',
    500: 'The worker failed to answer (without `stream`, the error that ended the answer is the response).',
  })
  async completions(
    @Body(new ZodBodyPipe(completionRequestSchema, 'Completion request')) body: CompletionRequest,
    @CurrentUser() user: AuthenticatedUser,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const accepted = await this.chat.accept(user, completionToChatBody(body));
    const acceptedAt = performance.now();
    const { requestId } = accepted;
    this.noteEndUser(requestId, body);
    const meta = { id: completionIdOf(requestId), created: unixSeconds() };
    if (body.stream) {
      await this.sse.stream(reply, accepted.events, {
        headers: { 'x-chat-request-id': requestId },
        acceptedAt,
        ...textCompletionSse({ ...meta, requestId, model: body.model, includeUsage: body.stream_options?.include_usage === true }),
      });
      return;
    }
    const answer = gatherAnswer(requestId, await allOf(accepted.events, reply));
    void reply.header('x-chat-request-id', requestId).send(textCompletionOf(answer, meta));
  }

  /** OpenAI's end-user fields have no effect on the answer; they are kept in the log, to trace abuse. */
  private noteEndUser(requestId: string, body: { user?: string; safety_identifier?: string }): void {
    if (body.user === undefined && body.safety_identifier === undefined) return;
    this.logger.info({ requestId, endUser: body.user, safetyIdentifier: body.safety_identifier }, 'OpenAI request names its end user');
  }
}

/**
 * The events of an answer, to its final one; fewer when the subscription closes first (the
 * gateway shutting down, or the caller leaving: no one waits for the answer any more).
 */
async function allOf(events: EventSubscription, reply: FastifyReply): Promise<ResponseEvent[]> {
  let left = false;
  reply.raw.once('close', () => {
    left = true;
    events.close();
  });
  const all: ResponseEvent[] = [];
  for await (const event of events) all.push(event);
  // Not a failure of ours to log: there is no one to answer.
  if (left) throw new DomainException(ErrorCode.Cancelled, 'The caller left before the answer ended.');
  return all;
}

const unixSeconds = (): number => Math.floor(Date.now() / 1000);
