import { randomUUID } from 'node:crypto';
import type { Admin, Kafka, KafkaMessage } from 'kafkajs';

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

/**
 * The newest `limit` messages of each partition of `topic` (fewer where a partition holds
 * fewer), read with `readPartitionRange`: how an admin route lists a topic's tail.
 */
export async function readNewest(
  kafka: Kafka,
  admin: Admin,
  topic: string,
  limit: number,
  groupPrefix: string,
): Promise<{ partition: number; message: KafkaMessage }[]> {
  const found: { partition: number; message: KafkaMessage }[] = [];
  for (const { partition, high, low } of await admin.fetchTopicOffsets(topic)) {
    const from = BigInt(high) - BigInt(limit) > BigInt(low) ? BigInt(high) - BigInt(limit) : BigInt(low);
    await readPartitionRange(kafka, { topic, partition, from: from.toString(), to: high, groupPrefix }, (message) =>
      found.push({ partition, message }),
    );
  }
  return found;
}

/**
 * A message's timestamp as an ISO string. A producer may set any 64-bit value, and one out
 * of Date's range would make toISOString throw and an admin listing fail for good: such a
 * time reads as the epoch.
 */
export function messageTime(message: Pick<KafkaMessage, 'timestamp'>): string {
  const ms = Number(message.timestamp);
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : new Date(0).toISOString();
}
