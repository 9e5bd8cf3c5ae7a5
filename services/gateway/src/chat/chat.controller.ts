import { Body, Controller, Get, Headers, HttpCode, Inject, Param, ParseUUIDPipe, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ZodBodyPipe, openRawStream, writeWithBackpressure } from '@shoshizan/service-kit';
import { chatBodySchema, z, type ChatBody } from '@shoshizan/shared-interfaces';
import { CurrentUser, type AuthenticatedUser } from '../auth/authenticated-user';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';
import { ChatMetrics } from './chat.metrics';
import { ChatService } from './chat.service';
import type { ChatRequestRecord } from './chat-requests.repository';
import { SSE_KEEPALIVE, formatSse } from './sse';

const cancelBodySchema = z.strictObject({ reason: z.string().max(500).default('cancelled by the user') });

@ApiTags('chat')
@ApiBearerAuth()
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
  @ApiResponse({ status: 200, description: 'An SSE stream of response events.' })
  @ApiResponse({ status: 400, description: 'Problem details naming each invalid field.' })
  @ApiResponse({ status: 401, description: 'Missing, invalid or expired token.' })
  @ApiResponse({ status: 503, description: 'The queue is unavailable; see Retry-After.' })
  async send(
    @Body(new ZodBodyPipe(chatBodySchema, 'Chat request')) body: ChatBody,
    @CurrentUser() user: AuthenticatedUser,
    @Headers('traceparent') traceparent: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const accepted = await this.chat.accept(user, body, traceparent);
    const raw = openRawStream(reply, {
      'content-type': 'text/event-stream; charset=utf-8',
      'x-accel-buffering': 'no', // nginx ingress: do not buffer the stream
      'x-chat-request-id': accepted.requestId,
      'x-conversation-id': accepted.conversationId,
    });
    // The request goes on if the client leaves; only this stream ends.
    raw.on('close', () => accepted.events.close());
    const keepalive = setInterval(() => void writeWithBackpressure(raw, SSE_KEEPALIVE), this.config.SSE_KEEPALIVE_MS);
    const acceptedAt = performance.now();
    let firstToken = true;
    this.metrics.activeStreams.inc();
    try {
      for await (const event of accepted.events) {
        if (event.type === 'token' && firstToken) {
          firstToken = false;
          this.metrics.timeToFirstToken.observe((performance.now() - acceptedAt) / 1000);
        }
        await writeWithBackpressure(raw, formatSse(event));
      }
    } finally {
      clearInterval(keepalive);
      this.metrics.activeStreams.dec();
      raw.end();
    }
  }

  @Get(':requestId')
  @ApiOperation({ summary: 'The state of one of your chat requests' })
  @ApiResponse({ status: 404, description: 'No such request of yours.' })
  status(
    @Param('requestId', new ParseUUIDPipe()) requestId: string,
    @CurrentUser() user: AuthenticatedUser,
  ): Promise<ChatRequestRecord> {
    return this.chat.find(user, requestId);
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
