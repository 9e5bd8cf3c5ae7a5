import { Body, Controller, Get, Headers, HttpCode, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ZodBodyPipe } from '@shoshizan/service-kit';
import {
  chatBodySchema,
  text,
  z,
  type CancelAccepted,
  type ChatBody,
  type ChatRequestState,
} from '@shoshizan/shared-interfaces';
import { CurrentUser, type AuthenticatedUser } from '../auth/authenticated-user';
import { ApiIdParam, ApiJsonBody, ApiQueryOf } from '../docs/api-inputs';
import { ApiProblems } from '../docs/api-problems';
import { idHeader, linksTo, schemaRef, sseEventSchemas } from '../docs/api-schemas';
import { ChatService } from './chat.service';
import { SEQ, afterSeqOf, nativeSse } from './sse';
import { SseWriter } from './sse-writer';

export const cancelBodySchema = z.strictObject({ reason: text().max(500).default('cancelled by the user') });
/** The body may be left out: a bare `POST .../cancel` cancels with the default reason. */
const cancelSchema = cancelBodySchema.optional();

const CUT_STREAM =
  'A stream cut before its final event (the gateway shutting down) ends with an `error` event of code ' +
  '`upstream_unavailable`, `retriable`, without an SSE `id` and with the seq of the last event sent: the ' +
  'request goes on, and this route resumes it.';

const eventsQuerySchema = z.object({
  after: z
    .string()
    .regex(SEQ, 'must be a whole number, -1 or more')
    .optional()
    .describe('The seq of the last event the client has, when it cannot send Last-Event-ID (an EventSource cannot).'),
});

@ApiTags('chat')
@ApiBearerAuth()
@ApiProblems([401])
@Controller('v1/chat')
export class ChatController {
  constructor(
    private readonly chat: ChatService,
    private readonly sse: SseWriter,
  ) {}

  @Post()
  @ApiOperation({
    summary: 'Send a chat request and stream the answer',
    description:
      'The request is made durable in Kafka before the stream starts. Events: queued, started, token (in seq ' +
      'order), then one of done (with usage), error or cancelled. Each SSE `id` is the event seq. ' +
      CUT_STREAM,
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
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const accepted = await this.chat.accept(user, body);
    const acceptedAt = performance.now();
    const { requestId, conversationId } = accepted;
    await this.sse.stream(reply, accepted.events, {
      headers: { 'x-chat-request-id': requestId, 'x-conversation-id': conversationId },
      acceptedAt,
      ...nativeSse({ requestId, conversationId, userId: user.userId }),
    });
  }

  @Get(':requestId/events')
  @ApiOperation({
    summary: 'Resume the event stream of one of your chat requests',
    description:
      'Sends the events after the one named by the `Last-Event-ID` header (or the `after` query; neither: ' +
      'from the start): first those already written, then the live ones, without a gap or a repeat, ending ' +
      'with the final event. For a reload, a dropped connection, or another gateway replica. ' +
      CUT_STREAM,
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
    const { conversationId } = record;
    await this.sse.stream(reply, events, {
      headers: { 'x-chat-request-id': requestId, 'x-conversation-id': conversationId },
      ...nativeSse({ requestId, conversationId, userId: user.userId }, { afterSeq, status: record.status }),
    });
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
