import { Body, Controller, Get, Headers, HttpCode, Inject, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { DomainException, ZodBodyPipe, endRawStream, openRawStream, writeWithBackpressure } from '@shoshizan/service-kit';
import {
  ErrorCode,
  chatBodySchema,
  text,
  z,
  type CancelAccepted,
  type ChatBody,
  type ChatRequestState,
  type ResponseEvent,
} from '@shoshizan/shared-interfaces';
import { CurrentUser, type AuthenticatedUser } from '../auth/authenticated-user';
import { ApiIdParam, ApiJsonBody, ApiQueryOf } from '../docs/api-inputs';
import { ApiProblems } from '../docs/api-problems';
import { idHeader, linksTo, schemaRef, sseEventSchemas } from '../docs/api-schemas';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';
import { ChatMetrics } from './chat.metrics';
import { ChatService } from './chat.service';
import type { EventSubscription } from './event-subscription';
import { SSE_KEEPALIVE, formatSse } from './sse';

export const cancelBodySchema = z.strictObject({ reason: text().max(500).default('cancelled by the user') });
/** The body may be left out: a bare `POST .../cancel` cancels with the default reason. */
const cancelSchema = cancelBodySchema.optional();

/** An event seq, or -1 for "before the first". */
const SEQ = /^(?:-1|\d{1,9})$/;
const eventsQuerySchema = z.object({
  after: z
    .string()
    .regex(SEQ, 'must be a whole number, -1 or more')
    .optional()
    .describe('The seq of the last event the client has, when it cannot send Last-Event-ID (an EventSource cannot).'),
});

/** The seq a resumed stream starts after: a Last-Event-ID or `after` value, or -1 (from the start). */
function afterSeqOf(value: string | undefined, name: string): number {
  if (value === undefined || value.trim() === '') return -1;
  if (!SEQ.test(value.trim())) {
    throw new DomainException(ErrorCode.ValidationFailed, `${name} must be an event seq.`, {
      issues: [{ path: name, message: 'must be a whole number, -1 or more' }],
    });
  }
  return Number(value);
}

@ApiTags('chat')
@ApiBearerAuth()
@ApiProblems([401])
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
  @ApiJsonBody(chatBodySchema)
  @ApiProduces('text/event-stream')
  @ApiResponse({
    status: 200,
    description: 'An SSE stream of response events (`id` = seq, `event` = type, `data` = the event as JSON).',
    content: { 'text/event-stream': { schema: sseEventSchemas.responseEvents() } },
    headers: {
      'X-Chat-Request-Id': idHeader('The request’s id: what GET /v1/chat/{requestId}, its events and cancel take.'),
      'X-Conversation-Id': idHeader('The conversation the request belongs to (a new one when the body named none).'),
    },
    links: linksTo('requestId', '$response.header.X-Chat-Request-Id', ['ChatController_status', 'ChatController_cancel']),
  })
  @ApiProblems([404, 429, 503], {
    404: 'The `conversationId` is another user’s, or a deleted conversation; or there is no such model.',
  })
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
  @ApiIdParam('requestId', 'The chat request’s id.', 'No such request of yours.')
  @ApiHeader({
    name: 'Last-Event-ID',
    required: false,
    description: 'The seq of the last event the client has (wins over `after`).',
    schema: { type: 'string', pattern: SEQ.source },
  })
  @ApiQueryOf(eventsQuerySchema)
  @ApiProduces('text/event-stream')
  @ApiResponse({
    status: 200,
    description: 'An SSE stream of response events (`id` = seq, `event` = type, `data` = the event as JSON).',
    content: { 'text/event-stream': { schema: sseEventSchemas.responseEvents() } },
    headers: {
      'X-Chat-Request-Id': idHeader('The request’s id.'),
      'X-Conversation-Id': idHeader('The conversation the request belongs to.'),
    },
  })
  async events(
    @Param('requestId', new ParseUUIDPipe()) requestId: string,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Query(new ZodBodyPipe(eventsQuerySchema, 'Query')) query: z.output<typeof eventsQuerySchema>,
    @CurrentUser() user: AuthenticatedUser,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const afterSeq =
      lastEventId !== undefined ? afterSeqOf(lastEventId, 'Last-Event-ID') : afterSeqOf(query.after, 'after');
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
    const keepalive = setInterval(() => void writeWithBackpressure(raw, SSE_KEEPALIVE, events.closedSignal), this.config.SSE_KEEPALIVE_MS);
    this.metrics.activeStreams.inc();
    try {
      // Whatever arrived meanwhile in one write (tokens come many a fetch under load).
      for await (const batch of events.batches()) {
        let text = '';
        for (const event of batch) {
          onEvent(event);
          text += formatSse(event);
        }
        await writeWithBackpressure(raw, text, events.closedSignal);
      }
    } finally {
      clearInterval(keepalive);
      this.metrics.activeStreams.dec();
      endRawStream(raw);
    }
  }

  @Get(':requestId')
  @ApiOperation({
    summary: 'The state of one of your chat requests',
    description: 'While it waits in the queue: how many requests are ahead of it, and a rough wait.',
  })
  @ApiIdParam('requestId', 'The chat request’s id.', 'No such request of yours.')
  @ApiResponse({ status: 200, description: 'The request.', schema: schemaRef('ChatRequestState') })
  status(
    @Param('requestId', new ParseUUIDPipe()) requestId: string,
    @CurrentUser() user: AuthenticatedUser,
  ): Promise<ChatRequestState> {
    return this.chat.state(user, requestId);
  }

  @Post(':requestId/cancel')
  @HttpCode(202)
  @ApiOperation({ summary: 'Stop one of your chat requests; the stream ends with a cancelled event' })
  @ApiIdParam('requestId', 'The chat request’s id.', 'No such request of yours.')
  @ApiJsonBody(cancelSchema)
  @ApiResponse({ status: 202, description: 'The cancel is on its way to the worker.', schema: schemaRef('CancelAccepted') })
  async cancel(
    @Param('requestId', new ParseUUIDPipe()) requestId: string,
    @Body(new ZodBodyPipe(cancelSchema, 'Cancel request')) body: z.output<typeof cancelSchema>,
    @CurrentUser() user: AuthenticatedUser,
  ): Promise<CancelAccepted> {
    await this.chat.cancel(user, requestId, body?.reason ?? 'cancelled by the user');
    return { requestId };
  }
}
