import { Inject, Injectable } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { endRawStream, openRawStream, writeWithBackpressure } from '@shoshizan/service-kit';
import { isFinalEvent, type ResponseEvent } from '@shoshizan/shared-interfaces';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';
import { ChatMetrics } from './chat.metrics';
import type { EventSubscription } from './event-subscription';
import { SSE_KEEPALIVE } from './sse';

/**
 * How one route writes its events: the native events, OpenAI's chunks, the Responses API's
 * events. Each function returns the text to write ('' writes nothing).
 */
export interface SseTranslation {
  /** Written first, before any event arrives (OpenAI's role chunk). */
  readonly open?: () => string;
  /** A batch of events, in seq order: what arrived since the last write, up to a final event. */
  readonly format: (batch: readonly ResponseEvent[]) => string;
  /**
   * Written last. `final` is the final event the stream wrote; undefined when the events
   * stopped without one: the subscription was closed (the gateway is shutting down, the
   * client left, a resumed stream had nothing left to send) while the answer may go on.
   */
  readonly end: (final: ResponseEvent | undefined) => string;
}

export interface SseStreamOptions extends SseTranslation {
  /** Headers besides the event-stream ones (the request's id). */
  readonly headers: Readonly<Record<string, string>>;
  /**
   * When the request was accepted (performance.now()): the time to its first answer token
   * is observed. Absent on a resumed stream, whose first token is no measure of anything.
   */
  readonly acceptedAt?: number;
}

/**
 * The one way the gateway streams a request's events as Server-Sent Events, whatever their
 * shape: one write a batch, with back-pressure (a client that stops reading holds up neither
 * the others nor a shutdown), a keep-alive comment when idle (proxies close silent streams),
 * the active-streams gauge and the time to the first token. The request goes on if the
 * client leaves.
 */
@Injectable()
export class SseWriter {
  constructor(
    private readonly metrics: ChatMetrics,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  async stream(reply: FastifyReply, events: EventSubscription, options: SseStreamOptions): Promise<void> {
    const raw = openRawStream(reply, {
      'content-type': 'text/event-stream; charset=utf-8',
      'x-accel-buffering': 'no', // nginx ingress: do not buffer the stream
      ...options.headers,
    });
    raw.on('close', () => events.close());
    // Stops waiting for a client that does not read once the subscription closes (shutdown).
    const write = async (text: string) => {
      if (text) await writeWithBackpressure(raw, text, events.closedSignal);
    };
    const keepalive = setInterval(() => void write(SSE_KEEPALIVE), this.config.SSE_KEEPALIVE_MS);
    this.metrics.activeStreams.inc();
    let firstTokenFrom = options.acceptedAt;
    try {
      await write(options.open?.() ?? '');
      let final: ResponseEvent | undefined;
      // Whatever arrived meanwhile in one write (tokens come many a fetch under load).
      for await (const batch of events.batches()) {
        const last = batch.at(-1);
        if (last && isFinalEvent(last)) final = last;
        await write(options.format(batch));
        if (firstTokenFrom !== undefined && batch.some((e) => e.type === 'token' || e.type === 'tool_call')) {
          this.metrics.timeToFirstToken.observe((performance.now() - firstTokenFrom) / 1000);
          firstTokenFrom = undefined;
        }
      }
      await write(options.end(final));
    } finally {
      clearInterval(keepalive);
      this.metrics.activeStreams.dec();
      endRawStream(raw);
    }
  }
}
