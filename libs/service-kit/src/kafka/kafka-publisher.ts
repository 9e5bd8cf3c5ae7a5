import { Inject, Injectable } from '@nestjs/common';
import { Partitioners, type IHeaders, type Kafka, type Producer, type RecordMetadata } from 'kafkajs';
import { ErrorCode, topicName, type TopicKey } from '@shoshizan/shared-interfaces';
import { DomainException } from '../errors/domain.exception';
import type { KafkaModuleOptions } from './kafka.module';

export const KAFKA = Symbol('KAFKA');
export const KAFKA_ADMIN = Symbol('KAFKA_ADMIN');
export const KAFKA_OPTIONS = Symbol('KAFKA_OPTIONS');

export interface OutgoingMessage {
  readonly key: string;
  readonly value: Buffer;
  readonly headers?: IHeaders;
}

/**
 * The service's one Kafka producer: idempotent and acks=all, so an acknowledged message is
 * durable and a retried send is not written twice. Sends to topics by their shared key.
 */
@Injectable()
export class KafkaPublisher {
  readonly producer: Producer;

  constructor(
    @Inject(KAFKA) kafka: Kafka,
    @Inject(KAFKA_OPTIONS) private readonly options: KafkaModuleOptions,
  ) {
    // Idempotence needs at most one request in flight per connection for ordering in kafkajs.
    // The partitioner is named, not left to the client's default: partitionForKey() must
    // agree with it (and Java clients do: murmur2 of the key, like Kafka's own).
    this.producer = kafka.producer({
      // A bounded retry budget (about 6 s of backoff with jitter) so that a failed send
      // fails for good before its caller gives up on it: "503" must mean "not enqueued",
      // never "enqueued later, after the client was told otherwise".
      retry: { initialRetryTime: 250, multiplier: 2, factor: 0.2, maxRetryTime: 2000, retries: 5 },
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  }

  topic(key: TopicKey): string {
    return topicName(key, this.options.topicPrefix);
  }

  /**
   * Resolves once every in-sync replica has the messages. A failure after the client's own
   * retries (exponential backoff with jitter) becomes QueueUnavailable.
   */
  async send(key: TopicKey, messages: readonly OutgoingMessage[]): Promise<RecordMetadata[]> {
    try {
      return await this.producer.send({
        topic: this.topic(key),
        acks: -1,
        timeout: this.options.produceTimeoutMs ?? 10_000,
        messages: messages.map((m) => ({ key: m.key, value: m.value, ...(m.headers ? { headers: m.headers } : {}) })),
      });
    } catch (error) {
      throw new DomainException(ErrorCode.QueueUnavailable, `Kafka did not accept the message: ${(error as Error).message}`, {
        cause: error,
        retryAfterSeconds: 5,
      });
    }
  }
}

const keyPartitioner = Partitioners.DefaultPartitioner();

/** The partition KafkaPublisher writes a message with this key to, of `partitions`. */
export function partitionForKey(topic: string, key: string, partitions: number): number {
  return keyPartitioner({
    topic,
    partitionMetadata: Array.from({ length: partitions }, (_, partitionId) => ({
      partitionId,
      leader: 0,
      partitionErrorCode: 0,
      replicas: [0],
      isr: [0],
    })),
    message: { key, value: null },
  });
}
