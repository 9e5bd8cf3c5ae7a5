import { Inject, Injectable, Optional } from '@nestjs/common';
import { Partitioners, type Admin, type IHeaders, type Kafka, type Producer, type RecordMetadata } from 'kafkajs';
import { ErrorCode, TOPICS, topicName, type TopicKey } from '@shoshizan/shared-interfaces';
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
  readonly messages: readonly { readonly topic: string; readonly message: OutgoingMessage }[];
  /** The latest time (performance.now() ms) this may wait for company before it goes. */
  readonly sendBy: number;
  readonly resolve: (records: RecordMetadata[]) => void;
  readonly reject: (error: unknown) => void;
}

export interface TogetherOptions {
  /**
   * How long these messages may wait for others to share their produce request, in ms
   * (like Kafka's linger.ms). 0: at once, or with the next produce if one is in flight.
   * @default 0
   */
  readonly lingerMs?: number;
}

/** How long a topic's partition count is trusted before it is read again, in ms. */
const PARTITIONS_FRESH_MS = 60_000;

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
  /** Ends the drain loop's wait for company early. */
  private lingering: (() => void) | undefined;
  private readonly partitionCounts = new Map<string, { readonly at: number; readonly count: Promise<number> }>();

  constructor(
    @Inject(KAFKA) kafka: Kafka,
    @Inject(KAFKA_OPTIONS) private readonly options: KafkaModuleOptions,
    /** Reads partition counts for sendTogether; without it, the declared counts are used. */
    @Optional() @Inject(KAFKA_ADMIN) private readonly admin?: Admin,
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
   * one request (kafkajs' idempotent producer has one request in flight a broker, so a
   * crowd's accepts, or 64 streams' tokens, each in a request of its own queue behind one
   * another). Nothing waits for a timer: alone, a message goes at once. A caller's messages
   * keep their order, and a caller that awaits each call keeps the order between its calls.
   * Resolves with one record a message (topic, partition, offset, append time), as `send`.
   *
   * The partition of each message is chosen here (murmur2 of the key, as `send`'s
   * partitioner does, over the topic's partition count) so that each caller's offsets can
   * be told apart in the shared batch.
   */
  sendTogether(key: TopicKey, messages: readonly OutgoingMessage[], options: TogetherOptions = {}): Promise<RecordMetadata[]> {
    return this.sendAllTogether(
      messages.map((message) => ({ topic: key, message })),
      options,
    );
  }

  /**
   * `sendTogether` for messages to several topics, in one produce request (e.g. a request and
   * its `queued` event): resolves with their records in the order given.
   */
  sendAllTogether(
    messages: readonly { readonly topic: TopicKey; readonly message: OutgoingMessage }[],
    options: TogetherOptions = {},
  ): Promise<RecordMetadata[]> {
    return new Promise((resolve, reject) => {
      this.waiting.push({
        messages: messages.map(({ topic, message }) => ({ topic: this.topic(topic), message })),
        sendBy: performance.now() + (options.lingerMs ?? 0),
        resolve,
        reject,
      });
      if (!options.lingerMs) this.lingering?.();
      void this.drain();
    });
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.waiting.length > 0) {
        // Everything waiting may linger a little for company: wait for the earliest deadline.
        const wait = Math.min(...this.waiting.map((w) => w.sendBy)) - performance.now();
        if (wait > 0) {
          // Cut short by a message that may not wait (see sendAllTogether).
          await new Promise<void>((resolve) => {
            const timer = setTimeout(() => (this.lingering = undefined, resolve()), wait);
            this.lingering = () => (clearTimeout(timer), (this.lingering = undefined), resolve());
          });
        }
        const group: Waiting[] = [];
        let count = 0;
        while (this.waiting.length > 0 && (group.length === 0 || count + (this.waiting[0]?.messages.length ?? 0) <= MAX_MESSAGES_TOGETHER)) {
          const next = this.waiting.shift() as Waiting;
          group.push(next);
          count += next.messages.length;
        }
        try {
          await this.sendGroup(group);
        } catch (error) {
          const failure = error instanceof DomainException ? error : queueUnavailable(error);
          for (const waiting of group) waiting.reject(failure);
        }
      }
    } finally {
      this.draining = false;
    }
  }

  private async sendGroup(group: readonly Waiting[]): Promise<void> {
    // Each message's partition, then its place among the batch's messages to that partition.
    const byTopic = new Map<string, { partition: number; key: string; value: Buffer; headers?: IHeaders }[]>();
    const counts = new Map<string, number>();
    const places: { topic: string; partition: number; index: number }[][] = [];
    for (const { messages } of group) {
      const mine: { topic: string; partition: number; index: number }[] = [];
      for (const { topic, message: m } of messages) {
        const partition = partitionForKey(topic, m.key, await this.partitionsOf(topic));
        const id = `${topic}\u0000${partition}`;
        const index = counts.get(id) ?? 0;
        counts.set(id, index + 1);
        const list = byTopic.get(topic) ?? [];
        byTopic.set(topic, list);
        list.push({ partition, key: m.key, value: m.value, ...(m.headers ? { headers: m.headers } : {}) });
        mine.push({ topic, partition, index });
      }
      places.push(mine);
    }
    const records = await this.producer.sendBatch({
      acks: -1,
      timeout: this.options.produceTimeoutMs ?? 10_000,
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    });
    const base = new Map(records.map((r) => [`${r.topicName}\u0000${r.partition}`, r]));
    group.forEach((waiting, i) => {
      waiting.resolve(
        (places[i] ?? []).map(({ topic, partition, index }) => {
          const record = base.get(`${topic}\u0000${partition}`);
          return {
            topicName: topic,
            partition,
            errorCode: record?.errorCode ?? 0,
            baseOffset: record?.baseOffset === undefined ? '-1' : (BigInt(record.baseOffset) + BigInt(index)).toString(),
            logAppendTime: record?.logAppendTime ?? '-1',
            logStartOffset: record?.logStartOffset ?? '-1',
          };
        }),
      );
    });
  }

  /** A topic's partition count, read from Kafka at most once a minute (the declared one without an admin). */
  private partitionsOf(topic: string): Promise<number> {
    const kept = this.partitionCounts.get(topic);
    if (kept && Date.now() - kept.at < PARTITIONS_FRESH_MS) return kept.count;
    const declared = Object.values(TOPICS).find((t) => this.options.topicPrefix + t.name === topic)?.partitions;
    const count = this.admin
      ? this.admin.fetchTopicMetadata({ topics: [topic] }).then((m) => m.topics[0]?.partitions.length ?? declared ?? 1)
      : Promise.resolve(declared ?? 1);
    this.partitionCounts.set(topic, { at: Date.now(), count });
    count.catch(() => this.partitionCounts.delete(topic));
    return count;
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
