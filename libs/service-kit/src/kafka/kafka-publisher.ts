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

/** Messages of one caller waiting for the next shared produce request. */
interface Waiting {
  readonly topic: string;
  readonly messages: readonly OutgoingMessage[];
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/** The most messages one shared produce request carries (each is a few hundred bytes). */
const MAX_MESSAGES_TOGETHER = 2000;

/**
 * The service's one Kafka producer: idempotent and acks=all, so an acknowledged message is
 * durable and a retried send is not written twice. Sends to topics by their shared key.
 */
@Injectable()
export class KafkaPublisher {
  readonly producer: Producer;
  private readonly waiting: Waiting[] = [];
  private draining = false;

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
      // kafkajs warns that limiting an idempotent producer's retries "may invalidate EoS
      // guarantees": those are its transactions, which nothing here uses. Idempotence is
      // kept for what it gives within the budget (a retried produce not written twice);
      // past the budget the caller fails, and a late append is void by the enqueueBy rule
      // (requests) or ignored by seq (response events). createKafka drops that warning.
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
      throw queueUnavailable(error);
    }
  }

  /**
   * Like `send`, but shares produce requests with the service's other callers: while one
   * produce is in flight, whatever callers send meanwhile waits and goes in the next, as
   * one request (kafkajs' idempotent producer has one request in flight a broker, so 64
   * streams sending their tokens one request each queue behind one another). Nothing waits
   * for a timer: alone, a message goes at once. A caller's messages keep their order, and a
   * caller that awaits each call keeps the order between its calls. For fire-and-confirm
   * traffic (response events); `send` returns the records' offsets, this does not.
   */
  sendTogether(key: TopicKey, messages: readonly OutgoingMessage[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ topic: this.topic(key), messages, resolve, reject });
      void this.drain();
    });
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.waiting.length > 0) {
        const group: Waiting[] = [];
        let count = 0;
        while (this.waiting.length > 0 && (group.length === 0 || count + (this.waiting[0]?.messages.length ?? 0) <= MAX_MESSAGES_TOGETHER)) {
          const next = this.waiting.shift() as Waiting;
          group.push(next);
          count += next.messages.length;
        }
        const byTopic = new Map<string, OutgoingMessage[]>();
        for (const { topic, messages } of group) byTopic.set(topic, [...(byTopic.get(topic) ?? []), ...messages]);
        try {
          await this.producer.sendBatch({
            acks: -1,
            timeout: this.options.produceTimeoutMs ?? 10_000,
            topicMessages: [...byTopic].map(([topic, messages]) => ({
              topic,
              messages: messages.map((m) => ({ key: m.key, value: m.value, ...(m.headers ? { headers: m.headers } : {}) })),
            })),
          });
          for (const waiting of group) waiting.resolve();
        } catch (error) {
          const failure = queueUnavailable(error);
          for (const waiting of group) waiting.reject(failure);
        }
      }
    } finally {
      this.draining = false;
    }
  }
}

function queueUnavailable(error: unknown): DomainException {
  return new DomainException(ErrorCode.QueueUnavailable, `Kafka did not accept the message: ${(error as Error).message}`, {
    cause: error,
    retryAfterSeconds: 5,
  });
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
