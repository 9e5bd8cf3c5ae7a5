import { Body, Controller, Get, Headers, HttpCode, Inject, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiHeader,
  ApiOperation,
  ApiProduces,
  ApiQuery,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { DomainException, ZodBodyPipe, openRawStream, writeWithBackpressure } from '@shoshizan/service-kit';
import {
  ErrorCode,
  chatBodySchema,
  text,
  z,
  type ChatBody,
  type ChatRequestState,
  type ResponseEvent,
} from '@shoshizan/shared-interfaces';
import { CurrentUser, type AuthenticatedUser } from '../auth/authenticated-user';
import { ApiProblems } from '../docs/api-problems';
import { schemaRef } from '../docs/api-schemas';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';
import { ChatMetrics } from './chat.metrics';
import { ChatService } from './chat.service';
import type { EventSubscription } from './event-subscription';
import { SSE_KEEPALIVE, formatSse } from './sse';

export const cancelBodySchema = z.strictObject({ reason: text().max(500).default('cancelled by the user') });

/** The seq a resumed stream starts after: a Last-Event-ID or `after` value, or -1 (from the start). */
function afterSeqOf(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return -1;
  if (!/^-?\d{1,9}$/.test(value.trim()) || Number(value) < -1) {
    throw new DomainException(ErrorCode.ValidationFailed, 'Last-Event-ID (or after) must be an event seq.', {
      issues: [{ path: 'Last-Event-ID', message: 'must be a whole number, -1 or more' }],
    });
  }
  return Number(value);
}

@ApiTags('chat')
@ApiBearerAuth()
@ApiProblems()
@Controller('v1/chat')
export class ChatController {
  constructor(
    private readonly chat: ChatService,
    private readonly metrics: ChatMetrics,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  @Post()
  @ApiOperation({
    summary: 'Send a chat request and stream the answer',
    description:
      'The request is made durable in Kafka before the stream starts. Events: queued, started, token (in seq ' +
      'order), then one of done (with usage), error or cancelled. Each SSE `id` is the event seq.',
  })
  @ApiBody({ schema: z.toJSONSchema(chatBodySchema, { io: 'input' }) as object })
  @ApiProduces('text/event-stream')
  @ApiResponse({
    status: 200,
    description: 'An SSE stream of response events (`id` = seq, `event` = type, `data` = the event as JSON).',
    content: { 'text/event-stream': { schema: schemaRef('ResponseEvent') } },
  })
  @ApiResponse({ status: 400, description: 'Problem details naming each invalid field.' })
  @ApiResponse({ status: 401, description: 'Missing, invalid or expired token.' })
  @ApiResponse({ status: 404, description: 'The `conversationId` is another user\'s, or a deleted conversation.' })
  @ApiResponse({ status: 503, description: 'The queue is unavailable; see Retry-After.' })
  async send(
    @Body(new ZodBodyPipe(chatBodySchema, 'Chat request')) body: ChatBody,
    @CurrentUser() user: AuthenticatedUser,
    @Headers('traceparent') traceparent: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const accepted = await this.chat.accept(user, body, traceparent);
    const acceptedAt = performance.now();
    let firstToken = true;
    await this.stream(reply, accepted.events, accepted.requestId, accepted.conversationId, (event) => {
      if (event.type === 'token' && firstToken) {
        firstToken = false;
        this.metrics.timeToFirstToken.observe((performance.now() - acceptedAt) / 1000);
      }
    });
  }

  @Get(':requestId/events')
  @ApiOperation({
    summary: 'Resume the event stream of one of your chat requests',
    description:
      'Sends the events after the one named by the `Last-Event-ID` header (or the `after` query; neither: ' +
      'from the start): first those already written, then the live ones, without a gap or a repeat, ending ' +
      'with the final event. For a reload, a dropped connection, or another gateway replica.',
  })
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'The seq of the last event the client has.' })
  @ApiQuery({ name: 'after', required: false, schema: { type: 'integer', minimum: -1 } })
  @ApiProduces('text/event-stream')
  @ApiResponse({
    status: 200,
    description: 'An SSE stream of response events (`id` = seq, `event` = type, `data` = the event as JSON).',
    content: { 'text/event-stream': { schema: schemaRef('ResponseEvent') } },
  })
  @ApiResponse({ status: 404, description: 'No such request of yours.' })
  async events(
    @Param('requestId', new ParseUUIDPipe()) requestId: string,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Query('after') after: string | undefined,
    @CurrentUser() user: AuthenticatedUser,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const afterSeq = afterSeqOf(lastEventId ?? after);
    const { record, events } = await this.chat.resume(user, requestId, afterSeq);
    await this.stream(reply, events, requestId, record.conversationId);
  }

  /** Writes events as SSE until the final one; the request goes on if the client leaves. */
  private async stream(
    reply: FastifyReply,
    events: EventSubscription,
    requestId: string,
    conversationId: string,
    onEvent: (event: ResponseEvent) => void = () => undefined,
  ): Promise<void> {
    const raw = openRawStream(reply, {
      'content-type': 'text/event-stream; charset=utf-8',
      'x-accel-buffering': 'no', // nginx ingress: do not buffer the stream
      'x-chat-request-id': requestId,
      'x-conversation-id': conversationId,
    });
    raw.on('close', () => events.close());
    const keepalive = setInterval(() => void writeWithBackpressure(raw, SSE_KEEPALIVE), this.config.SSE_KEEPALIVE_MS);
    this.metrics.activeStreams.inc();
    try {
      for await (const event of events) {
        onEvent(event);
        await writeWithBackpressure(raw, formatSse(event));
      }
    } finally {
      clearInterval(keepalive);
      this.metrics.activeStreams.dec();
      raw.end();
    }
  }

  @Get(':requestId')
  @ApiOperation({
    summary: 'The state of one of your chat requests',
    description: 'While it waits in the queue: how many requests are ahead of it, and a rough wait.',
  })
  @ApiResponse({ status: 200, description: 'The request.', schema: schemaRef('ChatRequestState') })
  @ApiResponse({ status: 404, description: 'No such request of yours.' })
  status(
    @Param('requestId', new ParseUUIDPipe()) requestId: string,
    @CurrentUser() user: AuthenticatedUser,
  ): Promise<ChatRequestState> {
    return this.chat.state(user, requestId);
  }

  @Post(':requestId/cancel')
  @HttpCode(202)
  @ApiOperation({ summary: 'Stop one of your chat requests; the stream ends with a cancelled event' })
  @ApiBody({ schema: z.toJSONSchema(cancelBodySchema, { io: 'input' }) as object, required: false })
  async cancel(
    @Param('requestId', new ParseUUIDPipe()) requestId: string,
    @Body(new ZodBodyPipe(cancelBodySchema, 'Cancel request')) body: z.output<typeof cancelBodySchema> | undefined,
    @CurrentUser() user: AuthenticatedUser,
  ): Promise<{ requestId: string }> {
    await this.chat.cancel(user, requestId, body?.reason ?? 'cancelled by the user');
    return { requestId };
  }
}
