import { Body, Controller, Get, Headers, HttpCode, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyReply } from 'fastify';
import { DomainException, ZodBodyPipe, endRawStream, openRawStream, writeWithBackpressure } from '@shoshizan/service-kit';
import { ErrorCode, type ModelList, type ResponseEvent } from '@shoshizan/shared-interfaces';
import { CurrentUser, type AuthenticatedUser } from '../auth/authenticated-user';
import { ChatService } from '../chat/chat.service';
import { ApiJsonBody } from '../docs/api-inputs';
import { ApiOpenAiErrors } from '../docs/api-problems';
import { idHeader, schemaRef, sseEventSchemas } from '../docs/api-schemas';
import { OPENAI_ERRORS } from './openai-error.filter';
import { ModelsClient } from '../models/models.client';
import {
  chatCompletionRequestSchema,
  openAiErrorType,
  toChatBody,
  type ChatCompletion,
  type ChatCompletionRequest,
  type OpenAiError,
} from './openai.schemas';

type FinishReason = 'stop' | 'length';

/**
 * OpenAI's Chat Completions and Models APIs over Shoshizan's durable queue: existing OpenAI
 * clients (the official SDKs, curl examples) work unchanged. Requests take the same path
 * as /v1/chat, through Kafka, and answers are the same events, reshaped.
 */
@ApiTags('openai')
@ApiBearerAuth()
@ApiOpenAiErrors([401])
@Controller('v1')
export class OpenAiController {
  constructor(
    private readonly chat: ChatService,
    private readonly models: ModelsClient,
  ) {}

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
      'With `stream: true` the answer comes as `chat.completion.chunk` events ending with `data: [DONE]`; ' +
      'an error after the stream started comes as a `data:` event holding an OpenAI error.',
  })
  @ApiJsonBody(chatCompletionRequestSchema, 'openai')
  @ApiProduces('application/json', 'text/event-stream')
  @ApiResponse({
    status: 200,
    description: 'A `chat.completion` object, or with `stream: true` an SSE stream of `chat.completion.chunk`s.',
    content: {
      'application/json': { schema: schemaRef('ChatCompletion') },
      'text/event-stream': { schema: sseEventSchemas.chatCompletionChunks() },
    },
    headers: { 'X-Chat-Request-Id': idHeader('The request’s id (the completion’s id without `chatcmpl-`).') },
  })
  @ApiOpenAiErrors([404, 429, 499, 500, 503, 504], {
    404: 'No such model.',
    499: 'The request was cancelled (through POST /v1/chat/{requestId}/cancel) before its answer ended.',
    500: 'The worker failed to answer (without `stream`, the error that ended the answer is the response).',
  })
  async completions(
    @Body(new ZodBodyPipe(chatCompletionRequestSchema, 'Chat completion request')) body: ChatCompletionRequest,
    @CurrentUser() user: AuthenticatedUser,
    @Headers('traceparent') traceparent: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const accepted = await this.chat.accept(user, toChatBody(body), traceparent);
    const id = `chatcmpl-${accepted.requestId}`;
    const created = Math.floor(Date.now() / 1000);
    if (body.stream) {
      await this.streamChunks(reply, accepted.events, { id, created, model: body.model }, body.stream_options?.include_usage === true);
      return;
    }

    let content = '';
    for await (const event of accepted.events) {
      if (event.type === 'token') content += event.text;
      else if (event.type === 'error') throw new DomainException(event.code, event.message);
      else if (event.type === 'cancelled') throw new DomainException(ErrorCode.Cancelled, `Cancelled: ${event.reason}`);
      else if (event.type === 'done') {
        const completion: ChatCompletion = {
          id,
          object: 'chat.completion',
          created,
          model: event.model,
          choices: [
            { index: 0, message: { role: 'assistant', content }, finish_reason: finishReasonOf(event), logprobs: null },
          ],
          usage: {
            prompt_tokens: event.usage.promptTokens,
            completion_tokens: event.usage.completionTokens,
            total_tokens: event.usage.totalTokens,
          },
        };
        void reply.header('x-chat-request-id', accepted.requestId).send(completion);
        return;
      }
    }
    throw new DomainException(ErrorCode.UpstreamUnavailable, `The answer to ${accepted.requestId} ended early.`);
  }

  private async streamChunks(
    reply: FastifyReply,
    events: AsyncIterable<ResponseEvent> & { close(): void; readonly closedSignal: AbortSignal },
    meta: { id: string; created: number; model: string },
    includeUsage: boolean,
  ): Promise<void> {
    const raw = openRawStream(reply, {
      'content-type': 'text/event-stream; charset=utf-8',
      'x-accel-buffering': 'no',
      'x-chat-request-id': meta.id.slice('chatcmpl-'.length),
    });
    raw.on('close', () => events.close());
    // Stops waiting for a client that does not read once the subscription closes (shutdown).
    const write = (text: string) => writeWithBackpressure(raw, text, events.closedSignal);
    let model = meta.model;
    const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
      `data: ${JSON.stringify({ id: meta.id, object: 'chat.completion.chunk', created: meta.created, model, choices, ...extra })}\n\n`;
    try {
      await write(chunk([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }]));
      for await (const event of events) {
        if (event.type === 'started') model = event.model;
        else if (event.type === 'token') {
          await write(chunk([{ index: 0, delta: { content: event.text }, finish_reason: null }]));
        } else if (event.type === 'done') {
          model = event.model;
          await write(chunk([{ index: 0, delta: {}, finish_reason: finishReasonOf(event) }]));
          if (includeUsage) {
            const usage = {
              prompt_tokens: event.usage.promptTokens,
              completion_tokens: event.usage.completionTokens,
              total_tokens: event.usage.totalTokens,
            };
            await write(chunk([], { usage }));
          }
        } else if (event.type === 'error' || event.type === 'cancelled') {
          // OpenAI reports a failure inside a stream as an error object; its SDKs raise it.
          const code = event.type === 'error' ? event.code : ErrorCode.Cancelled;
          const message = event.type === 'error' ? event.message : `Cancelled: ${event.reason}`;
          const error: OpenAiError = { error: { message, type: openAiErrorType(code), param: null, code } };
          await write(`data: ${JSON.stringify(error)}\n\n`);
        }
      }
      await write('data: [DONE]\n\n');
    } finally {
      endRawStream(raw);
    }
  }
}

function finishReasonOf(event: Extract<ResponseEvent, { type: 'done' }>): FinishReason {
  return event.finishReason === 'length' ? 'length' : 'stop';
}
