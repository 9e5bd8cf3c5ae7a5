import type { KafkaPublisher } from '@shoshizan/service-kit';
import {
  ENVELOPE_VERSION,
  HEADERS,
  encodeMessage,
  responseEventSchema,
  type ChatRequestEnvelope,
  type ResponseEvent,
} from '@shoshizan/shared-interfaces';

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
 */
export class ResponseEmitter {
  private nextSeq: number;
  private readonly firstSeq: number;

  constructor(
    private readonly publisher: Pick<KafkaPublisher, 'send'>,
    private readonly request: Pick<ChatRequestEnvelope, 'requestId' | 'conversationId' | 'userId'>,
    firstSeq = 1,
  ) {
    this.nextSeq = this.firstSeq = firstSeq;
  }

  get requestId(): string {
    return this.request.requestId;
  }

  /** Events this emitter published. */
  get emitted(): number {
    return this.nextSeq - this.firstSeq;
  }

  async emit(body: EventBody): Promise<ResponseEvent> {
    const event = {
      ...body,
      version: ENVELOPE_VERSION,
      kind: 'chat.response',
      requestId: this.request.requestId,
      conversationId: this.request.conversationId,
      userId: this.request.userId,
      seq: this.nextSeq,
      at: new Date().toISOString(),
    } as ResponseEvent;
    await this.publisher.send('responses', [
      {
        key: this.request.requestId,
        value: encodeMessage(responseEventSchema, event, `${body.type} event`),
        headers: { [HEADERS.requestId]: this.request.requestId },
      },
    ]);
    this.nextSeq++;
    return event;
  }
}
