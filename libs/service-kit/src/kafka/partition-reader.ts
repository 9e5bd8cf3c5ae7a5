import { randomUUID } from 'node:crypto';
import type { Kafka, KafkaMessage } from 'kafkajs';

export interface PartitionRange {
  readonly topic: string;
  readonly partition: number;
  /** First offset to read. */
  readonly from: string;
  /** Offset after the last one to read (a high watermark). */
  readonly to: string;
  /** Prefix of the throw-away group id (the deployment's topic prefix). */
  readonly groupPrefix: string;
  /** @default 30000 */
  readonly timeoutMs?: number;
}

/**
 * Reads the messages of one partition in [from, to) and resolves when done: how a service
 * looks something up in a topic (the events of one request, a dead letter) rather than
 * consuming it. kafkajs has no manual partition assignment, so a throw-away consumer group
 * that never commits (Kafka drops it once empty) seeks to `from`.
 */
export async function readPartitionRange(
  kafka: Kafka,
  range: PartitionRange,
  onMessage: (message: KafkaMessage) => void,
): Promise<void> {
  const last = BigInt(range.to) - 1n;
  if (BigInt(range.from) > last) return;
  const consumer = kafka.consumer({
    groupId: `${range.groupPrefix}shoshizan.reader.${randomUUID()}`,
    maxWaitTimeInMs: 200,
    allowAutoTopicCreation: false,
  });
  const timeoutMs = range.timeoutMs ?? 30_000;
  let timer: NodeJS.Timeout | undefined;
  try {
    await consumer.connect();
    await consumer.subscribe({ topic: range.topic, fromBeginning: false });
    await new Promise<void>((resolve, reject) => {
      timer = setTimeout(
        () => reject(new Error(`reading ${range.topic}[${range.partition}] took over ${timeoutMs} ms`)),
        timeoutMs,
      );
      consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            if (batch.partition !== range.partition) return;
            for (const message of batch.messages) {
              const offset = BigInt(message.offset);
              if (offset < BigInt(range.from)) continue;
              if (offset > last) break;
              onMessage(message);
            }
            if (BigInt(batch.lastOffset()) >= last) resolve();
          },
        })
        .catch(reject);
      // Applied once the group has assigned the partition.
      consumer.seek({ topic: range.topic, partition: range.partition, offset: range.from });
    });
  } finally {
    clearTimeout(timer);
    await consumer.disconnect();
  }
}
