import { Injectable } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { KafkaPublisher } from '@shoshizan/service-kit';
import {
  ENVELOPE_VERSION,
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
   */
  async enqueue(envelope: ChatRequestEnvelope): Promise<EnqueueResult> {
    const headers = requestHeaders(envelope);
    const [record] = await this.publisher.send('requests', [
      {
        key: envelope.conversationId, // one conversation is answered in order
        value: encodeMessage(chatRequestEnvelopeSchema, envelope, 'chat request'),
        headers,
      },
    ]);
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
    await this.publisher.send('responses', [
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
          },
          'queued event',
        ),
        headers: { [HEADERS.requestId]: envelope.requestId },
      },
    ]);
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
