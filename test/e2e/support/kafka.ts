import { randomUUID } from 'node:crypto';
import type { Admin, Kafka, KafkaMessage } from 'kafkajs';

/**
 * Every message of a topic up to its end as of the call, read by a consumer group of its
 * own (named `<groupPrefix>-<uuid>`), from the beginning.
 */
export async function readTopicToEnd(kafka: Kafka, topic: string, groupPrefix: string): Promise<KafkaMessage[]> {
  const admin: Admin = kafka.admin();
  await admin.connect();
  let ends: Map<number, bigint>;
  try {
    ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, BigInt(p.high)]));
  } finally {
    await admin.disconnect();
  }
  for (const [partition, high] of ends) if (high === 0n) ends.delete(partition);
  const messages: KafkaMessage[] = [];
  if (ends.size === 0) return messages;
  const consumer = kafka.consumer({ groupId: `${groupPrefix}-${randomUUID()}`, maxWaitTimeInMs: 200 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachBatch: async ({ batch }) => {
        const end = ends.get(batch.partition);
        if (end === undefined) return;
        messages.push(...batch.messages.filter((m) => BigInt(m.offset) < end));
        if (BigInt(batch.lastOffset()) >= end - 1n) ends.delete(batch.partition);
        if (ends.size === 0) resolve();
      },
    });
  });
  await consumer.disconnect();
  return messages;
}
