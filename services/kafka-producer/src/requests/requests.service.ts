import { Injectable } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import {
  DomainException,
  KafkaPublisher,
  SpanKind,
  inSpan,
  messagingAttributes,
  messagingSpanName,
  traceIdField,
  traceRecordHeaders,
} from '@shoshizan/service-kit';
import {
  ENVELOPE_VERSION,
  ErrorCode,
  HEADERS,
  cancellationEnvelopeSchema,
  chatRequestEnvelopeSchema,
  encodeMessage,
  requestHeaders,
  responseEventSchema,
  type CancellationEnvelope,
  type ChatRequestEnvelope,
  type EnqueueResult,
} from '@shoshizan/shared-interfaces';

/** How long past `enqueueBy` an acknowledgement is still waited for. */
const ACK_GRACE_MS = 3_000;

/** The send's result, or QueueUnavailable at `deadline` (the send may still land: void then). */
async function withinDeadline<T>(sending: Promise<T>, deadline: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new DomainException(
            ErrorCode.QueueUnavailable,
            'The queue did not accept the request in time; it was not accepted and will not be answered.',
            { retryAfterSeconds: 5 },
          ),
        ),
      Math.max(0, deadline - Date.now()),
    );
  });
  sending.catch(() => undefined); // a send that ends after the deadline is no one's business
  try {
    return await Promise.race([sending, late]);
  } finally {
    clearTimeout(timer);
  }
}

@Injectable()
export class RequestsService {
  constructor(
    private readonly publisher: KafkaPublisher,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext(RequestsService.name);
  }

  /**
   * Makes a request durable: resolves only after every in-sync replica has it, so "accepted"
   * means it survives the loss of any one component. Then announces it as queued.
   *
   * With an `enqueueBy`, the answer is definite by then (plus a grace period for the ack):
   * accepted if the broker appended the request by `enqueueBy` (its LogAppendTime, the
   * same rule the workers apply), otherwise QueueUnavailable, and a late append is void.
   * So a 503 never turns into an answer the client was told would not come.
   */
  enqueue(envelope: ChatRequestEnvelope): Promise<EnqueueResult> {
    const topic = this.publisher.topic('requests');
    const record = { topic, key: envelope.conversationId, requestId: envelope.requestId };
    return inSpan(messagingSpanName('send', topic), SpanKind.PRODUCER, messagingAttributes('send', record), async (span) => {
      const result = await this.enqueueIn(envelope);
      span.setAttributes(messagingAttributes('send', { ...record, partition: result.partition, offset: result.offset }));
      return result;
    });
  }

  /**
   * In the PRODUCER span: the record's trace context is this span's, so the worker's span
   * for the record is its child (and the envelope says the same, for whoever reads it).
   */
  private async enqueueIn(received: ChatRequestEnvelope): Promise<EnqueueResult> {
    const envelope: ChatRequestEnvelope = { ...received, trace: traceRecordHeaders() };
    const headers = requestHeaders(envelope);
    // Shared with the other accepts under way (KafkaPublisher.sendTogether): one broker
    // round trip for a crowd of accepts.
    const sending = this.publisher.sendTogether('requests', [
      {
        key: envelope.conversationId, // one conversation is answered in order
        value: encodeMessage(chatRequestEnvelopeSchema, envelope, 'chat request'),
        headers,
      },
    ]);
    const enqueueBy = envelope.enqueueBy ? Date.parse(envelope.enqueueBy) : undefined;
    const [record] = enqueueBy === undefined ? await sending : await withinDeadline(sending, enqueueBy + ACK_GRACE_MS);
    const appendedAt = Number(record?.logAppendTime ?? -1);
    if (enqueueBy !== undefined && appendedAt > enqueueBy) {
      throw new DomainException(
        ErrorCode.QueueUnavailable,
        'The queue took too long to accept the request; it was not accepted and will not be answered.',
        { retryAfterSeconds: 5 },
      );
    }
    const result: EnqueueResult = {
      requestId: envelope.requestId,
      topic: record!.topicName,
      partition: record!.partition,
      offset: record!.baseOffset ?? record!.offset ?? '-1',
    };
    this.logger.info(
      { requestId: envelope.requestId, topic: result.topic, partition: result.partition, offset: result.offset },
      'Enqueued a chat request',
    );
    // Only now: a request refused (late) has no events at all. A worker may have started it
    // meanwhile; then `queued` comes after `started`, and streams drop it (seq 0 < 1). Not
    // waited for: the request is durable already, and `queued` only informs a stream that
    // opens before a worker takes it; a lost one costs nothing but that.
    void this.publisher.sendTogether('responses', [
      {
        key: envelope.requestId,
        value: encodeMessage(
          responseEventSchema,
          {
            version: ENVELOPE_VERSION,
            kind: 'chat.response',
            type: 'queued',
            requestId: envelope.requestId,
            conversationId: envelope.conversationId,
            userId: envelope.userId,
            seq: 0,
            at: new Date().toISOString(),
            ...traceIdField(),
          },
          'queued event',
        ),
        headers: { [HEADERS.requestId]: envelope.requestId },
      },
    ]).catch((error: unknown) =>
      this.logger.warn({ requestId: envelope.requestId, err: error }, 'Could not write the queued event (the request is enqueued)'),
    );
    return result;
  }

  /** Publishes a cancellation; the worker holding the request stops the model. */
  async cancel(cancellation: CancellationEnvelope): Promise<void> {
    await this.publisher.send('cancellations', [
      {
        key: cancellation.requestId,
        value: encodeMessage(cancellationEnvelopeSchema, cancellation, 'cancellation'),
        headers: { [HEADERS.requestId]: cancellation.requestId },
      },
    ]);
    this.logger.info({ requestId: cancellation.requestId }, 'Published a cancellation');
  }
}
