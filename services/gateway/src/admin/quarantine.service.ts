import { Inject, Injectable } from '@nestjs/common';
import type { Admin, Kafka, KafkaMessage } from 'kafkajs';
import { KAFKA, KAFKA_ADMIN, headerInt, headerText, messageTime, readNewest } from '@shoshizan/service-kit';
import { HEADERS, isStorableText, topicName, type QuarantinedRecord } from '@shoshizan/shared-interfaces';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway.config';

const PREVIEW = 4096;

/** The value as text when it is well-formed UTF-8 that JSON can carry; null for bytes. */
function asText(value: Buffer): string | null {
  const decoded = new TextDecoder('utf-8', { fatal: false }).decode(value.subarray(0, PREVIEW));
  return decoded.includes('\uFFFD') || !isStorableText(decoded) ? null : decoded;
}

/**
 * Reads the quarantine topic for admins: the records consumers set aside. Every replica
 * that reads a topic sets the same bad record aside, keyed by its source position, so the
 * list folds them into one entry that names each consumer.
 */
@Injectable()
export class QuarantineService {
  constructor(
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(KAFKA_ADMIN) private readonly admin: Admin,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  /** The newest `limit` set-aside records, newest first. */
  async list(limit: number): Promise<QuarantinedRecord[]> {
    const topic = topicName('quarantine', this.config.KAFKA_TOPIC_PREFIX);
    const newest = await readNewest(this.kafka, this.admin, topic, limit, this.config.KAFKA_TOPIC_PREFIX);
    const byId = new Map<string, QuarantinedRecord>();
    for (const { message } of newest) {
      const entry = describe(message);
      const seen = byId.get(entry.id);
      if (!seen) byId.set(entry.id, entry);
      else if (!seen.consumers.includes(entry.consumers[0] ?? '')) seen.consumers.push(...entry.consumers);
    }
    return [...byId.values()].sort((a, b) => b.quarantinedAt.localeCompare(a.quarantinedAt)).slice(0, limit);
  }
}

function describe(message: KafkaMessage): QuarantinedRecord & { consumers: string[] } {
  const h = message.headers;
  const value = message.value ?? Buffer.alloc(0);
  const consumer = headerText(h, HEADERS.quarantineConsumer);
  return {
    id: message.key?.toString('utf8') ?? `?/${message.offset}`,
    sourceTopic: headerText(h, HEADERS.quarantineSourceTopic),
    sourcePartition: headerInt(h, HEADERS.quarantineSourcePartition),
    sourceOffset: headerText(h, HEADERS.quarantineSourceOffset),
    consumers: consumer ? [consumer] : [],
    code: headerText(h, HEADERS.quarantineErrorCode),
    reason: headerText(h, HEADERS.quarantineReason),
    tries: headerInt(h, HEADERS.quarantineTries),
    quarantinedAt: messageTime(message),
    text: asText(value),
    base64: value.subarray(0, PREVIEW).toString('base64'),
    sizeBytes: value.length,
  };
}
