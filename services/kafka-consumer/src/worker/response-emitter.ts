import type { KafkaPublisher, OutgoingMessage } from '@shoshizan/service-kit';
import {
  ENVELOPE_VERSION,
  HEADERS,
  encodeMessage,
  responseEventSchema,
  toStorableText,
  type ChatRequestEnvelope,
  type ResponseEvent,
} from '@shoshizan/shared-interfaces';

/**
 * How long a token after the first may wait for other streams' tokens to share its produce
 * request, in ms: a few thousand tokens a second then take hundreds of produce requests, not
 * thousands, for at most this much more between two tokens.
 */
const TOKEN_LINGER_MS = 2;

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** An event as the worker describes it; the emitter adds the envelope fields. */
export type EventBody = DistributiveOmit<
  ResponseEvent,
  'version' | 'kind' | 'requestId' | 'conversationId' | 'userId' | 'seq' | 'at'
>;

/**
 * Publishes the response events of one request, numbering them. kafka-producer wrote
 * `queued` as seq 0; the worker continues from 1, or, when it resumes a request an earlier
 * attempt began, from the seq after that attempt's last event. Keyed by request id, so
 * they stay in order.
 *
 * Tokens are pipelined: `emit` of a token returns once it is queued, and the queue goes to
 * Kafka one send at a time (so in order), as many tokens a request as arrived meanwhile, in
 * produce requests shared with every other request's emitter (KafkaPublisher.sendTogether);
 * one acknowledged round trip a token would cap the stream at the broker's latency.
 * `started` is pipelined the same way (the first token need not wait for its round trip).
 * A `tool_call` is held until the event after it that is not a token: the calls of an
 * answer and its `done` go in one produce, one batch on the request's partition, so a crash
 * never leaves a part of an answer's calls written (a resumed attempt ends with what it
 * reads back). Every other event (done, error, retrying, ...) waits until it and all
 * before it are acknowledged, so a final event is never reported before what it ends.
 */
export class ResponseEmitter {
  private nextSeq: number;
  private readonly firstSeq: number;
  private readonly queue: OutgoingMessage[] = [];
  /** Tool calls waiting for the event that follows them (they go to Kafka with it). */
  private readonly heldCalls: OutgoingMessage[] = [];
  private sending: Promise<void> | undefined;
  private failure: Error | undefined;
  private sentAny = false;

  /**
   * `traceId`: the request's trace, written on every event but tokens (one per token would
   * cost bytes on the hottest path and tell a client nothing new).
   */
  constructor(
    private readonly publisher: Pick<KafkaPublisher, 'sendTogether'>,
    private readonly request: Pick<ChatRequestEnvelope, 'requestId' | 'conversationId' | 'userId'>,
    firstSeq = 1,
    private readonly traceId?: string,
  ) {
    this.nextSeq = this.firstSeq = firstSeq;
  }

  get requestId(): string {
    return this.request.requestId;
  }

  /** Events this emitter numbered (queued or sent). */
  get emitted(): number {
    return this.nextSeq - this.firstSeq;
  }

  async emit(body: EventBody): Promise<ResponseEvent> {
    if (this.failure !== undefined) throw this.failure;
    const event = {
      ...storable(body),
      version: ENVELOPE_VERSION,
      kind: 'chat.response',
      requestId: this.request.requestId,
      conversationId: this.request.conversationId,
      userId: this.request.userId,
      seq: this.nextSeq,
      at: new Date().toISOString(),
      ...(this.traceId !== undefined && body.type !== 'token' ? { traceId: this.traceId } : {}),
    } as ResponseEvent;
    const message = {
      key: this.request.requestId,
      value: encodeMessage(responseEventSchema, event, `${body.type} event`),
      headers: { [HEADERS.requestId]: this.request.requestId },
    };
    this.nextSeq++;
    if (body.type === 'tool_call') {
      this.heldCalls.push(message);
      return event;
    }
    this.queue.push(...this.heldCalls.splice(0), message);
    if (body.type === 'token' || body.type === 'started') this.pump();
    else await this.flush();
    return event;
  }

  /**
   * Drops what is queued and not yet sent, and sends nothing more: the request was handed
   * back or taken over, and whoever goes on with it reads what was written and resumes from
   * there. Every unsent token is one fewer that could land after that read (a send already
   * under way still lands; the later attempt's seq then clashes with it and the first one
   * stored wins, see ResponseHub).
   */
  abandon(): void {
    this.queue.length = 0;
    this.heldCalls.length = 0;
    this.failure ??= new Error(`request ${this.request.requestId}: events abandoned (handed back or taken over)`);
  }

  /** Resolves once every queued event is acknowledged; throws the send failure, if any. */
  async flush(): Promise<void> {
    while ((this.queue.length > 0 || this.sending) && this.failure === undefined) {
      this.pump();
      await this.sending;
    }
    if (this.failure !== undefined) throw this.failure;
  }

  private pump(): void {
    if (this.sending || this.failure !== undefined || this.queue.length === 0) return;
    this.sending = (async () => {
      // Shared with the other requests' emitters: one produce carries every stream's tokens.
      // The first send (started, the first token) goes at once; later ones may linger a
      // couple of ms for company, which under a crowd cuts produce requests severalfold.
      while (this.queue.length > 0) {
        const lingerMs = this.sentAny ? TOKEN_LINGER_MS : 0;
        this.sentAny = true;
        await this.publisher.sendTogether('responses', this.queue.splice(0), { lingerMs });
      }
    })()
      .catch((error: unknown) => {
        this.failure = error instanceof Error ? error : new Error(String(error));
      })
      .finally(() => {
        this.sending = undefined;
      });
  }
}

/**
 * The body with its free text made storable: a model's token or an upstream error message
 * with a NUL in it would otherwise fail validation here, and the request with it.
 */
export function storable(body: EventBody): EventBody {
  switch (body.type) {
    case 'token':
      return { ...body, text: toStorableText(body.text) };
    case 'tool_call':
      return { ...body, arguments: toStorableText(body.arguments) };
    case 'error':
    case 'retrying':
      return { ...body, message: toStorableText(body.message) };
    case 'cancelled':
      return { ...body, reason: toStorableText(body.reason) };
    case 'queued':
    case 'started':
    case 'resumed':
    case 'done':
      return body;
  }
}
