import { Inject, Injectable } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import type { Admin, Kafka, KafkaMessage } from 'kafkajs';
import {
  DomainException,
  KAFKA,
  KAFKA_ADMIN,
  KafkaPublisher,
  headerInt,
  headerText,
  messageTime,
  readNewest,
  readPartitionRange,
} from '@shoshizan/service-kit';
import {
  ErrorCode,
  HEADERS,
  SchemaValidationError,
  chatRequestEnvelopeSchema,
  decodeMessage,
  encodeMessage,
  requestHeaders,
  topicName,
  type DeadLetter,
  type Redriven,
} from '@shoshizan/shared-interfaces';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';

/**
 * Reads the dead-letter topic and sends requests from it back to the requests topic. A
 * redriven request keeps its id: the worker continues its answer after the error that
 * ended it, and the owner sees the outcome on GET /v1/chat/:id.
 */
@Injectable()
export class DeadLettersService {
  constructor(
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(KAFKA_ADMIN) private readonly admin: Admin,
    private readonly publisher: KafkaPublisher,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext(DeadLettersService.name);
  }

  private get topic(): string {
    return topicName('deadLetter', this.config.KAFKA_TOPIC_PREFIX);
  }

  /** The newest `limit` dead letters, newest first. */
  async list(limit: number): Promise<DeadLetter[]> {
    const newest = await readNewest(this.kafka, this.admin, this.topic, limit, this.config.KAFKA_TOPIC_PREFIX);
    const letters = newest.map(({ partition, message }) => this.describe(partition, message));
    return letters.sort((a, b) => b.deadLetteredAt.localeCompare(a.deadLetteredAt)).slice(0, limit);
  }

  /** Publishes the request in dead letter `id` to the requests topic again. */
  async redrive(id: string): Promise<Redriven> {
    const match = /^(\d+):(\d+)$/.exec(id);
    if (!match) throw new DomainException(ErrorCode.ValidationFailed, `'${id}' is not a dead-letter id (partition:offset).`);
    const partition = Number(match[1]);
    const offset = BigInt(match[2]!);
    const bounds = (await this.admin.fetchTopicOffsets(this.topic)).find((p) => p.partition === partition);
    let found: KafkaMessage | undefined;
    if (bounds && offset >= BigInt(bounds.low) && offset < BigInt(bounds.high)) {
      await this.read(partition, offset.toString(), (offset + 1n).toString(), (message) => (found = message));
    }
    if (!found) throw new DomainException(ErrorCode.NotFound, `No dead letter ${id}.`);

    let envelope;
    try {
      envelope = decodeMessage(chatRequestEnvelopeSchema, found.value, 'dead-lettered request');
    } catch (error) {
      if (!(error instanceof SchemaValidationError)) throw error;
      throw new DomainException(
        ErrorCode.ValidationFailed,
        `Dead letter ${id} is not a valid request and cannot be redriven: ${error.message}`,
      );
    }
    // The request gets as long again as it was first given; its old deadline has passed.
    const now = new Date();
    const budgetMs = Math.max(1000, Date.parse(envelope.deadline) - Date.parse(envelope.createdAt));
    // No enqueueBy: an admin's redrive is not a client waiting for an answer in time.
    const { enqueueBy: _enqueueBy, ...rest } = envelope;
    const redriven = { ...rest, deadline: new Date(now.getTime() + budgetMs).toISOString() };
    await this.publisher.send('requests', [
      {
        key: envelope.conversationId,
        value: encodeMessage(chatRequestEnvelopeSchema, redriven, 'redriven request'),
        headers: {
          ...requestHeaders(envelope),
          [HEADERS.retries]: '0',
          [HEADERS.redrivenAt]: now.toISOString(),
        },
      },
    ]);
    this.logger.info({ deadLetter: id, requestId: envelope.requestId }, 'Redrove a dead-lettered request');
    return { requestId: envelope.requestId, redrivenAt: now.toISOString() };
  }

  private read(partition: number, from: string, to: string, onMessage: (m: KafkaMessage) => void): Promise<void> {
    return readPartitionRange(
      this.kafka,
      { topic: this.topic, partition, from, to, groupPrefix: this.config.KAFKA_TOPIC_PREFIX },
      onMessage,
    );
  }

  private describe(partition: number, message: KafkaMessage): DeadLetter {
    let envelope: { requestId: string; conversationId: string; userId: string } | undefined;
    try {
      envelope = decodeMessage(chatRequestEnvelopeSchema, message.value, 'dead-lettered request');
    } catch {
      envelope = undefined;
    }
    const h = message.headers;
    return {
      id: `${partition}:${message.offset}`,
      requestId: envelope?.requestId ?? headerText(h, HEADERS.requestId),
      conversationId: envelope?.conversationId ?? null,
      userId: envelope?.userId ?? null,
      code: headerText(h, HEADERS.dlqErrorCode),
      reason: headerText(h, HEADERS.dlqReason),
      attempts: headerInt(h, HEADERS.attempt),
      retries: headerInt(h, HEADERS.retries),
      sourceTopic: headerText(h, HEADERS.dlqSourceTopic),
      deadLetteredAt: messageTime(message),
      redrivable: envelope !== undefined,
    };
  }
}
